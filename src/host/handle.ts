/**
 * `HostHandle`: a host bound to an environment and a context. This is `this.host` in a
 * parallel node, and the members of `this.hosts`.
 *
 * @module
 */
import { posix } from "node:path";
import { type CommandInput, sh, toCommand } from "../command/sh.ts";
import type { FileData, Stat } from "./connection.ts";
import { HostContext } from "./context.ts";
import { type DirTransferOptions, getDir, putDir } from "./dir_transfer.ts";
import {
  fileEvent,
  localFileData,
  openFile,
  type OpenMode,
  readFile,
  type ReadOptions,
  type RemoteFile,
  writeFile,
  type WriteOptions,
} from "./files.ts";
import type { Host } from "./host.ts";
import { type NetworkInterface, parseIfconfig } from "./ifconfig.ts";
import { type CommandResult, runCommand, type RunOptions } from "./run.ts";
import type { HostServices } from "./services.ts";
import { interactiveShell } from "./shell_session.ts";
import { abortedTransfer, anySignal } from "./transfer_abort.ts";

/**
 * A host bound to an environment: runs commands, moves files, and keeps the `cd`,
 * `prefix` and `env` context that commands are composed with.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "./local.ts";
 * import { sh } from "../command/sh.ts";
 * await using env = new Env({ interactive: false });
 * const host = env.host(new LocalHost());
 * {
 *   using _ = host.cd("/tmp");
 *   assert.equal((await host.run(sh`pwd`)).stdout.trim(), "/tmp");
 * }
 * ```
 */
export class HostHandle {
  /** The host definition. */
  readonly definition: Host;
  /** The `cd` / `prefix` / `env` stacks. */
  readonly context: HostContext;
  readonly #services: HostServices;
  #startPath: Promise<string> | undefined;

  /** Binds a definition to services (environments do this). */
  constructor(definition: Host, services: HostServices, context: HostContext = new HostContext()) {
    this.definition = definition;
    this.#services = services;
    this.context = context;
  }

  /** The host's slug. */
  get slug(): string {
    return this.definition.slug;
  }

  /** The host's address. */
  get address(): string {
    return this.definition.address;
  }

  /** The login user name, when the definition says. */
  get username(): string | undefined {
    return this.definition.username;
  }

  /** The environment's services (for file helpers). */
  get services(): HostServices {
    return this.#services;
  }

  /** A handle to the same host with a snapshot of this context. */
  copy(): HostHandle {
    return new HostHandle(this.definition, this.#services, this.context.copy());
  }

  /** Runs commands in `path` until disposed (`using _ = host.cd(...)`). */
  cd(path: string, options?: { expand?: boolean }): Disposable {
    return this.context.cd(path, options);
  }

  /** Runs commands as `prefix && command` until disposed. */
  prefix(command: CommandInput): Disposable {
    return this.context.prefix(command);
  }

  /** Exports a variable for commands until disposed. */
  env(
    name: string,
    value: Parameters<HostContext["env"]>[1],
    options?: Parameters<HostContext["env"]>[2],
  ): Disposable {
    return this.context.env(name, value, options);
  }

  /** Runs a command. A plain string is shell text; use `sh` to interpolate safely. */
  run(command: CommandInput, options: RunOptions = {}): Promise<CommandResult> {
    return this.#run(command, options, false);
  }

  /** Runs a command with sudo (as root, or `options.user`). */
  sudo(command: CommandInput, options: RunOptions = {}): Promise<CommandResult> {
    return this.#run(command, options, true);
  }

  async #run(input: CommandInput, options: RunOptions, sudo: boolean): Promise<CommandResult> {
    // The context is taken when the command is given, before anything is awaited: a
    // `using` block that ends (or another one that starts) meanwhile does not change it.
    const context = this.context.copy();
    const command = toCommand(input);
    return await runCommand({
      host: this.definition,
      services: this.#services,
      command,
      composition: {
        cwd: context.cdStack.length ? await this.#cwd(context) : undefined,
        env: context.envEntries,
        prefixes: context.prefixes,
      },
      sudo,
      options,
    });
  }

  /** The directory commands start in (before any `cd`). */
  startPath(): Promise<string> {
    this.#startPath ??= this.#services.connection(this.definition).then((c) => c.startPath());
    return this.#startPath;
  }

  /** The home directory of the login user, or of `user`. */
  async getHomeDirectory(user?: string): Promise<string> {
    if (!user) return await (await this.#services.connection(this.definition)).home();
    const result = await this.run(sh`getent passwd ${user} | cut -d: -f6`, this.#quiet());
    return result.stdout.trim();
  }

  /** The working directory after the `cd` stack (`~` expanded where asked). */
  getcwd(): Promise<string> {
    return this.#cwd(this.context.copy());
  }

  async #cwd(context: HostContext): Promise<string> {
    let path = await this.startPath();
    for (const entry of context.cdStack) path = posix.resolve(path, await this.#expand(entry));
    return path;
  }

  /** A path made absolute against the working directory, with `~` expanded. */
  async expandPath(path: string): Promise<string> {
    const cwd = this.getcwd();
    return posix.resolve(await cwd, await this.#expand({ path, expand: true }));
  }

  async #expand(entry: { path: string; expand: boolean }): Promise<string> {
    const { path, expand } = entry;
    if (!expand || !(path === "~" || path.startsWith("~/"))) return path;
    return (await this.getHomeDirectory()) + path.slice(1);
  }

  #quiet(): RunOptions {
    return { silent: true, sandbox: false, interactive: false };
  }

  /** Whether a file or directory exists (relative to the working directory). */
  async exists(path: string, options: { useSudo?: boolean } = {}): Promise<boolean> {
    const full = await this.expandPath(path);
    if (options.useSudo) {
      const r = await this.sudo(sh`test -e ${full}`, { ...this.#quiet(), noThrow: true });
      return r.code === 0;
    }
    try {
      await (await this.#services.connection(this.definition)).stat(full, { lstat: true });
      return true;
    } catch {
      return false;
    }
  }

  /** File metadata (symbolic links are followed unless `lstat`). */
  async stat(path: string, options?: { lstat?: boolean }): Promise<Stat> {
    const connection = await this.#services.connection(this.definition);
    return await connection.stat(await this.expandPath(path), options);
  }

  /** Entries of a directory with their metadata. */
  async listdirStat(path = "."): Promise<Stat[]> {
    const connection = await this.#services.connection(this.definition);
    return await connection.readDir(await this.expandPath(path));
  }

  /** Names in a directory. */
  async listdir(path = "."): Promise<string[]> {
    return (await this.listdirStat(path)).map((s) => s.filename);
  }

  /** Whether a command is available on the host. */
  async hasCommand(command: string, options: { useSudo?: boolean } = {}): Promise<boolean> {
    const check = sh`command -v ${command} >/dev/null 2>&1`;
    const opts = { ...this.#quiet(), noThrow: true };
    const r = options.useSudo ? await this.sudo(check, opts) : await this.run(check, opts);
    return r.code === 0;
  }

  /** Network interfaces with their IPv4 addresses. */
  async ifconfig(): Promise<NetworkInterface[]> {
    const r = await this.run(
      "if command -v ifconfig >/dev/null 2>&1; then ifconfig; elif [ -x /sbin/ifconfig ]; " +
        "then /sbin/ifconfig; else ip -o -4 addr show; fi",
      this.#quiet(),
    );
    return parseIfconfig(r.stdout);
  }

  /** The IPv4 address of an interface (default `eth0`). */
  async getIpAddress(iface = "eth0"): Promise<string> {
    const found = (await this.ifconfig()).find((i) => i.name === iface);
    if (!found?.ip) {
      throw new Error(`Host "${this.slug}" has no interface "${iface}" with an address`);
    }
    return found.ip;
  }

  /** Reads a whole file as text. */
  async readText(path: string, options: ReadOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path, options));
  }

  /** Reads a whole file; the environment's signal or `options.signal` stops it. */
  async readFile(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    return await readFile(this, await this.expandPath(path), options);
  }

  /**
   * Writes a file atomically (temp file + rename); nothing is written in sandbox mode. The
   * environment's signal (Ctrl-C) or `options.signal` stops it and leaves the file as it was.
   */
  async writeFile(
    path: string,
    data: FileData | string,
    options: WriteOptions = {},
  ): Promise<void> {
    await writeFile(this, await this.expandPath(path), data, options);
  }

  /** Opens a file: `"r"` reads it, `"w"` collects writes and replaces it atomically on close. */
  async open(path: string, mode: OpenMode = "r", options: WriteOptions = {}): Promise<RemoteFile> {
    return await openFile(this, await this.expandPath(path), mode, options);
  }

  /** Uploads a local file (atomically); stopped as {@linkcode HostHandle.writeFile} is. */
  async putFile(localPath: string, remotePath: string, options: WriteOptions = {}): Promise<void> {
    const target = await this.expandPath(remotePath);
    await writeFile(this, target, await localFileData(localPath), { ...options, localPath });
  }

  /**
   * Downloads a file to a local path (written atomically). The environment's signal
   * (Ctrl-C) or `options.signal` stops it: the local file stays as it was, no temporary
   * file is left, and it rejects with a `CommandError` (reason `aborted`).
   */
  async getFile(
    remotePath: string,
    localPath: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const full = await this.expandPath(remotePath);
    const signal = anySignal(options.signal, this.#services.signal);
    const what = `get file ${full} -> ${localPath}`;
    const fail = (error: unknown) => {
      if (signal?.aborted) error = abortedTransfer(this.slug, what, error);
      this.#services.emit(fileEvent(this, "get", full, { localPath, ok: false, error }));
      return error;
    };
    if (signal?.aborted) throw fail(undefined);
    const connection = await this.#services.connection(this.definition);
    const stream = await connection.readStream(full, { signal }).catch((error) => {
      throw signal?.aborted ? fail(error) : error;
    });
    const dir = posix.dirname(localPath);
    const temp = posix.join(dir, `.${posix.basename(localPath)}.deployer-${crypto.randomUUID()}`);
    try {
      await Deno.writeFile(temp, stream, { signal });
      signal?.throwIfAborted(); // a stopped download replaces nothing
      await Deno.rename(temp, localPath);
      const bytes = (await Deno.stat(localPath)).size;
      this.#services.emit(fileEvent(this, "get", full, { localPath, bytes, ok: true }));
    } catch (error) {
      await stream.cancel().catch(() => {});
      await Deno.remove(temp).catch(() => {});
      throw fail(error);
    }
  }

  /**
   * Uploads a local directory as `remotePath`: one tar stream when both ends have tar,
   * SFTP otherwise; modes kept. The tree is built next to the target and renamed into
   * place when complete; an existing directory there is replaced (not merged) and
   * removed after the swap.
   */
  async putDir(
    localPath: string,
    remotePath: string,
    options: DirTransferOptions = {},
  ): Promise<void> {
    await putDir(this, localPath, await this.expandPath(remotePath), options);
  }

  /** Downloads a remote directory as `localPath`, the same way as {@linkcode putDir}. */
  async getDir(
    remotePath: string,
    localPath: string,
    options: DirTransferOptions = {},
  ): Promise<void> {
    await getDir(this, await this.expandPath(remotePath), localPath, options);
  }

  /** Starts the login shell of the host with the local terminal attached. */
  async startInteractiveShell(
    options: { command?: string; initialInput?: string } = {},
  ): Promise<number | null> {
    return await interactiveShell(this, options);
  }

  /** `HostHandle(web1)`. */
  toString(): string {
    return `HostHandle(${this.slug})`;
  }
}

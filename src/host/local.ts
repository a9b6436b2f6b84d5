/**
 * {@linkcode LocalHost}: the machine deployer runs on, as a host. Commands run as child
 * processes (`sh -c`, in their own session so a kill reaches the whole tree); a PTY is
 * provided by util-linux `script`; files use `Deno.*` with atomic writes.
 *
 * Permissions: `--allow-run=sh` for commands (plus `script` for PTY commands and shells,
 * `stty` for resizing them), `--allow-read`/`--allow-write` for the files touched,
 * `--allow-env=HOME,SHELL` for `home()` and `shell()`.
 *
 * @module
 */
import { ConnectionError, DeployerError } from "../errors.ts";
import type {
  ConnectContext,
  Connection,
  ExecOptions,
  FileData,
  PtyRequest,
  RunningCommand,
  Stat,
  TransferOptions,
  WriteFileOptions,
} from "./connection.ts";
import { Host, type HostOptions } from "./host.ts";
import { LocalCommand, type LocalSpawn, ptySpawn, shellQuote } from "./_local_command.ts";
import { LocalFiles } from "./_local_files.ts";
import { Transfers } from "./transfer_abort.ts";

function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env for it
  }
}

/**
 * The {@linkcode Connection} of a {@linkcode LocalHost}: no network, every operation
 * acts on this machine. `close()` kills the commands still running and stops the file
 * transfers in flight.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalConnection } from "./local.ts";
 * const connection = new LocalConnection("local1");
 * let out = "";
 * const command = await connection.exec("echo hi", {
 *   onStdout: (chunk) => out += new TextDecoder().decode(chunk),
 * });
 * await command.closeStdin();
 * assert.equal((await command.status).code, 0);
 * assert.equal(out, "hi\n");
 * await connection.close();
 * ```
 */
export class LocalConnection implements Connection {
  #slug: string;
  #files: LocalFiles;
  #closed = false;
  #running = new Set<LocalCommand>();
  #transfers: Transfers;

  /** Creates a connection for the host named `slug` (used in error messages). */
  constructor(slug: string) {
    this.#slug = slug;
    this.#files = new LocalFiles(slug);
    this.#transfers = new Transfers(slug);
  }

  /** Whether the connection is still usable (until {@linkcode LocalConnection.close}). */
  get alive(): boolean {
    return !this.#closed;
  }

  #start(spawn: LocalSpawn, options: ExecOptions): Promise<RunningCommand> {
    if (this.#closed) {
      return Promise.reject(new ConnectionError(this.#slug, "the connection is closed"));
    }
    let command: LocalCommand;
    try {
      command = new LocalCommand(spawn, options);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? `"${spawn.program}" is not installed`
        : error instanceof Error
        ? error.message
        : String(error);
      return Promise.reject(
        new DeployerError(`Cannot start a command on host "${this.#slug}": ${reason}`, {
          cause: error,
        }),
      );
    }
    this.#running.add(command);
    command.status.finally(() => this.#running.delete(command));
    return Promise.resolve(command);
  }

  /**
   * Runs shell text with `sh -c`; with `options.pty` under a PTY of that size (stdout and
   * stderr then arrive merged on stdout).
   */
  exec(command: string, options: ExecOptions = {}): Promise<RunningCommand> {
    const spawn: LocalSpawn = options.pty
      ? ptySpawn(`exec sh -c ${shellQuote(command)}`, options.pty, envVar("SHELL"))
      : { program: "sh", args: ["-c", command] };
    return this.#start(spawn, options);
  }

  /** Starts `$SHELL -l` (else `/bin/sh -l`) under a PTY. */
  shell(options: ExecOptions & { pty: PtyRequest }): Promise<RunningCommand> {
    const shell = envVar("SHELL");
    const spawn = ptySpawn(`exec ${shellQuote(shell ?? "/bin/sh")} -l`, options.pty, shell);
    return this.#start(spawn, options);
  }

  /** The current working directory of this process. */
  startPath(): Promise<string> {
    return Promise.resolve(Deno.cwd());
  }

  /** `$HOME`, else what `sh` resolves `~` to. */
  async home(): Promise<string> {
    const home = envVar("HOME");
    if (home) return home;
    const out = await new Deno.Command("sh", {
      args: ["-c", "cd ~ && pwd"],
      stdin: "null",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(out.stdout).trim();
    if (!out.success || !path) {
      throw new DeployerError(`Cannot find the home directory on host "${this.#slug}"`);
    }
    return path;
  }

  /**
   * Reads a whole file. An abort of `options.signal` rejects with a `CommandError` (reason
   * `aborted`), closing the connection with a `ConnectionError`.
   */
  readFile(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    return this.#transfers.run(
      `read file ${path}`,
      options.signal,
      (signal) => this.#files.readFile(path, { signal }),
    );
  }

  /**
   * Reads a file as a stream (read it to the end or cancel it); `options.signal`, or
   * closing the connection, errors it.
   */
  readStream(path: string, options: TransferOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#transfers.run(
      `read file ${path}`,
      options.signal,
      (signal) => this.#files.readStream(path, { signal }),
    );
  }

  /**
   * Writes a file atomically (temporary file in the same directory, fsync, chmod, rename).
   * The mode is `options.mode`, else the existing file's, else 0644. An abort of
   * `options.signal` stops it (nothing is replaced, the temporary file is removed) and
   * rejects with a `CommandError` (reason `aborted`).
   */
  writeFile(path: string, data: FileData, options: WriteFileOptions = {}): Promise<void> {
    return this.#transfers.run(
      `write file ${path}`,
      options.signal,
      (signal) => this.#files.writeFile(path, data, { mode: options.mode, signal }),
      data,
    );
  }

  /** Stats a path, following symbolic links unless `lstat` is set. */
  stat(path: string, options?: { lstat?: boolean }): Promise<Stat> {
    return this.#files.stat(path, options);
  }

  /** Lists a directory (sorted by name, entries not followed when they are links). */
  readDir(path: string): Promise<Stat[]> {
    return this.#files.readDir(path);
  }

  /** Removes a file (not a directory). */
  remove(path: string): Promise<void> {
    return this.#files.remove(path);
  }

  /** Renames a file, replacing the target. */
  rename(from: string, to: string): Promise<void> {
    return this.#files.rename(from, to);
  }

  /**
   * Sends `KILL` at once to every command still running (its process group and the
   * processes below it) and starts no more: for a program about to exit. Resolves once the
   * signals are sent, without waiting for the commands to end.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalConnection } from "./local.ts";
   * const connection = new LocalConnection("local1");
   * const command = await connection.exec("trap '' TERM; sleep 60");
   * await connection.killNow();
   * assert.deepEqual(await command.status, { code: null, signal: "KILL" });
   * await connection.close();
   * ```
   */
  async killNow(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#running].map((command) => command.killNow()));
  }

  /**
   * Kills every command still running and stops every file transfer in flight (their
   * temporary files removed), and waits for them to end.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#running];
    for (const command of running) command.kill();
    await Promise.all([...running.map((command) => command.status), this.#transfers.close()]);
  }
}

/**
 * The local machine as a host. Several instances with different slugs are different
 * hosts (each gets its own connection in an `Env`), which is how tests and demos get
 * "many hosts" on one machine.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "./local.ts";
 * const host = new LocalHost({ slug: "local1" });
 * const connection = await host.connect({ interactive: false, confirm: async () => false });
 * assert.equal(host.slug, "local1");
 * assert.ok(connection.alive);
 * await connection.close();
 * ```
 */
export class LocalHost extends Host {
  /** Creates the definition; slug and address default to `localhost`. */
  constructor(options: HostOptions = {}) {
    super({
      ...options,
      slug: options.slug ?? "localhost",
      address: options.address ?? "localhost",
    });
  }

  /** Opens a local connection (nothing to connect to; never fails). */
  connect(_context: ConnectContext): Promise<Connection> {
    return Promise.resolve(new LocalConnection(this.slug));
  }
}

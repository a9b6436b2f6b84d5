/**
 * File operations of a bound host: reads, atomic writes (also through sudo), and
 * `open()` for python-style use. Nothing is written in sandbox mode.
 *
 * @module
 */
import { type CommandInput, sh } from "../command/sh.ts";
import type { FileData } from "./connection.ts";
import type { FileEvent } from "./events.ts";
import { uploadName } from "./file_names.ts";
import type { Host } from "./host.ts";
import type { CommandResult, RunOptions } from "./run.ts";
import type { HostServices } from "./services.ts";
import { abortedTransfer, anySignal } from "./transfer_abort.ts";

export { localFileData } from "./local_file_data.ts";

/**
 * What file operations need of a bound host (a `HostHandle` is one). Kept narrow so this
 * module does not depend on the handle that uses it.
 */
export interface FileTarget {
  /** The host's slug, for events and errors. */
  readonly slug: string;
  /** The host definition, to get its connection. */
  readonly definition: Host;
  /** The environment's services. */
  readonly services: HostServices;
  /** Runs a command with sudo. */
  sudo(command: CommandInput, options?: RunOptions): Promise<CommandResult>;
}

/** Options of file writes. */
export interface WriteOptions {
  /** Write as root: upload to a temporary file, then move it in place with sudo. */
  useSudo?: boolean;
  /** Mode of a new file (an existing file keeps its mode). */
  mode?: number;
  /** The local source path, for logs (`putFile`). */
  localPath?: string;
  /**
   * Stops the write, as the environment's signal does (Ctrl-C): the transfer ends at once,
   * its temporary files are removed, the target stays as it was, and the call rejects with
   * a `CommandError` (reason `aborted`) naming the host and the path.
   */
  signal?: AbortSignal;
}

/** Options of file reads. */
export interface ReadOptions {
  /** Read as root (through `sudo base64`). */
  useSudo?: boolean;
  /** Stops the read, as the environment's signal does (rejects with a `CommandError`). */
  signal?: AbortSignal;
}

/** `"r"` to read, `"w"` to replace. */
export type OpenMode = "r" | "w";

function toData(data: FileData | string): FileData {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

function base64Decode(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ""));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A transfer as errors show it: `(sudo) put file ./app.conf -> /etc/app.conf`. */
function describe(
  operation: "read" | "write" | "put" | "get",
  path: string,
  options: { useSudo?: boolean; localPath?: string },
): string {
  const how = options.useSudo ? "(sudo) " : "";
  if (operation === "put") return `${how}put file ${options.localPath} -> ${path}`;
  if (operation === "get") return `${how}get file ${path} -> ${options.localPath}`;
  return `${how}${operation} file ${path}`;
}

/**
 * Reads a file (with sudo through `base64`). The environment's signal, or
 * `options.signal`, stops it: it rejects with a `CommandError` (reason `aborted`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { readFile } from "./files.ts";
 * import { LocalHost } from "./local.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/motd`, "hello\n");
 *   await using env = new Env({ interactive: false });
 *   const bytes = await readFile(env.host(new LocalHost()), `${dir}/motd`);
 *   assert.equal(new TextDecoder().decode(bytes), "hello\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readFile(
  handle: FileTarget,
  path: string,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  const signal = anySignal(options.signal, handle.services.signal);
  try {
    if (signal?.aborted) throw abortedTransfer(handle.slug, describe("read", path, options));
    let bytes: Uint8Array;
    if (options.useSudo) {
      const r = await handle.sudo(sh`base64 < ${path}`, {
        silent: true,
        sandbox: false,
        signal: options.signal,
      });
      bytes = base64Decode(r.stdout);
    } else {
      const connection = await handle.services.connection(handle.definition);
      bytes = await connection.readFile(path, { signal });
    }
    handle.services.emit(fileEvent(handle, "read", path, {
      bytes: bytes.length,
      ok: true,
      sudo: options.useSudo,
    }));
    return bytes;
  } catch (caught) {
    const error = signal?.aborted
      ? abortedTransfer(handle.slug, describe("read", path, options), caught)
      : caught;
    handle.services.emit(
      fileEvent(handle, "read", path, { ok: false, error, sudo: options.useSudo }),
    );
    throw error;
  }
}

/**
 * Writes a file atomically. With `useSudo` the data is uploaded to a private temporary
 * file and moved in place by root, keeping an existing file's owner and mode. The
 * environment's signal (Ctrl-C), or `options.signal`, stops it: the transfer ends, no
 * temporary file is left, the target stays as it was, and it rejects with a `CommandError`
 * (reason `aborted`) naming the host and the path.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { writeFile } from "./files.ts";
 * import { LocalHost } from "./local.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using env = new Env({ interactive: false });
 *   await writeFile(env.host(new LocalHost()), `${dir}/motd`, "hello\n", { mode: 0o600 });
 *   assert.equal(await Deno.readTextFile(`${dir}/motd`), "hello\n");
 *   assert.equal((await Deno.stat(`${dir}/motd`)).mode! & 0o777, 0o600);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function writeFile(
  handle: FileTarget,
  path: string,
  data: FileData | string,
  options: WriteOptions = {},
): Promise<void> {
  const operation = options.localPath ? "put" : "write";
  const services = handle.services;
  const what = describe(operation, path, options);
  const signal = anySignal(options.signal, services.signal);
  const event = { localPath: options.localPath, sudo: options.useSudo };
  if (signal?.aborted) {
    // Nothing was started: nothing can be left behind.
    if (data instanceof ReadableStream) await data.cancel().catch(() => {});
    const error = abortedTransfer(handle.slug, what);
    services.emit(fileEvent(handle, operation, path, { ...event, ok: false, error }));
    throw error;
  }
  if (services.sandbox) {
    if (data instanceof ReadableStream) await data.cancel();
    services.recordPlan(
      handle.slug,
      `${options.useSudo ? "(sudo) " : ""}write file ${path}`,
      options.useSudo ? { user: "root" } : {},
    );
    services.emit(
      fileEvent(handle, operation, path, { ...options, ok: true, sudo: options.useSudo }),
    );
    return;
  }
  const connection = await services.connection(handle.definition).catch((error) => {
    throw signal?.aborted ? abortedTransfer(handle.slug, what, error) : error;
  });
  let bytes: number | undefined = typeof data === "string"
    ? new TextEncoder().encode(data).length
    : data instanceof Uint8Array
    ? data.length
    : undefined;
  try {
    if (!options.useSudo) {
      await connection.writeFile(path, toData(data), { mode: options.mode, signal });
    } else {
      const home = await connection.home();
      // A recognisable name: left behind by a dropped connection, it is removed later.
      const temp = `${home}/${uploadName()}`;
      await connection.writeFile(temp, toData(data), { mode: 0o600, signal });
      try {
        await handle.sudo(installCommand(temp, path, options.mode), {
          silent: true,
          sandbox: false,
          signal: options.signal,
        });
      } finally {
        await connection.remove(temp).catch(() => {});
      }
    }
    bytes ??= (await connection.stat(path).catch(() => undefined))?.size;
    services.emit(fileEvent(handle, operation, path, { ...event, bytes, ok: true }));
  } catch (caught) {
    const error = signal?.aborted ? abortedTransfer(handle.slug, what, caught) : caught;
    services.emit(fileEvent(handle, operation, path, { ...event, ok: false, error }));
    throw error;
  }
}

function installCommand(temp: string, target: string, mode: number | undefined) {
  // Copy into a fresh temporary file next to the target (mktemp: no predictable name;
  // a short name, as the target's own may be up to NAME_MAX long),
  // give it the target's owner and mode (or root and the new mode; an explicit mode
  // always wins), then rename it over the target: replaced whole or not at all.
  const script = 'set -e; t="$1"; if [ -L "$t" ]; then t="$(readlink -f "$t")"; fi; ' +
    'n="$(mktemp "$(dirname "$t")/.deployer-tmp-XXXXXXXX")"; ' +
    `trap 'rm -f "$n"' EXIT; trap 'exit 143' HUP INT TERM; cat "$2" > "$n"; ` +
    'if [ -e "$t" ]; then chown --reference="$t" "$n"; chmod --reference="$t" "$n"; ' +
    'else chmod 644 "$n"; fi; if [ -n "$3" ]; then chmod "$3" "$n"; fi; ' +
    'mv -f "$n" "$t"; trap - EXIT HUP INT TERM';
  const octal = mode === undefined ? "" : mode.toString(8);
  return sh`sh -c ${script} deployer-install ${target} ${temp} ${octal}`;
}

/** A file opened with `open()`. */
export interface RemoteFile {
  /** The absolute path. */
  readonly path: string;
  /** Reads the whole file as text (read mode). */
  read(): Promise<string>;
  /** Reads the whole file (read mode). */
  readBytes(): Promise<Uint8Array>;
  /** Appends data to what will be written (write mode). */
  write(data: string | Uint8Array): void;
  /** Write mode: replaces the file atomically with everything written. */
  close(): Promise<void>;
}

/**
 * Opens a file for reading, or for an atomic replacement on `close()`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { openFile } from "./files.ts";
 * import { LocalHost } from "./local.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using env = new Env({ interactive: false });
 *   const host = env.host(new LocalHost());
 *   const out = await openFile(host, `${dir}/hosts`, "w");
 *   out.write("10.0.0.11 web1\n");
 *   out.write("10.0.0.12 web2\n");
 *   await out.close(); // the file appears now, complete
 *   const back = await openFile(host, `${dir}/hosts`, "r");
 *   assert.equal(await back.read(), "10.0.0.11 web1\n10.0.0.12 web2\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function openFile(
  handle: FileTarget,
  path: string,
  mode: OpenMode,
  options: WriteOptions = {},
): Promise<RemoteFile> {
  const chunks: Uint8Array[] = [];
  let closed = false;
  const check = (want: OpenMode) => {
    if (closed) throw new Error(`Cannot use closed remote file ${path} on host "${handle.slug}"`);
    if (mode !== want) {
      throw new Error(
        `Remote file ${path} is not open for ${want === "r" ? "reading" : "writing"}`,
      );
    }
  };
  const file: RemoteFile = {
    path,
    async read() {
      return new TextDecoder().decode(await file.readBytes());
    },
    async readBytes() {
      check("r");
      return await readFile(handle, path, options);
    },
    write(data) {
      check("w");
      chunks.push(typeof data === "string" ? new TextEncoder().encode(data) : data);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (mode !== "w") return;
      const size = chunks.reduce((n, c) => n + c.length, 0);
      const all = new Uint8Array(size);
      let offset = 0;
      for (const c of chunks) {
        all.set(c, offset);
        offset += c.length;
      }
      await writeFile(handle, path, all, options);
    },
  };
  return Promise.resolve(file);
}

/**
 * Builds the `file` event of an operation on a host.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileEvent } from "./files.ts";
 * const host = { slug: "web1", services: { sandbox: false } };
 * const event = fileEvent(host, "read", "/etc/hosts", { bytes: 3, ok: true });
 * assert.equal(event.host, "web1");
 * assert.equal(event.sudo, false);
 * ```
 */
export function fileEvent(
  handle: { readonly slug: string; readonly services: Pick<HostServices, "sandbox"> },
  operation: "read" | "write" | "put" | "get",
  path: string,
  extra: { localPath?: string; bytes?: number; ok: boolean; error?: unknown; sudo?: boolean },
): FileEvent {
  return {
    type: "file",
    host: handle.slug,
    operation,
    path,
    localPath: extra.localPath,
    sudo: extra.sudo ?? false,
    sandbox: handle.services.sandbox,
    bytes: extra.bytes,
    ok: extra.ok,
    error: extra.error === undefined
      ? undefined
      : extra.error instanceof Error
      ? extra.error.message
      : String(extra.error),
  };
}

/**
 * File operations over one SFTP session: pipelined reads, atomic writes (temporary file +
 * `posix-rename@openssh.com`, in `sftp_upload.ts`), stat / readDir mapped to
 * {@linkcode Stat}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
// @ts-types="npm:@types/ssh2@1.15.6"
import type { Attributes, SFTPWrapper } from "npm:ssh2@1.17.0";
import { ConnectionError, DeployerError } from "../../errors.ts";
import type { FileData, Stat, TransferOptions, WriteFileOptions } from "../connection.ts";
import { isStaleTemp, refuseNul } from "../file_names.ts";
import { abortableStream } from "../transfer_abort.ts";
import { canStream, type Exec, streamFile } from "./channel_upload.ts";
import { installChaChaPoly } from "./ssh2_chacha.ts";
import { ChannelBusyError, SftpGuard, sftpOp } from "./sftp_guard.ts";
import { removeTemps, replaceFile, writeAtomic } from "./sftp_upload.ts";

export { sftpError } from "./sftp_guard.ts";

/** Read size and requests in flight of `readFile`. */
const READ_CHUNK = 64 * 1024;
const READ_DEPTH = 32;
const S_IFMT = 0o170000;

/**
 * Converts SFTP attributes to a {@linkcode Stat}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toStat } from "./sftp.ts";
 * const s = toStat("a.txt", { mode: 0o100644, size: 3, uid: 0, gid: 0, atime: 0, mtime: 60 });
 * assert.ok(s.isFile);
 * assert.equal(s.mtime.getTime(), 60000);
 * ```
 */
export function toStat(filename: string, attrs: Attributes): Stat {
  const type = attrs.mode & S_IFMT;
  return {
    filename,
    size: attrs.size,
    uid: attrs.uid,
    gid: attrs.gid,
    mode: attrs.mode,
    isDir: type === 0o040000,
    isFile: type === 0o100000,
    isSymlink: type === 0o120000,
    mtime: new Date(attrs.mtime * 1000),
  };
}

/**
 * The error of a temporary file the shell could not create as the kind SFTP's create gives
 * (dash and bash word it differently): NotFound, PermissionDenied, or `error` itself.
 */
function createError(error: unknown): unknown {
  if (!(error instanceof DeployerError)) return error;
  const why = error.message.split(": ").pop() ?? "";
  if (/^(Directory nonexistent|No such file or directory)$/.test(why)) {
    return new Deno.errors.NotFound(error.message, { cause: error });
  }
  if (why === "Permission denied") {
    return new Deno.errors.PermissionDenied(error.message, { cause: error });
  }
  return error;
}

/**
 * Reads a whole file with up to READ_DEPTH reads in flight. When `signal` aborts, no more
 * reads are sent: it rejects with the reason once those in flight are answered.
 */
async function readAll(
  guard: SftpGuard,
  sftp: SFTPWrapper,
  handle: Buffer,
  size: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const result = Buffer.alloc(size);
  const reads: Promise<number>[] = [];
  const readAt = (position: number, length: number): Promise<number> =>
    guard.call<number>((cb) => sftp.read(handle, result, position, length, position, cb))
      .then((n) => (n > 0 && n < length ? readAt(position + n, length - n).then((m) => n + m) : n));
  let total = 0;
  for (let at = 0; at < size; at += READ_CHUNK * READ_DEPTH) {
    signal?.throwIfAborted();
    for (let p = at; p < Math.min(size, at + READ_CHUNK * READ_DEPTH); p += READ_CHUNK) {
      reads.push(readAt(p, Math.min(READ_CHUNK, size - p)));
    }
    total += (await Promise.all(reads.splice(0))).reduce((a, b) => a + b, 0);
  }
  const out = new Uint8Array(result.buffer, result.byteOffset, total);
  if (total < size) return out;
  // The file may have grown since fstat: read on until EOF.
  const more: Uint8Array[] = [out];
  for (let position = size;;) {
    signal?.throwIfAborted();
    const buffer = Buffer.alloc(READ_CHUNK);
    const n = await guard.call<number>((cb) =>
      sftp.read(handle, buffer, 0, READ_CHUNK, position, cb)
    )
      .catch((error) => {
        if (error instanceof ConnectionError) throw error;
        return 0; // end of file
      });
    if (!n) break;
    more.push(buffer.subarray(0, n));
    position += n;
  }
  return more.length === 1 ? out : new Uint8Array(Buffer.concat(more));
}

/**
 * The file operations of an SSH connection, over one SFTP session.
 *
 * @example Usage
 * ```ts
 * // Illustrative: needs the SFTP session of a live SSH connection, so this is type-checked,
 * // not run.
 * // @ts-types="npm:@types/ssh2@1.15.6"
 * import type { SFTPWrapper } from "npm:ssh2@1.17.0";
 * import { SftpFiles } from "./sftp.ts";
 * async function upload(sftp: SFTPWrapper): Promise<number> {
 *   const files = new SftpFiles(sftp, "web1");
 *   await files.writeFile("/tmp/motd", new TextEncoder().encode("hello\n"));
 *   return (await files.stat("/tmp/motd")).size; // 6
 * }
 * ```
 */
export class SftpFiles {
  #sftp: SFTPWrapper;
  #host: string;
  readonly #guard = new SftpGuard();
  readonly #temps: Set<string>;
  readonly #swept = new Map<string, Promise<void>>();
  readonly #exec: Exec | undefined;
  #streams: Promise<boolean> | undefined;

  /**
   * Wraps an open SFTP session of host `host` (its slug, for messages). `temps` holds the
   * temporary files of writes in progress; a write that cannot remove its temporary file
   * (the connection was lost) leaves it there, for {@linkcode SftpFiles.removeLeftovers}
   * on the next session. With `exec` (the connection's, failing with
   * {@linkcode ChannelBusyError} when no channel is free at once), the bytes of large writes
   * go through `cat` on an exec channel when the server has it (asked once per session).
   */
  constructor(sftp: SFTPWrapper, host: string, temps: Set<string> = new Set(), exec?: Exec) {
    this.#sftp = sftp;
    this.#host = host;
    this.#temps = temps;
    this.#exec = exec;
    // File transfers make most of a connection's packets: no garbage per packet (from
    // the next packet on; a failure leaves ssh2's own methods).
    installChaChaPoly().catch(() => {});
    const lost = () => this.fail(new ConnectionError(host, "the SFTP session ended"));
    sftp.on("close", lost);
    sftp.on("end", lost);
  }

  /**
   * Fails every operation in flight, and every later one, with `error` (the connection
   * was lost: ssh2 would never call them back).
   */
  fail(error: Error): void {
    this.#guard.fail(error);
  }

  /**
   * Removes the temporary files that writes of an earlier session left behind (the
   * connection dropped mid-upload). Failures are ignored: the file may be gone already.
   */
  removeLeftovers(): Promise<void> {
    return removeTemps(this.#guard, this.#sftp, this.#temps);
  }

  /**
   * Removes, once per directory and session, temporary files older than an hour that
   * interrupted writes (of any run) left in `dir`.
   */
  #sweep(dir: string): Promise<void> {
    let sweeping = this.#swept.get(dir);
    if (!sweeping) {
      const sftp = this.#sftp;
      sweeping = this.readDir(dir).then(async (entries) => {
        const now = Date.now();
        const stale = entries.filter((e) => isStaleTemp(e, now));
        await Promise.all(
          stale.map((e) =>
            this.#guard.callVoid((cb) =>
              sftp.unlink(`${dir}${dir.endsWith("/") ? "" : "/"}${e.filename}`, cb)
            )
              .catch(() => {})
          ),
        );
      }).catch(() => {});
      this.#swept.set(dir, sweeping);
    }
    return sweeping;
  }

  /**
   * `cat` on an exec channel for the bytes of large writes, when the server has it. `exec`
   * fails with {@linkcode ChannelBusyError} at once when no channel is free: the write then
   * goes as SFTP writes (a command that waits for the file must not block it).
   */
  async #streamer(): Promise<
    | ((path: string, data: FileData, tail: Uint8Array, signal?: AbortSignal) => Promise<boolean>)
    | undefined
  > {
    const exec = this.#exec;
    if (!exec) return undefined;
    let busy = false;
    const probing =
      (this.#streams ??= canStream((command, options) =>
        exec(command, options).catch((error) => {
          busy ||= error instanceof ChannelBusyError;
          throw error;
        })
      ));
    const streams = await probing;
    // Not known yet: asked again by the next large write.
    if (busy && this.#streams === probing) this.#streams = undefined;
    if (!streams) return undefined;
    return async (path, data, tail, signal) => {
      try {
        await streamFile(exec, this.#host, path, data, tail, signal);
        return true;
      } catch (error) {
        if (error instanceof ChannelBusyError) return false;
        throw createError(error);
      }
    };
  }

  #op<T>(op: string, path: string, fn: () => Promise<T>): Promise<T> {
    return sftpOp(this.#host, op, path, fn);
  }

  /** The absolute form of `path` (`realpath`). */
  realpath(path: string): Promise<string> {
    return this.#op(
      "resolve",
      path,
      () => this.#guard.call<string>((cb) => this.#sftp.realpath(path, cb)),
    );
  }

  /**
   * Reads a whole file. When `options.signal` aborts, no more reads are sent and it rejects
   * with the signal's reason.
   */
  async readFile(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    const { signal } = options;
    const sftp = this.#sftp;
    try {
      return await this.#op("read", path, async () => {
        signal?.throwIfAborted();
        const handle = await this.#guard.call<Buffer>((cb) => sftp.open(path, "r", cb));
        try {
          const attrs = await this.#guard.call<Attributes>((cb) => sftp.fstat(handle, cb));
          return await readAll(this.#guard, sftp, handle, attrs.size, signal);
        } finally {
          await this.#guard.callVoid((cb) => sftp.close(handle, cb)).catch(() => {});
        }
      });
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    }
  }

  /**
   * Reads a file as a stream. When `options.signal` aborts, the stream errors with the
   * signal's reason and the remote file is closed.
   */
  async readStream(
    path: string,
    options: TransferOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    await this.stat(path); // also refuses a NUL byte
    options.signal?.throwIfAborted();
    const stream = this.#sftp.createReadStream(path, { highWaterMark: 256 * 1024 });
    const web = Readable.toWeb(stream as unknown as Readable) as unknown as ReadableStream<
      Uint8Array
    >;
    return abortableStream(web, options.signal);
  }

  /**
   * Writes atomically through `.<name>.deployer-tmp-<random>` in the same directory. The
   * mode is `options.mode`, else the existing file's mode, else 0644. The first write to
   * a directory also removes stale temporary files there (see `file_names.ts`). When
   * `options.signal` aborts, it stops, removes the temporary file, leaves the target as it
   * was and rejects with the signal's reason.
   */
  writeFile(target: string, data: FileData, options: WriteFileOptions = {}): Promise<void> {
    const session = {
      sftp: this.#sftp,
      host: this.#host,
      guard: this.#guard,
      temps: this.#temps,
      sweep: (dir: string) => this.#sweep(dir),
      streamer: () => this.#streamer(),
    };
    return writeAtomic(session, target, data, options);
  }

  /** Stats a path (following links unless `lstat`). */
  stat(path: string, options: { lstat?: boolean } = {}): Promise<Stat> {
    const sftp = this.#sftp;
    return this.#op("stat", path, async () => {
      const attrs = await this.#guard.call<Attributes>((cb) =>
        options.lstat ? sftp.lstat(path, cb) : sftp.stat(path, cb)
      );
      return toStat(path.replace(/\/+$/, "").split("/").pop() || path, attrs);
    });
  }

  /** Lists a directory, sorted by name, without `.` and `..`. */
  readDir(path: string): Promise<Stat[]> {
    const sftp = this.#sftp;
    return this.#op("list", path, async () => {
      const list = await this.#guard.call<{ filename: string; attrs: Attributes }[]>((cb) =>
        sftp.readdir(path, cb)
      );
      return list.filter((e) => e.filename !== "." && e.filename !== "..")
        .map((e) => toStat(e.filename, e.attrs))
        .sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    });
  }

  /** Removes a file. */
  remove(path: string): Promise<void> {
    const sftp = this.#sftp;
    return this.#op("remove", path, () => this.#guard.callVoid((cb) => sftp.unlink(path, cb)));
  }

  /** Renames a file, replacing the target. */
  async rename(from: string, to: string): Promise<void> {
    refuseNul(this.#host, "rename to", to);
    return await this.#op("rename", from, () => replaceFile(this.#guard, this.#sftp, from, to));
  }
}

/**
 * File operations over one SFTP session: pipelined reads and writes, atomic writes
 * (temporary file + `posix-rename@openssh.com`), stat / readDir mapped to {@linkcode Stat}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
// @ts-types="npm:@types/ssh2@1.15.6"
import type { Attributes, SFTPWrapper } from "npm:ssh2@1.17.0";
import { ConnectionError, DeployerError } from "../../errors.ts";
import type { FileData, Stat } from "../connection.ts";
import { dirOf, isStaleTemp, refuseNul, tempPath } from "../file_names.ts";

/**
 * Bytes per SFTP write request: below ssh2's largest write to OpenSSH (254 KiB; a larger one
 * is split into requests sent one after the other), and a divisor of the 1 MiB pieces that
 * `putFile` reads, so those are sent without a copy.
 */
const CHUNK = 128 * 1024;
/** Write requests in flight: 4 MiB, twice OpenSSH's channel window, so the link never idles. */
const DEPTH = 32;
/** Read size and requests in flight of `readFile`. */
const READ_CHUNK = 64 * 1024;
const READ_DEPTH = 32;
const S_IFMT = 0o170000;

/**
 * Maps an SFTP failure to an error naming the host, the operation and the path:
 * `Deno.errors.NotFound`, `Deno.errors.PermissionDenied`, or {@linkcode DeployerError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sftpError } from "./sftp.ts";
 * const noSuchFile = Object.assign(new Error("No such file"), { code: 2 });
 * const error = sftpError("web1", "stat", "/nope", noSuchFile);
 * assert.ok(error instanceof Deno.errors.NotFound);
 * ```
 */
export function sftpError(host: string, op: string, path: string, error: unknown): Error {
  const e = error as { code?: number; message?: string };
  const message = `Cannot ${op} "${path}" on host "${host}": ${e?.message ?? String(error)}`;
  if (e?.code === 2) return new Deno.errors.NotFound(message, { cause: error });
  if (e?.code === 3) return new Deno.errors.PermissionDenied(message, { cause: error });
  return new DeployerError(message, { cause: error });
}

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

/** Whether an SFTP request failed with the server's answer (a status code), not a loss. */
function answered(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === "number";
}

/**
 * Callback-style SFTP calls as promises that also reject when the session is lost:
 * ssh2 never calls back requests that were in flight when a connection drops.
 */
class Guard {
  #dead: Error | undefined;
  readonly #pending = new Set<(error: Error) => void>();

  /** Rejects every pending call, and every later one, with `error`. */
  fail(error: Error): void {
    if (this.#dead) return;
    this.#dead = error;
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }

  call<T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      fn((error, value) => {
        this.#pending.delete(reject);
        if (error) reject(error);
        else resolve(value);
      });
    });
  }

  callVoid(fn: (cb: (error?: Error | null) => void) => void): Promise<void> {
    return this.call<void>((cb) => fn((error) => cb(error, undefined)));
  }
}

/**
 * Cuts `data` into pieces of CHUNK bytes (the last may be shorter). Whole pieces of the
 * source are passed on as views; only pieces that straddle two source chunks are copied.
 * (Not reused: ssh2 keeps a write's buffer while it splits a write larger than the server's
 * limit into several requests.)
 */
async function* pieces(data: FileData): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) {
    for (let at = 0; at < data.length; at += CHUNK) yield data.subarray(at, at + CHUNK);
    return;
  }
  let carry: Uint8Array | undefined;
  let held = 0;
  for await (const chunk of data) {
    let at = 0;
    if (held) {
      const n = Math.min(CHUNK - held, chunk.length);
      carry!.set(chunk.subarray(0, n), held);
      held += n;
      at = n;
      if (held < CHUNK) continue;
      yield carry!;
      carry = undefined;
      held = 0;
    }
    for (; chunk.length - at >= CHUNK; at += CHUNK) yield chunk.subarray(at, at + CHUNK);
    if (at < chunk.length) {
      carry ??= new Uint8Array(CHUNK);
      carry.set(chunk.subarray(at));
      held = chunk.length - at;
    }
  }
  if (held) yield carry!.subarray(0, held);
}

/**
 * Writes every piece of `data` to an open handle, keeping up to DEPTH writes in flight. The
 * next piece is read only when a slot is free, so a stream is pulled no faster than the
 * server takes it: memory stays bounded by DEPTH pieces (plus ssh2's copies of them).
 */
async function writeAll(
  guard: Guard,
  sftp: SFTPWrapper,
  handle: Buffer,
  data: FileData,
  remoteError: (error: unknown) => Error,
): Promise<number> {
  let position = 0;
  let inflight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settle = () => {
    inflight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const wait = () => new Promise<void>((resolve) => (wake = resolve));
  try {
    for await (const piece of pieces(data)) {
      while (inflight >= DEPTH && !failure) await wait();
      if (failure) break;
      const buffer = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      inflight++;
      guard.callVoid((cb) => sftp.write(handle, buffer, 0, buffer.length, position, cb)).then(
        settle,
        (error) => {
          // A write the server refused, or a lost connection; errors of the data source
          // itself are thrown as they are by the loop.
          failure ??= error instanceof ConnectionError ? error : remoteError(error);
          settle();
        },
      );
      position += buffer.length;
    }
  } finally {
    while (inflight > 0) await wait();
  }
  if (failure) throw failure;
  return position;
}

/** Reads a whole file with up to READ_DEPTH reads in flight. */
async function readAll(
  guard: Guard,
  sftp: SFTPWrapper,
  handle: Buffer,
  size: number,
): Promise<Uint8Array> {
  const result = Buffer.alloc(size);
  const reads: Promise<number>[] = [];
  const readAt = (position: number, length: number): Promise<number> =>
    guard.call<number>((cb) => sftp.read(handle, result, position, length, position, cb))
      .then((n) => (n > 0 && n < length ? readAt(position + n, length - n).then((m) => n + m) : n));
  let total = 0;
  for (let at = 0; at < size; at += READ_CHUNK * READ_DEPTH) {
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
  readonly #guard = new Guard();
  readonly #temps: Set<string>;
  readonly #swept = new Map<string, Promise<void>>();

  /**
   * Wraps an open SFTP session of host `host` (its slug, for messages). `temps` holds the
   * temporary files of writes in progress; a write that cannot remove its temporary file
   * (the connection was lost) leaves it there, for {@linkcode SftpFiles.removeLeftovers}
   * on the next session.
   */
  constructor(sftp: SFTPWrapper, host: string, temps: Set<string> = new Set()) {
    this.#sftp = sftp;
    this.#host = host;
    this.#temps = temps;
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
  async removeLeftovers(): Promise<void> {
    const sftp = this.#sftp;
    await Promise.all([...this.#temps].map(async (temp) => {
      await this.#guard.callVoid((cb) => sftp.unlink(temp, cb)).then(
        () => this.#temps.delete(temp),
        (error) => answered(error) && this.#temps.delete(temp),
      );
    }));
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

  async #op<T>(op: string, path: string, fn: () => Promise<T>): Promise<T> {
    refuseNul(this.#host, op, path);
    try {
      return await fn();
    } catch (error) {
      throw sftpError(this.#host, op, path, error);
    }
  }

  /** The absolute form of `path` (`realpath`). */
  realpath(path: string): Promise<string> {
    return this.#op(
      "resolve",
      path,
      () => this.#guard.call<string>((cb) => this.#sftp.realpath(path, cb)),
    );
  }

  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array> {
    const sftp = this.#sftp;
    return this.#op("read", path, async () => {
      const handle = await this.#guard.call<Buffer>((cb) => sftp.open(path, "r", cb));
      try {
        const attrs = await this.#guard.call<Attributes>((cb) => sftp.fstat(handle, cb));
        return await readAll(this.#guard, sftp, handle, attrs.size);
      } finally {
        await this.#guard.callVoid((cb) => sftp.close(handle, cb)).catch(() => {});
      }
    });
  }

  /** Reads a file as a stream. */
  async readStream(path: string): Promise<ReadableStream<Uint8Array>> {
    await this.stat(path); // also refuses a NUL byte
    const stream = this.#sftp.createReadStream(path, { highWaterMark: 256 * 1024 });
    return Readable.toWeb(stream as unknown as Readable) as unknown as ReadableStream<Uint8Array>;
  }

  /**
   * Writes atomically through `.<name>.deployer-tmp-<random>` in the same directory. The
   * mode is `options.mode`, else the existing file's mode, else 0644. The first write to
   * a directory also removes stale temporary files there (see `file_names.ts`).
   */
  async writeFile(target: string, data: FileData, options: { mode?: number } = {}): Promise<void> {
    const sftp = this.#sftp;
    try {
      refuseNul(this.#host, "write", target);
    } catch (error) {
      if (data instanceof ReadableStream) await data.cancel().catch(() => {});
      throw error;
    }
    // A symbolic link is written through (the file it points to is replaced), as locally.
    const link = await this.#guard.call<Attributes>((cb) => sftp.lstat(target, cb))
      .catch(() => undefined);
    const isLink = !!link && (link.mode & S_IFMT) === 0o120000;
    const path = isLink
      ? await this.#guard.call<string>((cb) => sftp.realpath(target, cb)).catch(() => target)
      : target;
    const temp = tempPath(path);
    const sweeping = this.#sweep(dirOf(path));
    // lstat already describes a target that is not a link: one round trip less per file.
    const existing = link && !isLink
      ? link
      : await this.#guard.call<Attributes>((cb) => sftp.stat(path, cb)).catch(() => undefined);
    const mode = options.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
    let handle: Buffer | undefined;
    try {
      this.#temps.add(temp);
      handle = await this.#op(
        "create",
        temp,
        () => this.#guard.call<Buffer>((cb) => sftp.open(temp, "wx", { mode }, cb)),
      );
      const written = handle;
      // Sent ahead of the data (the server answers in order): no round trip of its own.
      const chmod = this.#op(
        "chmod",
        temp,
        () => this.#guard.callVoid((cb) => sftp.fchmod(written, mode, cb)),
      );
      chmod.catch(() => {}); // awaited below, unless a write fails first
      await writeAll(
        this.#guard,
        sftp,
        written,
        data,
        (e) => sftpError(this.#host, "write", temp, e),
      );
      await chmod;
      const h = handle;
      handle = undefined;
      await this.#op("write", temp, () => this.#guard.callVoid((cb) => sftp.close(h, cb)));
      await this.#op("rename", path, () => this.#replace(temp, path));
      this.#temps.delete(temp);
    } catch (error) {
      if (data instanceof ReadableStream) await data.cancel().catch(() => {});
      if (handle) await this.#guard.callVoid((cb) => sftp.close(handle!, cb)).catch(() => {});
      // Kept in `temps` when the connection is lost: the next session removes it.
      await this.#guard.callVoid((cb) => sftp.unlink(temp, cb)).then(
        () => this.#temps.delete(temp),
        (e) => answered(e) && this.#temps.delete(temp),
      );
      throw error;
    } finally {
      await sweeping;
    }
  }

  #replace(from: string, to: string): Promise<void> {
    const sftp = this.#sftp;
    return this.#guard.callVoid((cb) => sftp.ext_openssh_rename(from, to, cb)).catch(
      async (error) => {
        // Only for servers without the extension (plain rename fails when the target
        // exists); any other failure must not touch the target.
        if (!/not support/i.test(String(error?.message))) throw error;
        await this.#guard.callVoid((cb) => sftp.unlink(to, cb)).catch(() => {});
        await this.#guard.callVoid((cb) => sftp.rename(from, to, cb));
      },
    );
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
    return await this.#op("rename", from, () => this.#replace(from, to));
  }
}

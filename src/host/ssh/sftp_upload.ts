/**
 * Atomic, pipelined writes over SFTP: the data goes to a temporary file in the target's
 * directory (many write requests in flight), gets its mode, and replaces the target with
 * `posix-rename@openssh.com`. Temporary files a lost connection leaves behind are
 * remembered, and removed by the next session.
 *
 * @module
 */
import { Buffer } from "node:buffer";
// @ts-types="npm:@types/ssh2@1.15.6"
import type { Attributes, SFTPWrapper } from "npm:ssh2@1.17.0";
import { ConnectionError, DeployerError } from "../../errors.ts";
import type { FileData, WriteFileOptions } from "../connection.ts";
import { dirOf, refuseNul, tempPath } from "../file_names.ts";
import { abortableData } from "../transfer_abort.ts";
import { answered, sftpError, type SftpGuard, sftpOp } from "./sftp_guard.ts";

/** Data from this size on (and every stream) goes through {@linkcode UploadSession.streamer}. */
const STREAM_FROM = 1024 * 1024;

/**
 * Bytes per SFTP write request: below ssh2's largest write to OpenSSH (254 KiB; a larger one
 * is split into requests sent one after the other), and a divisor of the 1 MiB pieces that
 * `putFile` reads, so those are sent without a copy.
 */
const CHUNK = 128 * 1024;
/** Write requests in flight: 4 MiB, twice OpenSSH's channel window, so the link never idles. */
const DEPTH = 32;
const S_IFMT = 0o170000;

/**
 * What an atomic write needs of its SFTP session.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * // @ts-types="npm:@types/ssh2@1.15.6"
 * import type { SFTPWrapper } from "npm:ssh2@1.17.0";
 * import { SftpGuard } from "./sftp_guard.ts";
 * import type { UploadSession } from "./sftp_upload.ts";
 * const session: UploadSession = {
 *   sftp: {} as SFTPWrapper, // the session's ssh2 SFTP channel
 *   host: "web1",
 *   guard: new SftpGuard(),
 *   temps: new Set(),
 *   sweep: () => Promise.resolve(),
 *   streamer: () => Promise.resolve(undefined), // SFTP writes only
 * };
 * assert.equal(session.temps.size, 0);
 * ```
 */
export interface UploadSession {
  /** The open SFTP session. */
  readonly sftp: SFTPWrapper;
  /** The host's slug, for messages. */
  readonly host: string;
  /** Fails the session's calls when the connection is lost. */
  readonly guard: SftpGuard;
  /** The temporary files of writes in progress, or left behind by a lost connection. */
  readonly temps: Set<string>;
  /** Removes stale temporary files from a directory (once per directory and session). */
  sweep(dir: string): Promise<void>;
  /**
   * How to send a large upload's bytes outside SFTP (`channel_upload.ts`: `cat` on an exec
   * channel): a function that creates the file `path` (0600, never through a link) and writes
   * `data` and then `tail` into it, resolving true; false when no channel was free at once
   * (nothing read or created). Undefined when the server cannot: then the bytes go as SFTP
   * writes. An abort of `signal` stops it (its `cat` ended) and rejects with the reason.
   */
  streamer(): Promise<
    | ((path: string, data: FileData, tail: Uint8Array, signal?: AbortSignal) => Promise<boolean>)
    | undefined
  >;
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
 * server takes it: memory stays bounded by DEPTH pieces (plus ssh2's copies of them). When
 * `signal` aborts, no more pieces are sent; it rejects with the reason once the writes in
 * flight are answered.
 */
async function writeAll(
  guard: SftpGuard,
  sftp: SFTPWrapper,
  handle: Buffer,
  data: FileData,
  remoteError: (error: unknown) => Error,
  signal?: AbortSignal,
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
      if (failure || signal?.aborted) break;
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
  signal?.throwIfAborted();
  if (failure) throw failure;
  return position;
}

/**
 * Removes the temporary files in `temps` (left by writes of an earlier session whose
 * connection dropped mid-upload). Failures are ignored: the file may be gone already. A
 * file stays in `temps` only when this session is lost too.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * // @ts-types="npm:@types/ssh2@1.15.6"
 * import type { SFTPWrapper } from "npm:ssh2@1.17.0";
 * import { SftpGuard } from "./sftp_guard.ts";
 * import { removeTemps } from "./sftp_upload.ts";
 * const removed: string[] = [];
 * // A stand-in for the session: the one call this function makes.
 * const sftp = {
 *   unlink: (path: string, cb: (error?: Error) => void) => (removed.push(path), cb()),
 * } as unknown as SFTPWrapper;
 * const temps = new Set(["/srv/.a.deployer-tmp-1"]);
 * await removeTemps(new SftpGuard(), sftp, temps);
 * assert.deepEqual(removed, ["/srv/.a.deployer-tmp-1"]);
 * assert.equal(temps.size, 0);
 * ```
 */
export async function removeTemps(
  guard: SftpGuard,
  sftp: SFTPWrapper,
  temps: Set<string>,
): Promise<void> {
  await Promise.all([...temps].map(async (temp) => {
    await guard.callVoid((cb) => sftp.unlink(temp, cb)).then(
      () => temps.delete(temp),
      (error) => answered(error) && temps.delete(temp),
    );
  }));
}

/**
 * Renames `from` to `to`, replacing `to` (`posix-rename@openssh.com`; on a server without
 * that extension, removes `to` first and renames).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * // @ts-types="npm:@types/ssh2@1.15.6"
 * import type { SFTPWrapper } from "npm:ssh2@1.17.0";
 * import { SftpGuard } from "./sftp_guard.ts";
 * import { replaceFile } from "./sftp_upload.ts";
 * const calls: string[] = [];
 * // A stand-in for a server without the extension.
 * const sftp = {
 *   ext_openssh_rename: (_f: string, _t: string, cb: (error?: Error) => void) =>
 *     cb(new Error("Server does not support this extended request")),
 *   unlink: (path: string, cb: (error?: Error) => void) => (calls.push(`rm ${path}`), cb()),
 *   rename: (f: string, t: string, cb: (error?: Error) => void) => (calls.push(`mv ${f} ${t}`), cb()),
 * } as unknown as SFTPWrapper;
 * await replaceFile(new SftpGuard(), sftp, "/srv/.a.tmp", "/srv/a");
 * assert.deepEqual(calls, ["rm /srv/a", "mv /srv/.a.tmp /srv/a"]);
 * ```
 */
export function replaceFile(
  guard: SftpGuard,
  sftp: SFTPWrapper,
  from: string,
  to: string,
): Promise<void> {
  return guard.callVoid((cb) => sftp.ext_openssh_rename(from, to, cb)).catch(
    async (error) => {
      // Only for servers without the extension (plain rename fails when the target
      // exists); any other failure must not touch the target.
      if (!/not support/i.test(String(error?.message))) throw error;
      await guard.callVoid((cb) => sftp.unlink(to, cb)).catch(() => {});
      await guard.callVoid((cb) => sftp.rename(from, to, cb));
    },
  );
}

/**
 * Checks that `handle` (the temporary file `temp`, reopened by name after `cat` wrote it)
 * is the file `cat` created: a regular file ending in `seal`, bytes only this upload knows
 * (the file is 0600). Another user who can write the directory may have put a link or a
 * file of their own under the name. Then cuts the seal off and sets `mode`.
 */
async function unseal(
  session: UploadSession,
  temp: string,
  handle: Buffer,
  seal: Uint8Array,
  mode: number,
): Promise<void> {
  const { sftp, host, guard } = session;
  const op = <T>(fn: () => Promise<T>) => sftpOp(host, "write", temp, fn);
  const attrs = await op(() => guard.call<Attributes>((cb) => sftp.fstat(handle, cb)));
  const size = attrs.size - seal.length;
  let end = Buffer.alloc(0);
  if ((attrs.mode & S_IFMT) === 0o100000 && size >= 0) {
    end = Buffer.alloc(seal.length);
    const n = await op(() =>
      guard.call<number>((cb) => sftp.read(handle, end, 0, seal.length, size, cb))
    );
    end = end.subarray(0, n);
  }
  if (!Buffer.from(seal).equals(end)) {
    throw new DeployerError(
      `Cannot write "${temp}" on host "${host}": the temporary file was replaced while it ` +
        "was written (another user can write its directory); nothing was changed",
    );
  }
  // Cut first (the server answers in order): a truncation by a user who is not root
  // clears set-user-ID bits.
  const cut = op(() => guard.callVoid((cb) => sftp.fsetstat(handle, { size } as never, cb)));
  const chmod = sftpOp(
    host,
    "chmod",
    temp,
    () => guard.callVoid((cb) => sftp.fchmod(handle, mode, cb)),
  );
  await Promise.all([cut, chmod]);
}

/**
 * Writes atomically through `.<name>.deployer-tmp-<random>` in the same directory. The
 * mode is `options.mode`, else the existing file's mode, else 0644. The first write to
 * a directory also removes stale temporary files there (`session.sweep`). When
 * `options.signal` aborts, the transfer stops (no more SFTP writes; `cat` killed), the
 * temporary file is removed, the target is left as it was, and the promise rejects with the
 * signal's reason.
 *
 * @example Usage
 * ```ts
 * // Illustrative: needs the SFTP session of a live SSH connection, so this is type-checked,
 * // not run.
 * import { type UploadSession, writeAtomic } from "./sftp_upload.ts";
 * async function motd(session: UploadSession): Promise<void> {
 *   await writeAtomic(session, "/etc/motd", new TextEncoder().encode("hello\n"), {
 *     mode: 0o644,
 *   });
 * }
 * ```
 */
export async function writeAtomic(
  session: UploadSession,
  target: string,
  source: FileData,
  options: WriteFileOptions = {},
): Promise<void> {
  const { sftp, host, guard, temps } = session;
  const { signal } = options;
  try {
    refuseNul(host, "write", target);
    signal?.throwIfAborted();
  } catch (error) {
    if (source instanceof ReadableStream) await source.cancel().catch(() => {});
    throw error;
  }
  // A source that never delivers another chunk must not hold a stopped transfer.
  const data = abortableData(source, signal);
  // A symbolic link is written through (the file it points to is replaced), as locally.
  const link = await guard.call<Attributes>((cb) => sftp.lstat(target, cb))
    .catch(() => undefined);
  const isLink = !!link && (link.mode & S_IFMT) === 0o120000;
  const path = isLink
    ? await guard.call<string>((cb) => sftp.realpath(target, cb)).catch(() => target)
    : target;
  const temp = tempPath(path);
  const sweeping = session.sweep(dirOf(path));
  const large = !(data instanceof Uint8Array) || data.length >= STREAM_FROM;
  const streaming = large ? session.streamer() : Promise.resolve(undefined);
  // lstat already describes a target that is not a link: one round trip less per file.
  const existing = link && !isLink
    ? link
    : await guard.call<Attributes>((cb) => sftp.stat(path, cb)).catch(() => undefined);
  const mode = options.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
  const stream = await streaming;
  let handle: Buffer | undefined;
  try {
    temps.add(temp);
    // Ends what `cat` writes: proves that the file reopened below is the one it wrote.
    const seal = crypto.getRandomValues(new Uint8Array(16));
    signal?.throwIfAborted();
    if (stream && await stream(temp, data, seal, signal)) {
      handle = await sftpOp(
        host,
        "open",
        temp,
        () => guard.call<Buffer>((cb) => sftp.open(temp, "r+", cb)),
      );
      await unseal(session, temp, handle, seal, mode);
    } else {
      handle = await sftpOp(
        host,
        "create",
        temp,
        () => guard.call<Buffer>((cb) => sftp.open(temp, "wx", { mode }, cb)),
      );
      const written = handle;
      const setMode = () =>
        sftpOp(host, "chmod", temp, () => guard.callVoid((cb) => sftp.fchmod(written, mode, cb)));
      // Sent ahead of the data (the server answers in order): no round trip of its own.
      // Not a set-user-ID or set-group-ID mode: a write by a user who is not root clears
      // those bits, so they are set after the data.
      const ahead = (mode & 0o6000) === 0;
      const chmod = ahead ? setMode() : undefined;
      chmod?.catch(() => {}); // awaited below, unless a write fails first
      const failed = (e: unknown) => sftpError(host, "write", temp, e);
      await writeAll(guard, sftp, written, data, failed, signal);
      await (chmod ?? setMode());
    }
    signal?.throwIfAborted(); // a stopped write replaces nothing
    const h = handle;
    handle = undefined;
    await sftpOp(host, "write", temp, () => guard.callVoid((cb) => sftp.close(h, cb)));
    await sftpOp(host, "rename", path, () => replaceFile(guard, sftp, temp, path));
    temps.delete(temp);
  } catch (error) {
    if (data instanceof ReadableStream) await data.cancel().catch(() => {});
    if (handle) await guard.callVoid((cb) => sftp.close(handle!, cb)).catch(() => {});
    // Kept in `temps` when the connection is lost: the next session removes it.
    await guard.callVoid((cb) => sftp.unlink(temp, cb)).then(
      () => temps.delete(temp),
      (e) => answered(e) && temps.delete(temp),
    );
    signal?.throwIfAborted();
    throw error;
  } finally {
    await sweeping;
  }
}

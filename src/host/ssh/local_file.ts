/**
 * Reading the local files a connection needs (SSH config, keys, known_hosts) safely: only
 * regular files are read, so a FIFO or a device is refused at once instead of blocking the
 * process; and a deadline helper for everything done before the SSH handshake.
 *
 * @module
 */
import { DeployerError } from "../../errors.ts";

/** A local file that cannot be used (not a regular file, unreadable). */
export class LocalFileError extends DeployerError {
  /** The path of the file. */
  readonly path: string;
  /** Creates the error for a file (described as `what`, e.g. "key file") and a reason. */
  constructor(path: string, reason: string, what = "file", options?: ErrorOptions) {
    super(`cannot read ${what} "${path}": ${reason}`, options);
    this.name = "LocalFileError";
    this.path = path;
  }
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

/**
 * Reads a regular file. A missing file rejects with `Deno.errors.NotFound`; `/dev/null`
 * reads as empty; a directory, FIFO, socket or device rejects at once with a
 * {@linkcode LocalFileError} naming the file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRegularFile } from "./local_file.ts";
 * assert.equal((await readRegularFile("/dev/null")).length, 0);
 * await assert.rejects(
 *   readRegularFile("/dev/zero", "key file"),
 *   /cannot read key file "\/dev\/zero": not a regular file \(a character device\)/,
 * );
 * ```
 */
export async function readRegularFile(path: string, what = "file"): Promise<Uint8Array> {
  if (path === "/dev/null") return new Uint8Array();
  const info = await Deno.stat(path);
  if (!info.isFile) throw new LocalFileError(path, `not a regular file (${kindOf(info)})`, what);
  return await Deno.readFile(path);
}

/**
 * What identifies one version of a file: its path, a NUL (which no path holds, so
 * {@linkcode stampPath} finds the path again), then device, inode, size and mtime (nothing
 * when the file does not exist). Used to keep parsed files for a run until they change.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileStamp } from "./local_file.ts";
 * assert.equal(await fileStamp("/nonexistent"), "/nonexistent\0");
 * ```
 */
export async function fileStamp(path: string): Promise<string> {
  try {
    const i = await Deno.stat(path);
    return `${path}\0${i.dev}:${i.ino}:${i.size}:${i.mtime?.getTime()}`;
  } catch {
    return `${path}\0`;
  }
}

/**
 * The path a {@linkcode fileStamp} was taken of.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileStamp, stampPath } from "./local_file.ts";
 * assert.equal(stampPath(await fileStamp("/no:such:file")), "/no:such:file");
 * ```
 */
export function stampPath(stamp: string): string {
  return stamp.slice(0, stamp.indexOf("\0"));
}

/**
 * Settles like `task`, or rejects with `onTimeout()` after `ms`, or with `onAbort()` when
 * `signal` aborts, whichever comes first (the task itself is left to finish unobserved).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDeadline } from "./local_file.ts";
 * const never = new Promise<void>(() => {});
 * await assert.rejects(withDeadline(never, 10, () => new Error("too slow")), /too slow/);
 * assert.equal(await withDeadline(Promise.resolve(1), 10, () => new Error("x")), 1);
 * ```
 */
export function withDeadline<T>(
  task: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  signal?: AbortSignal,
  onAbort: () => Error = onTimeout,
): Promise<T> {
  if (signal?.aborted) {
    task.catch(() => {});
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
    };
    const aborted = () => {
      done();
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      done();
      reject(onTimeout());
    }, ms);
    signal?.addEventListener("abort", aborted, { once: true });
    task.then((value) => {
      done();
      resolve(value);
    }, (error) => {
      done();
      reject(error);
    });
  });
}

/**
 * File operations of a local connection (private to `local.ts`), with the same errors
 * and the same atomic-write contract as SFTP: `Deno.errors.NotFound` /
 * `Deno.errors.PermissionDenied` / {@linkcode DeployerError}, each naming the operation,
 * the path and the host.
 *
 * @module
 */
import { DeployerError } from "../errors.ts";
import type { FileData, Stat, TransferOptions, WriteFileOptions } from "./connection.ts";
import { dirOf, isStaleTemp, refuseNul, tempPath } from "./file_names.ts";
import { abortableData, abortableStream } from "./transfer_abort.ts";

/** Maps a local failure to an error naming the host, the operation and the path. */
export function fileError(host: string, op: string, path: string, error: unknown): Error {
  const reason = error instanceof Error
    ? error.message.replace(/ \(os error \d+\).*$/s, "")
    : String(error);
  const message = `Cannot ${op} "${path}" on host "${host}": ${reason}`;
  if (error instanceof Deno.errors.NotFound) {
    return new Deno.errors.NotFound(message, { cause: error });
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Deno.errors.PermissionDenied(message, { cause: error });
  }
  return new DeployerError(message, { cause: error });
}

async function attempt<T>(
  host: string,
  op: string,
  path: string,
  fn: () => Promise<T>,
): Promise<T> {
  refuseNul(host, op, path);
  try {
    return await fn();
  } catch (error) {
    throw fileError(host, op, path, error);
  }
}

function baseName(path: string): string {
  return path.replace(/\/+$/, "").split("/").pop() || path;
}

function toStat(filename: string, info: Deno.FileInfo): Stat {
  return {
    filename,
    size: info.size,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    mode: info.mode ?? 0,
    isDir: info.isDirectory,
    isFile: info.isFile,
    isSymlink: info.isSymlink,
    mtime: info.mtime ?? new Date(0),
  };
}

/** Bytes per write of data in memory: an abort is noticed between two writes. */
const WRITE_PIECE = 4 * 1024 * 1024;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    signal?.throwIfAborted();
    offset += await file.write(bytes.subarray(offset, offset + WRITE_PIECE));
  }
}

async function writeData(file: Deno.FsFile, data: FileData, signal?: AbortSignal): Promise<void> {
  if (data instanceof Uint8Array) return await writeAll(file, data, signal);
  const reader = data.getReader();
  try {
    while (true) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) return;
      await writeAll(file, value, signal);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** The file operations of one local "host" (named by its slug in errors). */
export class LocalFiles {
  #host: string;
  readonly #swept = new Map<string, Promise<void>>();

  /** Creates the operations for the host `slug`. */
  constructor(slug: string) {
    this.#host = slug;
  }

  /** Reads a whole file; `options.signal` stops the read (it rejects with its reason). */
  async readFile(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    const { signal } = options;
    try {
      return await attempt(this.#host, "read", path, () => Deno.readFile(path, { signal }));
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    }
  }

  /**
   * Opens a file as a stream (the file closes when the stream ends or is cancelled, or when
   * `options.signal` aborts: the stream then errors with its reason).
   */
  readStream(path: string, options: TransferOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return attempt(
      this.#host,
      "read",
      path,
      async () => abortableStream((await Deno.open(path)).readable, options.signal),
    );
  }

  /** Removes, once per directory, stale temporary files of interrupted writes there. */
  #sweep(dir: string): Promise<void> {
    let sweeping = this.#swept.get(dir);
    if (!sweeping) {
      sweeping = this.readDir(dir).then(async (entries) => {
        const now = Date.now();
        const stale = entries.filter((e) => isStaleTemp(e, now));
        const slash = dir.endsWith("/") ? "" : "/";
        await Promise.allSettled(stale.map((e) => Deno.remove(`${dir}${slash}${e.filename}`)));
      }).catch(() => {});
      this.#swept.set(dir, sweeping);
    }
    return sweeping;
  }

  /**
   * Writes atomically through `.<name>.deployer-tmp-<random>` in the same directory:
   * written, fsync'ed, given its mode (`options.mode`, else the existing file's mode and
   * owner, else 0644), then renamed over the target. A symbolic link is written through
   * (its target is replaced, the link stays). The first write to a directory also
   * removes temporary files that interrupted writes left there over an hour ago. When
   * `options.signal` aborts, the write stops, the temporary file is removed and the
   * promise rejects with the signal's reason.
   */
  async writeFile(path: string, source: FileData, options: WriteFileOptions = {}): Promise<void> {
    const { signal } = options;
    try {
      refuseNul(this.#host, "write", path);
      signal?.throwIfAborted();
    } catch (error) {
      if (source instanceof ReadableStream) await source.cancel().catch(() => {});
      throw error;
    }
    const data = abortableData(source, signal);
    const target = await Deno.realPath(path).catch(() => path);
    const temp = tempPath(target);
    const sweeping = this.#sweep(dirOf(target));
    const existing = await Deno.stat(target).catch(() => undefined);
    const mode = options.mode ?? (existing?.mode != null ? existing.mode & 0o7777 : 0o644);
    let file: Deno.FsFile | undefined;
    try {
      file = await attempt(
        this.#host,
        "create",
        temp,
        () => Deno.open(temp, { write: true, createNew: true, mode: 0o600 }),
      );
      await attempt(this.#host, "write", path, async () => {
        await writeData(file!, data, signal);
        await file!.sync();
      });
      signal?.throwIfAborted(); // nothing is replaced once stopped
      file.close();
      file = undefined;
      if (existing?.uid != null && existing.gid != null && Deno.uid() === 0) {
        await Deno.chown(temp, existing.uid, existing.gid).catch(() => {});
      }
      await attempt(this.#host, "chmod", temp, () => Deno.chmod(temp, mode));
      await attempt(this.#host, "rename", path, () => Deno.rename(temp, target));
    } catch (error) {
      if (data instanceof ReadableStream && !data.locked) await data.cancel().catch(() => {});
      file?.close();
      await Deno.remove(temp).catch(() => {});
      signal?.throwIfAborted();
      throw error;
    } finally {
      await sweeping;
    }
  }

  /** Stats a path, following symbolic links unless `lstat`. */
  stat(path: string, options: { lstat?: boolean } = {}): Promise<Stat> {
    return attempt(this.#host, "stat", path, async () => {
      const info = options.lstat ? await Deno.lstat(path) : await Deno.stat(path);
      return toStat(baseName(path), info);
    });
  }

  /** Lists a directory, sorted by name, each entry `lstat`ed. */
  readDir(path: string): Promise<Stat[]> {
    return attempt(this.#host, "list", path, async () => {
      const names: string[] = [];
      for await (const entry of Deno.readDir(path)) names.push(entry.name);
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const dir = path.endsWith("/") ? path : `${path}/`;
      const stats = await Promise.all(
        names.map((name) => Deno.lstat(`${dir}${name}`).then((i) => toStat(name, i), () => null)),
      );
      return stats.filter((s): s is Stat => s !== null); // entries removed meanwhile
    });
  }

  /** Removes a file or symbolic link (never a directory). */
  remove(path: string): Promise<void> {
    return attempt(this.#host, "remove", path, async () => {
      if ((await Deno.lstat(path)).isDirectory) throw new Error("Is a directory");
      await Deno.remove(path);
    });
  }

  /** Renames a file, replacing the target. */
  async rename(from: string, to: string): Promise<void> {
    refuseNul(this.#host, "rename to", to);
    return await attempt(this.#host, "rename", from, () => Deno.rename(from, to));
  }
}

/**
 * Local files as upload data: a small file read whole, a larger one streamed in pieces so
 * an upload holds a few MiB whatever the file's size. Touches only the local disk.
 *
 * @module
 */
import type { FileData } from "./connection.ts";

/** Files up to this size are read whole: one allocation of their size, no stream. */
const READ_WHOLE = 1024 * 1024;
/** Size of the pieces a larger file is read in (a multiple of the SFTP write size). */
const READ_PIECE = 1024 * 1024;

/**
 * The contents of a local file to upload: a small file (up to 1 MiB) read whole, a larger
 * one as a {@linkcode LocalFileStream} of 1 MiB pieces read only as fast as they are
 * consumed, so an upload holds a few MiB whatever the file's size. A missing file rejects with
 * `Deno.errors.NotFound`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { localFileData } from "./local_file_data.ts";
 * const path = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(path, "hello\n");
 *   const data = await localFileData(path);
 *   assert.ok(data instanceof Uint8Array);
 *   assert.equal(new TextDecoder().decode(data), "hello\n");
 *   await assert.rejects(localFileData(`${path}.missing`), Deno.errors.NotFound);
 * } finally {
 *   await Deno.remove(path);
 * }
 * ```
 */
export async function localFileData(path: string): Promise<FileData> {
  const file = await Deno.open(path, { read: true });
  try {
    const info = await file.stat();
    if (info.isFile && info.size <= READ_WHOLE) {
      const bytes = new Uint8Array(info.size);
      let size = 0;
      for (let n; size < bytes.length && (n = await file.read(bytes.subarray(size))) !== null;) {
        size += n;
      }
      // It may have grown since the stat: read on to its end.
      const rest = size === bytes.length ? await readRest(file) : new Uint8Array();
      file.close();
      if (!rest.length) return bytes.subarray(0, size);
      const all = new Uint8Array(size + rest.length);
      all.set(bytes.subarray(0, size));
      all.set(rest, size);
      return all;
    }
  } catch (error) {
    file.close();
    throw error;
  }
  return inPieces(file);
}

async function readRest(file: Deno.FsFile): Promise<Uint8Array> {
  // Almost always at the end already: a one-byte read says so without a large buffer
  // (which, dropped after every small file, kept the garbage collector busy).
  const probe = new Uint8Array(1);
  if ((await file.read(probe)) === null) return new Uint8Array();
  const chunks: Uint8Array[] = [probe];
  const buffer = new Uint8Array(64 * 1024);
  for (let n; (n = await file.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
  const all = new Uint8Array(chunks.reduce((size, c) => size + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** Reads until `buffer` is full or the file ends; the number of bytes read. */
async function fill(file: Deno.FsFile, buffer: Uint8Array): Promise<number> {
  let size = 0;
  for (let n; size < buffer.length && (n = await file.read(buffer.subarray(size))) !== null;) {
    size += n;
  }
  return size;
}

/**
 * A large local file as a stream of 1 MiB pieces, each in a fresh buffer (a reader may keep
 * them). A consumer that sends each piece before it reads the next can instead fill
 * buffers of its own with {@linkcode LocalFileStream.readInto}: no allocation per piece.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalFileStream, localFileData } from "./local_file_data.ts";
 * const path = await Deno.makeTempFile();
 * try {
 *   await Deno.writeFile(path, new Uint8Array(3 * 1024 * 1024 + 1));
 *   const data = await localFileData(path);
 *   assert.ok(data instanceof LocalFileStream);
 *   const buffer = new Uint8Array(1024 * 1024);
 *   let total = 0;
 *   for (let n; (n = await data.readInto(buffer)) !== null;) total += n;
 *   assert.equal(total, 3 * 1024 * 1024 + 1);
 * } finally {
 *   await Deno.remove(path);
 * }
 * ```
 */
export class LocalFileStream extends ReadableStream<Uint8Array> {
  readonly #file: Deno.FsFile;
  readonly #close: () => void;
  #ended = false;

  /** Streams `file` (which it closes at the end, on an error, or when cancelled). */
  constructor(file: Deno.FsFile) {
    let closed = false;
    const close = () => {
      if (!closed) file.close();
      closed = true;
    };
    super({
      async pull(controller) {
        // A fresh buffer each time: the consumer may still hold the previous one.
        const buffer = new Uint8Array(READ_PIECE);
        try {
          const size = await fill(file, buffer);
          if (size) controller.enqueue(buffer.subarray(0, size));
          if (size < buffer.length) {
            close();
            controller.close();
          }
        } catch (error) {
          close();
          controller.error(error);
        }
      },
      cancel: close,
    }, { highWaterMark: 0 });
    this.#file = file;
    this.#close = close;
  }

  /**
   * Reads the next bytes of the file into `buffer` (until it is full or the file ends);
   * resolves with their number, or null at the end (the file is then closed). Not to be
   * mixed with reading the stream.
   */
  async readInto(buffer: Uint8Array): Promise<number | null> {
    if (this.#ended) return null;
    try {
      const size = await fill(this.#file, buffer);
      if (size < buffer.length) this.#end();
      return size || null;
    } catch (error) {
      this.#end();
      throw error;
    }
  }

  #end(): void {
    this.#ended = true;
    this.#close();
  }
}

function inPieces(file: Deno.FsFile): ReadableStream<Uint8Array> {
  return new LocalFileStream(file);
}

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
 * one as a byte stream of 1 MiB pieces read only as fast as they are consumed, so an upload
 * holds a few MiB whatever the file's size (a "byob" reader supplies the buffers itself). A missing file rejects with
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
  const chunks: Uint8Array[] = [];
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

function inPieces(file: Deno.FsFile): ReadableStream<Uint8Array> {
  let closed = false;
  const close = () => {
    if (!closed) file.close();
    closed = true;
  };
  // A byte stream: a reader in "byob" mode reads into buffers of its own (an upload uses
  // two, again and again); any other reader gets a fresh 1 MiB buffer per piece.
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: READ_PIECE,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view as Uint8Array;
      try {
        let size = 0;
        for (
          let n;
          size < view.length && (n = await file.read(view.subarray(size))) !== null;
        ) {
          size += n;
        }
        if (size) request.respond(size);
        if (size < view.length) {
          close();
          controller.close();
          if (!size) request.respond(0);
        }
      } catch (error) {
        close();
        controller.error(error);
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}

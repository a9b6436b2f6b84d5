/**
 * One socket write per turn of the event loop for ssh2's TCP socket.
 *
 * ssh2 writes each encrypted packet to its socket as it is made, and a large
 * chacha20-poly1305 packet as three pieces (length, ciphertext, MAC): a 100 MiB upload made
 * ~9600 socket writes, each a write op (and, with Nagle off, its own TCP segment). Here the
 * writes of one turn are gathered and sent after it as one buffer, copied into a reused
 * 1 MiB buffer when large. A piece marked {@linkcode SPENT} (a ciphertext ssh2_chacha.ts made
 * for this one write) is released right after the copy: its memory returns at once instead
 * of at the next garbage collection.
 *
 * Back-pressure is unchanged: ssh2 sends channel data only within the server's window, so
 * what waits here and in the socket is bounded by that window.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import process from "node:process";

/**
 * A property that marks a buffer as used by one write only: whoever copies it into a
 * socket may release its memory (detach its `ArrayBuffer`) right after the copy.
 */
export const SPENT: unique symbol = Symbol.for("deployer.ssh.spentAfterWrite");

/** A buffer that may carry the {@linkcode SPENT} mark. */
export type Markable = Uint8Array & { [SPENT]?: boolean };

/**
 * The size of the one reused buffer per socket (made on the first large turn, kept while
 * the socket lives); a turn that wrote more gets a buffer of its own.
 */
const POOL = 1 << 20;
/** Turns from this size on go through the reused buffer. */
const REUSE_FROM = 64 * 1024;

type WriteCallback = (error?: Error | null) => void;

/** Releases the memory of a buffer marked as spent (its own `ArrayBuffer`, nothing else). */
function release(chunk: Markable): void {
  const buffer = chunk.buffer;
  if (
    chunk[SPENT] && buffer instanceof ArrayBuffer && chunk.byteOffset === 0 &&
    buffer.byteLength === chunk.length && !buffer.detached
  ) {
    buffer.transfer(0);
  }
}

/**
 * Makes `socket.write` gather the buffers written during one turn of the event loop and send
 * them after it as one write, in order; `end()` sends what is gathered first. Writes with
 * an encoding or a callback, and strings, first send what is gathered, then go through
 * unchanged. Returns `socket`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Buffer } from "node:buffer";
 * import { createConnection, createServer } from "node:net";
 * import { coalesceWrites, SPENT } from "./coalesced_writes.ts";
 * const server = createServer();
 * const received = new Promise<string>((resolve) =>
 *   server.once("connection", (peer) => {
 *     let text = "";
 *     peer.on("data", (chunk: Buffer) => (text += chunk));
 *     peer.on("end", () => (peer.end(), server.close(), resolve(text)));
 *   })
 * );
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 * const socket = coalesceWrites(createConnection({ host: "127.0.0.1", port }));
 * await new Promise((resolve) => socket.once("connect", resolve));
 * // A ciphertext (an ArrayBuffer of its own) that nobody needs after this write:
 * const sealed = Object.assign(new Uint8Array([98]), { [SPENT]: true });
 * socket.write(Buffer.from("a"));
 * socket.write(sealed); // gathered: sent with the others, as one write, after this turn
 * socket.write(Buffer.from("c"));
 * socket.end();
 * assert.equal(await received, "abc");
 * assert.equal(sealed.buffer.detached, true); // released once copied
 * ```
 */
export function coalesceWrites(socket: Socket): Socket {
  const write = socket.write.bind(socket) as (
    chunk: unknown,
    encoding?: unknown,
    callback?: WriteCallback,
  ) => boolean;
  const end = socket.end.bind(socket) as (...args: unknown[]) => Socket;
  let pending: Markable[] = [];
  let bytes = 0;
  let scheduled = false;
  let pool: Buffer | undefined;
  let lent = false; // the reused buffer is in a write the socket has not finished
  const flush = () => {
    scheduled = false;
    const chunks = pending;
    const total = bytes;
    pending = [];
    bytes = 0;
    if (!chunks.length) return;
    if (socket.destroyed) return chunks.forEach(release);
    if (chunks.length === 1 && !chunks[0][SPENT]) return void write(chunks[0]);
    // A large turn goes through the reused buffer when it is free; any other gets a buffer
    // of its size, released as soon as the socket is done with it (unless it is a view
    // of Buffer's pool, for a few bytes).
    const small = total < REUSE_FROM;
    const reuse = !small && total <= POOL && !lent;
    const target = reuse
      ? (pool ??= Buffer.allocUnsafeSlow(POOL))
      : small
      ? Buffer.allocUnsafe(total)
      : Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const chunk of chunks) {
      target.set(chunk, at);
      at += chunk.length;
      release(chunk);
    }
    if (reuse) lent = true;
    write(target.subarray(0, total), undefined, (error) => {
      if (reuse) {
        lent = false;
        if (error) pool = undefined;
      } else {
        release(Object.assign(target, { [SPENT]: true })); // (not a view of Buffer's pool)
      }
    });
  };
  const patched = socket as unknown as {
    write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean;
    end(...args: unknown[]): Socket;
  };
  patched.write = (chunk, encoding, callback) => {
    if (!(chunk instanceof Uint8Array) || encoding !== undefined || callback !== undefined) {
      flush();
      return write(chunk, encoding, callback as WriteCallback);
    }
    if (!chunk.length) return true;
    pending.push(chunk);
    bytes += chunk.length;
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flush);
    }
    return !socket.writableNeedDrain;
  };
  patched.end = (...args) => {
    flush();
    return end(...args);
  };
  return socket;
}

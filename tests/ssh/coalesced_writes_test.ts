/**
 * The socket under ssh2 (`coalesced_writes.ts`): the writes of one turn reach the peer as
 * one write, in order, with writes that carry a callback or an encoding kept in their place;
 * `end()` sends what was gathered; a ciphertext marked spent is released after the copy.
 * Against a real TCP peer on loopback.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createConnection, createServer, type Socket } from "node:net";
import { coalesceWrites, SPENT } from "../../src/host/ssh/coalesced_writes.ts";

/** A TCP server that collects what one client sends until it ends. */
async function peer(): Promise<{ socket: Socket; received: Promise<Buffer[]> }> {
  const server = createServer();
  const received = new Promise<Buffer[]>((resolve) => {
    server.once("connection", (remote) => {
      const chunks: Buffer[] = [];
      remote.on("data", (chunk: Buffer) => chunks.push(chunk));
      remote.on("end", () => {
        remote.end();
        server.close();
        resolve(chunks);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const socket = createConnection({ host: "127.0.0.1", port });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  return { socket, received };
}

/** A buffer with an ArrayBuffer of its own, as node:crypto's `update()` returns. */
function own(size: number, value: number): Uint8Array {
  return new Uint8Array(size).fill(value);
}

Deno.test("coalesced writes: one turn's buffers arrive in order, as one write", async () => {
  const { socket, received } = await peer();
  // Count what reaches the socket's own write, under the wrapper.
  let writes = 0;
  const write = socket.write;
  socket.write = function (this: Socket, ...args: unknown[]) {
    writes++;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof socket.write;
  coalesceWrites(socket);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < 48; i++) {
    const piece = i % 3 === 1 ? Object.assign(own(32_784, i), { [SPENT]: true }) : own(4, i);
    pieces.push(piece);
    socket.write(piece);
  }
  // Nothing was handed to the socket during the turn; after it, everything in one write.
  assert.equal(writes, 0);
  assert.equal(socket.writableLength, 0);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(writes, 1);
  socket.end();
  const got = Buffer.concat(await received);
  const expected = Buffer.concat(
    pieces.map((p, i) => i % 3 === 1 ? Buffer.alloc(32_784, i) : Buffer.from(p)),
  );
  assert.ok(got.equals(expected));
  // The spent ciphertexts were released once copied; the others are untouched.
  assert.ok(pieces.every((p, i) => (p.buffer as ArrayBuffer).detached === (i % 3 === 1)));
});

Deno.test("coalesced writes: a write with a callback goes after what was gathered", async () => {
  const { socket, received } = await peer();
  coalesceWrites(socket);
  socket.write(Buffer.from("one "));
  socket.write(Buffer.from("two "));
  const written = new Promise((resolve) => socket.write(Buffer.from("three "), resolve));
  socket.write("four ", "utf8");
  socket.write(Buffer.from("five"));
  await written;
  socket.end(); // sends "five", gathered in this turn
  assert.equal(Buffer.concat(await received).toString(), "one two three four five");
});

Deno.test("coalesced writes: a view of a shared buffer marked spent is not released", async () => {
  const { socket, received } = await peer();
  coalesceWrites(socket);
  const shared = new Uint8Array(64).fill(7);
  const view = Object.assign(shared.subarray(8, 16), { [SPENT]: true });
  socket.write(view);
  socket.write(Buffer.from("x"));
  socket.end();
  assert.equal(Buffer.concat(await received).length, 9);
  assert.equal(shared.buffer.detached, false);
});

Deno.test("coalesced writes: large turns, one after another and above 1 MiB, arrive intact", async () => {
  const { socket, received } = await peer();
  coalesceWrites(socket);
  const sent: Uint8Array[] = [];
  // Turns of 1.5 MiB (a buffer of its own), 600 KiB twice (the reused buffer, or one of
  // their own while it is still being written) and 100 KiB, each of 4 KiB pieces.
  for (const [turn, size] of [1536, 600, 600, 100].entries()) {
    for (let i = 0; i < size / 4; i++) {
      const piece = own(4096, (turn * 7 + i) % 256);
      sent.push(piece);
      socket.write(piece);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  socket.end();
  const got = Buffer.concat(await received);
  assert.ok(got.equals(Buffer.concat(sent)));
});

/**
 * One ChaCha20 block in plain TypeScript, with the 16-byte IV layout of OpenSSL's `chacha20`
 * (32-bit little-endian block counter, then a 96-bit nonce), which is how ssh2 drives
 * OpenSSH's chacha20-poly1305: for the few bytes a packet needs outside its bulk (the
 * encrypted length, the Poly1305 key, small payloads), a block computed here costs no
 * native cipher object.
 *
 * @module
 */

/** "expand 32-byte k", as four little-endian words. */
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

/**
 * The 32-byte key as eight little-endian words.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyWords } from "./chacha20_block.ts";
 * assert.equal(keyWords(new Uint8Array(32).fill(1))[0], 0x01010101);
 * ```
 */
export function keyWords(key: Uint8Array): Uint32Array {
  const view = new DataView(key.buffer, key.byteOffset, 32);
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(i * 4, true);
  return words;
}

/**
 * Computes the keystream block `counter` for `key` (see {@linkcode keyWords}) and the nonce
 * whose last four IV bytes, read little-endian, are `nonce` (the IV's other nonce bytes
 * zero, as ssh2 leaves them) into `out` (16 words; the block's bytes are their
 * little-endian bytes).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Buffer } from "node:buffer";
 * import { createCipheriv } from "node:crypto";
 * import { chachaBlock, keyWords } from "./chacha20_block.ts";
 * const key = Buffer.alloc(32, 7);
 * const iv = Buffer.alloc(16);
 * iv[0] = 3; // block counter
 * iv.writeUInt32BE(42, 12); // ssh2 puts the sequence number here
 * const expected = createCipheriv("chacha20", key, iv).update(Buffer.alloc(64));
 * const out = new Uint32Array(16);
 * chachaBlock(keyWords(key), 3, iv.readUInt32LE(12), out);
 * assert.deepEqual(Buffer.from(out.buffer), expected);
 * ```
 */
export function chachaBlock(key: Uint32Array, counter: number, nonce: number, out: Uint32Array) {
  let x0 = SIGMA[0], x1 = SIGMA[1], x2 = SIGMA[2], x3 = SIGMA[3];
  let x4 = key[0], x5 = key[1], x6 = key[2], x7 = key[3];
  let x8 = key[4], x9 = key[5], x10 = key[6], x11 = key[7];
  let x12 = counter >>> 0, x13 = 0, x14 = 0, x15 = nonce >>> 0;
  for (let round = 0; round < 10; round++) {
    // Columns.
    x0 = (x0 + x4) | 0, x12 ^= x0, x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0, x4 ^= x8, x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0, x12 ^= x0, x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0, x4 ^= x8, x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0, x13 ^= x1, x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0, x5 ^= x9, x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0, x13 ^= x1, x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0, x5 ^= x9, x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0, x14 ^= x2, x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0, x6 ^= x10, x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0, x14 ^= x2, x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0, x6 ^= x10, x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0, x15 ^= x3, x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0, x7 ^= x11, x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0, x15 ^= x3, x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0, x7 ^= x11, x7 = (x7 << 7) | (x7 >>> 25);
    // Diagonals.
    x0 = (x0 + x5) | 0, x15 ^= x0, x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0, x5 ^= x10, x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0, x15 ^= x0, x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0, x5 ^= x10, x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0, x12 ^= x1, x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0, x6 ^= x11, x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0, x12 ^= x1, x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0, x6 ^= x11, x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0, x13 ^= x2, x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0, x7 ^= x8, x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0, x13 ^= x2, x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0, x7 ^= x8, x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0, x14 ^= x3, x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0, x4 ^= x9, x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0, x14 ^= x3, x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0, x4 ^= x9, x4 = (x4 << 7) | (x4 >>> 25);
  }
  out[0] = x0 + SIGMA[0], out[1] = x1 + SIGMA[1], out[2] = x2 + SIGMA[2];
  out[3] = x3 + SIGMA[3], out[4] = x4 + key[0], out[5] = x5 + key[1];
  out[6] = x6 + key[2], out[7] = x7 + key[3], out[8] = x8 + key[4];
  out[9] = x9 + key[5], out[10] = x10 + key[6], out[11] = x11 + key[7];
  out[12] = x12 + (counter >>> 0), out[13] = x13, out[14] = x14, out[15] = x15 + (nonce >>> 0);
}

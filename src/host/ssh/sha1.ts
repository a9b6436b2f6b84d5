/**
 * HMAC-SHA1 in plain TypeScript, for matching hashed known_hosts names (`|1|salt|hash`).
 * `node:crypto` costs ~12 µs per HMAC under Deno (native calls and buffers per step);
 * a reused {@linkcode HmacSha1} costs ~1 µs, which keeps a lookup in a known_hosts file of
 * 150,000 hashed lines well under a second. Runs only over public host names and salts.
 *
 * @module
 */

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/**
 * Computes HMAC-SHA1 digests, reusing its buffers between calls (keep one per batch).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHmac } from "node:crypto";
 * import { HmacSha1 } from "./sha1.ts";
 * const key = new TextEncoder().encode("salt");
 * const message = new TextEncoder().encode("[127.0.0.1]:2222");
 * const expected = createHmac("sha1", key).update(message).digest();
 * assert.deepEqual([...new HmacSha1().digest(key, message)], [...expected]);
 * const longKey = new Uint8Array(100).fill(7);
 * const long = createHmac("sha1", longKey).update(message).digest();
 * assert.deepEqual([...new HmacSha1().digest(longKey, message)], [...long]);
 * ```
 */
export class HmacSha1 {
  #w = new Int32Array(80);
  #state = new Int32Array(5);
  #key = new Uint8Array(64);
  #buffer = new Uint8Array(256);
  #inner = new Uint8Array(20);

  #compress(block: Uint8Array, offset: number): void {
    const w = this.#w;
    const state = this.#state;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] = (block[j] << 24) | (block[j + 1] << 16) | (block[j + 2] << 8) | block[j + 3];
    }
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (let i = 0; i < 80; i++) {
      let f: number, k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const t = (rotl(a, 5) + f + e + k + w[i]) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
    state[4] = (state[4] + e) | 0;
  }

  /** SHA-1 of `head` (64 bytes) followed by `tail`, written into `out` (20 bytes). */
  #hash(head: Uint8Array, pad: number, tail: Uint8Array, out: Uint8Array): void {
    const length = 64 + tail.length;
    const size = Math.ceil((length + 9) / 64) * 64;
    if (this.#buffer.length < size) this.#buffer = new Uint8Array(size);
    const buf = this.#buffer;
    for (let i = 0; i < 64; i++) buf[i] = head[i] ^ pad;
    buf.set(tail, 64);
    buf.fill(0, length, size);
    buf[length] = 0x80;
    const bits = length * 8;
    buf[size - 4] = bits >>> 24;
    buf[size - 3] = (bits >>> 16) & 255;
    buf[size - 2] = (bits >>> 8) & 255;
    buf[size - 1] = bits & 255;
    const state = this.#state;
    state[0] = 0x67452301;
    state[1] = 0xefcdab89 | 0;
    state[2] = 0x98badcfe | 0;
    state[3] = 0x10325476;
    state[4] = 0xc3d2e1f0 | 0;
    for (let offset = 0; offset < size; offset += 64) this.#compress(buf, offset);
    for (let i = 0; i < 5; i++) {
      out[i * 4] = state[i] >>> 24;
      out[i * 4 + 1] = (state[i] >>> 16) & 255;
      out[i * 4 + 2] = (state[i] >>> 8) & 255;
      out[i * 4 + 3] = state[i] & 255;
    }
  }

  /** HMAC-SHA1 of `message` under `key` (RFC 2104): a new 20-byte array. */
  digest(key: Uint8Array, message: Uint8Array): Uint8Array {
    const k = this.#key;
    k.fill(0);
    if (key.length > 64) {
      // A key longer than a block is hashed first (rare: OpenSSH salts are 20 bytes).
      const hashed = new Uint8Array(20);
      this.#hash(key.subarray(0, 64), 0, key.slice(64), hashed);
      k.set(hashed);
    } else {
      k.set(key);
    }
    this.#hash(k, 0x36, message, this.#inner);
    const out = new Uint8Array(20);
    this.#hash(k, 0x5c, this.#inner, out);
    return out;
  }
}

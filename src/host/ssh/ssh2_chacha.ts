/**
 * ssh2's chacha20-poly1305 (the cipher the framework prefers) without garbage per packet.
 *
 * ssh2 without its optional native addon (as under Deno) creates three node:crypto
 * ChaCha20 objects per packet in each direction (length, Poly1305 key, payload) and builds
 * each outgoing packet in a fresh buffer. Deno keeps each such cipher object's native state
 * (~370 bytes) until a full garbage collection, which a busy connection rarely triggers:
 * 1000 small uploads held ~15 MB of them, 4000 held ~60 MB, growing with every file; a
 * 100 MiB upload also dropped 32 KiB of packet buffer per 32 KiB sent.
 *
 * Once installed, ssh2's JS chacha20-poly1305 cipher and decipher (same wire format):
 * - build outgoing packets in one buffer per cipher (a packet that ssh2 queues during a key
 *   re-exchange instead of encrypting it at once keeps that buffer; the packets after it
 *   get fresh ones, so a queued packet is never overwritten);
 * - encrypt and decrypt packets of up to 8 KiB (requests, answers, window updates)
 *   entirely with a ChaCha20 block in TypeScript (`chacha20_block.ts`): no cipher object,
 *   and an outgoing one is sent as one buffer;
 * - encrypt a larger outgoing packet with one ChaCha20 pass (ssh2 makes three cipher
 *   objects) and mark its ciphertext {@linkcode SPENT}: the socket of `transport.ts` copies
 *   it into its one write per turn and frees it at once (`coalesced_writes.ts`), so a
 *   100 MiB upload no longer leaves 32 KiB of garbage per packet for the collector (~16 MiB
 *   less peak RSS than ssh2's method);
 * - decrypt a larger incoming packet with one ChaCha20 pass, not three.
 * ChaCha20 for large packets and Poly1305 come from the system's OpenSSL when the process
 * may load it (`openssl_chacha.ts`: `--allow-ffi` or `--allow-all`, and libcrypto 3; a
 * 100 MiB upload then takes ~0.22 s of CPU instead of ~0.32 s); otherwise from node:crypto
 * and ssh2's own Poly1305 WebAssembly build, instantiated once more for these methods.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createCipheriv, randomFillSync, timingSafeEqual } from "node:crypto";
// @ts-types="./ssh2_crypto.d.ts"
import ssh2Crypto from "npm:ssh2@1.17.0/lib/protocol/crypto.js";
// @ts-types="./ssh2_poly1305.d.ts"
import createPoly1305 from "npm:ssh2@1.17.0/lib/protocol/crypto/poly1305.js";
import { chachaBlock, keyWords } from "./chacha20_block.ts";
import { type Markable, SPENT } from "./coalesced_writes.ts";
import { type NativeChaChaPoly, openNativeChaChaPoly } from "./openssl_chacha.ts";

/** The largest packet ssh2 accepts (its MAX_PACKET_SIZE), and the shared buffer's size. */
const MAX_PACKET = 35000;
const CAPACITY = 36 * 1024;
/**
 * Payloads up to this size are encrypted here, larger ones by node:crypto. Measured with
 * 4000 uploads of 4 KiB: the same CPU as node:crypto's three cipher objects per packet, and
 * ~4 MiB less peak RSS than a limit of 512 bytes.
 */
const SMALL = 8 * 1024;
const PATCHED = Symbol.for("deployer.ssh2.chachaPoly");
const STATE = Symbol("deployer.chachaPoly.state");

/** ssh2's Poly1305 WebAssembly module (the emscripten exports used here). */
interface Poly1305Module {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _poly1305_auth(
    out: number,
    m1: number,
    m1Length: number,
    m2: number,
    m2Length: number,
    key: number,
  ): void;
}

/** Poly1305 over `a || b` with a one-time key. */
interface Tagger {
  tag(key: Uint8Array, a: Uint8Array, b: Uint8Array, tag: Uint8Array): void;
}

/** Poly1305 over `a || b` with `key`, through one region of the module's memory. */
class Poly1305 implements Tagger {
  readonly #module: Poly1305Module;
  readonly #message: number;
  readonly #key: number;
  readonly #out: number;

  constructor(module: Poly1305Module) {
    this.#module = module;
    this.#message = module._malloc(CAPACITY);
    this.#key = module._malloc(32);
    this.#out = module._malloc(16);
  }

  /** Writes the tag of `a || b` (lengths up to CAPACITY together) into `tag`. */
  tag(key: Uint8Array, a: Uint8Array, b: Uint8Array, tag: Uint8Array): void {
    const heap = this.#module.HEAPU8;
    heap.set(key, this.#key);
    heap.set(a, this.#message);
    heap.set(b, this.#message + a.length);
    this.#module._poly1305_auth(
      this.#out,
      this.#message,
      a.length,
      this.#message + a.length,
      b.length,
      this.#key,
    );
    tag.set(this.#module.HEAPU8.subarray(this.#out, this.#out + 16));
  }
}

/** What one cipher or decipher keeps here, next to ssh2's own fields. */
interface State {
  main: Uint32Array;
  length: Uint32Array;
  block: Uint32Array;
  bytes: Uint8Array;
  polyKey: Uint8Array;
  iv: Buffer;
  packet?: Buffer;
  busy: boolean;
}

function stateOf(
  holder: { [STATE]?: State },
  mainKey: Buffer,
  lengthKey: Buffer,
): State {
  let state = holder[STATE];
  if (!state) {
    const block = new Uint32Array(16);
    state = holder[STATE] = {
      main: keyWords(mainKey),
      length: keyWords(lengthKey),
      block,
      bytes: new Uint8Array(block.buffer),
      polyKey: new Uint8Array(32),
      iv: Buffer.alloc(16),
      busy: false,
    };
  }
  return state;
}

/** The IV's last word as ssh2 writes it: the sequence number, big-endian. */
function nonceOf(seqno: number): number {
  return (((seqno & 0xff) << 24) | ((seqno >>> 8 & 0xff) << 16) | ((seqno >>> 16 & 0xff) << 8) |
    (seqno >>> 24)) >>> 0;
}

/** XORs `input` with the keystream from block `counter` on into `output`. */
function xorStream(s: State, nonce: number, input: Uint8Array, output: Uint8Array): void {
  for (let at = 0, counter = 1; at < input.length; at += 64, counter++) {
    chachaBlock(s.main, counter, nonce, s.block);
    const n = Math.min(64, input.length - at);
    for (let i = 0; i < n; i++) output[at + i] = input[at + i] ^ s.bytes[i];
  }
}

/** Puts the Poly1305 key (the first half of block 0) into `s.polyKey`. */
function polyKeyOf(s: State, nonce: number): Uint8Array {
  chachaBlock(s.main, 0, nonce, s.block);
  s.polyKey.set(s.bytes.subarray(0, 32));
  return s.polyKey;
}

/** Fields of ssh2's JS chacha20-poly1305 cipher (outbound). */
interface Cipher {
  [STATE]?: State;
  outSeqno: number;
  _encKeyMain: Buffer;
  _encKeyPktLen: Buffer;
  _onWrite(data: Buffer): void;
  _dead: boolean;
}

/** Fields of ssh2's JS chacha20-poly1305 decipher (inbound). */
interface Decipher {
  [STATE]?: State;
  inSeqno: number;
  _onPayload(payload: Buffer): unknown;
  _decKeyMain: Buffer;
  _decKeyPktLen: Buffer;
  _len: number;
  _lenBuf: Buffer;
  _lenPos: number;
  _packet: Uint8Array | null;
  _pktLen: number;
  _mac: Buffer;
  _calcMac: Buffer;
  _macPos: number;
}

function allocPacket(this: Cipher, payloadLength: number): Buffer {
  // ssh2's layout: length, padding length, payload, random padding up to a multiple of
  // 8 bytes (the length field excluded), at least 4 bytes of it.
  let size = 4 + 1 + payloadLength;
  let padding = 8 - ((size - 4) & 7);
  if (padding < 4) padding += 8;
  size += padding;
  const s = stateOf(this, this._encKeyMain, this._encKeyPktLen);
  let packet: Buffer;
  if (s.busy || size > CAPACITY) {
    packet = Buffer.allocUnsafe(size);
  } else {
    packet = (s.packet ??= Buffer.allocUnsafe(CAPACITY)).subarray(0, size);
    s.busy = true;
  }
  packet.writeUInt32BE(size - 4, 0);
  packet[4] = padding;
  randomFillSync(packet, 5 + payloadLength, padding);
  return packet;
}

function encrypt(
  this: Cipher,
  poly: Tagger,
  native: NativeChaChaPoly | undefined,
  packet: Buffer,
): void {
  const s = stateOf(this, this._encKeyMain, this._encKeyPktLen);
  // Encrypted (copied out) or not: the shared buffer is free again. A packet that ssh2
  // queued instead is encrypted by the next cipher and never comes back here.
  if (s.packet && packet.buffer === s.packet.buffer) s.busy = false;
  const body = packet.subarray(4);
  if (this._dead) return; // as ssh2's: a cipher replaced by a re-key sends nothing more
  const nonce = nonceOf(this.outSeqno);
  if (body.length > SMALL) {
    // Bulk data: node:crypto's ChaCha20 is faster here than the block in TypeScript.
    const head = Buffer.allocUnsafe(4);
    chachaBlock(s.length, 0, nonce, s.block);
    for (let i = 0; i < 4; i++) head[i] = packet[i] ^ s.bytes[i];
    const polyKey = polyKeyOf(s, nonce);
    s.iv[0] = 1;
    s.iv.writeUInt32BE(this.outSeqno, 12);
    let sealed: Markable;
    if (native) {
      sealed = Buffer.allocUnsafeSlow(body.length); // an ArrayBuffer of its own
      native.xor(this._encKeyMain, s.iv, body, sealed);
    } else {
      sealed = createCipheriv("chacha20", this._encKeyMain, s.iv).update(body);
    }
    const mac = Buffer.allocUnsafe(16);
    poly.tag(polyKey, head, sealed, mac);
    // Nobody else holds it: a socket that copies it (coalesced_writes.ts) frees it at once.
    sealed[SPENT] = true;
    this._onWrite(head);
    this._onWrite(sealed as Buffer);
    this._onWrite(mac);
    this.outSeqno = (this.outSeqno + 1) >>> 0;
    return;
  }
  const out = Buffer.allocUnsafe(4 + body.length + 16);
  chachaBlock(s.length, 0, nonce, s.block);
  for (let i = 0; i < 4; i++) out[i] = packet[i] ^ s.bytes[i];
  const polyKey = polyKeyOf(s, nonce);
  const sealed = out.subarray(4, 4 + body.length);
  xorStream(s, nonce, body, sealed);
  poly.tag(polyKey, out.subarray(0, 4), sealed, out.subarray(4 + body.length));
  this._onWrite(out);
  this.outSeqno = (this.outSeqno + 1) >>> 0;
}

function decrypt(
  this: Decipher,
  poly: Tagger,
  native: NativeChaChaPoly | undefined,
  data: Uint8Array,
  p: number,
  dataLength: number,
): unknown {
  const s = stateOf(this, this._decKeyMain, this._decKeyPktLen);
  while (p < dataLength) {
    if (this._lenPos < 4) {
      while (this._lenPos < 4 && p < dataLength) this._lenBuf[this._lenPos++] = data[p++];
      if (this._lenPos < 4) return;
      chachaBlock(s.length, 0, nonceOf(this.inSeqno), s.block);
      let length = 0;
      for (let i = 0; i < 4; i++) length = length * 256 + (this._lenBuf[i] ^ s.bytes[i]);
      if (length > MAX_PACKET || length < 8 || (length & 7) !== 0) {
        throw new Error("Bad packet length");
      }
      this._len = length;
    }
    if (this._pktLen < this._len) {
      if (p >= dataLength) return;
      const n = Math.min(this._len - this._pktLen, dataLength - p);
      const piece = new Uint8Array(data.buffer, data.byteOffset + p, n);
      if (n === this._len) {
        this._packet = piece;
      } else {
        this._packet ??= Buffer.allocUnsafe(this._len);
        this._packet.set(piece, this._pktLen);
      }
      p += n;
      this._pktLen += n;
      if (this._pktLen < this._len || p >= dataLength) return;
    }
    {
      const n = Math.min(16 - this._macPos, dataLength - p);
      this._mac.set(new Uint8Array(data.buffer, data.byteOffset + p, n), this._macPos);
      p += n;
      this._macPos += n;
      if (this._macPos < 16) return;
    }
    const nonce = nonceOf(this.inSeqno);
    const sealed = this._packet!;
    poly.tag(polyKeyOf(s, nonce), this._lenBuf, sealed, this._calcMac);
    if (!timingSafeEqual(this._calcMac, this._mac)) throw new Error("Invalid MAC");
    let plain: Uint8Array;
    if (sealed.length <= SMALL) {
      plain = Buffer.allocUnsafe(sealed.length);
      xorStream(s, nonce, sealed, plain);
    } else {
      s.iv[0] = 1;
      s.iv.writeUInt32BE(this.inSeqno, 12);
      if (native) {
        plain = Buffer.allocUnsafeSlow(sealed.length);
        native.xor(this._decKeyMain, s.iv, sealed, plain);
      } else {
        plain = createCipheriv("chacha20", this._decKeyMain, s.iv).update(sealed);
      }
    }
    const payload = Buffer.from(plain.buffer, plain.byteOffset + 1, plain.length - plain[0] - 1);
    this.inSeqno = (this.inSeqno + 1) >>> 0;
    this._len = 0;
    this._lenPos = 0;
    this._packet = null;
    this._pktLen = 0;
    this._macPos = 0;
    const ret = this._onPayload(payload);
    if (ret !== undefined) return ret === false ? p : ret;
  }
}

interface Patchable {
  [PATCHED]?: boolean;
  // deno-lint-ignore no-explicit-any
  [method: string]: any;
}

/** The prototypes of ssh2's JS chacha20-poly1305 cipher and decipher (throwaway instances). */
function prototypes(): [Patchable, Patchable] | undefined {
  const info = ssh2Crypto.CIPHER_INFO["chacha20-poly1305@openssh.com"];
  const key = Buffer.alloc(64);
  const cipher = ssh2Crypto.createCipher({
    outbound: { cipherInfo: info, cipherKey: key, seqno: 0, onWrite: () => {} },
  });
  const decipher = ssh2Crypto.createDecipher({
    inbound: { decipherInfo: info, decipherKey: key, seqno: 0, onPayload: () => {} },
  });
  cipher.free?.();
  decipher.free?.();
  const c = Object.getPrototypeOf(cipher) as Patchable;
  const d = Object.getPrototypeOf(decipher) as Patchable;
  // Only ssh2's JS classes (with the native addon, ssh2 uses it instead).
  const fields = "_encKeyMain" in cipher && "_encKeyPktLen" in cipher &&
    "_decKeyMain" in decipher && "_lenBuf" in decipher;
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  return fields && littleEndian ? [c, d] : undefined;
}

/**
 * Installs the methods described above on ssh2's JS chacha20-poly1305 cipher and decipher
 * (process-wide: every connection using that cipher, from the next packet on). Idempotent;
 * resolves with whether they are installed (false when this ssh2 has no such JS classes).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { installChaChaPoly } from "./ssh2_chacha.ts";
 * assert.equal(await installChaChaPoly(), true);
 * assert.equal(await installChaChaPoly(), true); // once is enough
 * ```
 */
export async function installChaChaPoly(): Promise<boolean> {
  const found = prototypes();
  if (!found) return false;
  const [cipher, decipher] = found;
  if (cipher[PATCHED]) return true;
  const native = openNativeChaChaPoly();
  const poly: Tagger = native ?? new Poly1305(await createPoly1305() as Poly1305Module);
  if (cipher[PATCHED]) return true; // installed meanwhile
  cipher.allocPacket = allocPacket;
  cipher.encrypt = function (this: Cipher, packet: Buffer) {
    encrypt.call(this, poly, native, packet);
  };
  decipher.decrypt = function (this: Decipher, data: Uint8Array, p: number, length: number) {
    return decrypt.call(this, poly, native, data, p, length);
  };
  cipher[PATCHED] = true;
  return true;
}

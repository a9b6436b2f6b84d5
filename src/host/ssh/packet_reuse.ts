/**
 * One plaintext buffer per ssh2 chacha20-poly1305 cipher, used for every outgoing packet.
 *
 * ssh2 (without its optional native addon, as under Deno) builds each outgoing packet in a
 * fresh buffer (`allocPacket`) that `encrypt` reads at once and then drops: 32 KiB of
 * garbage per 32 KiB sent. V8 frees such buffers only when its young generation fills with
 * other objects, so a 100 MiB upload raised the peak RSS by ~15 MiB with them alone. A
 * packet that is encrypted as soon as it is built (the usual case) now goes into the
 * cipher's own buffer; one that ssh2 queues instead (during a key re-exchange, where a
 * later cipher encrypts it) keeps that buffer, and the packets after it get fresh ones as
 * before, so a queued packet is never overwritten.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { randomFillSync } from "node:crypto";
// @ts-types="./ssh2_crypto.d.ts"
import ssh2Crypto from "npm:ssh2@1.17.0/lib/protocol/crypto.js";

/** The largest packet that uses the shared buffer (ssh2 never sends larger ones). */
const CAPACITY = 36 * 1024;
const PATCHED = Symbol.for("deployer.ssh2.packetReuse");
const BUFFER = Symbol("deployer.packetBuffer");
const BUSY = Symbol("deployer.packetBusy");

/** The instance side of ssh2's JS chacha20-poly1305 cipher that this module touches. */
interface CipherInstance {
  [BUFFER]?: Buffer;
  [BUSY]?: boolean;
}

interface CipherPrototype {
  [PATCHED]?: boolean;
  allocPacket(this: CipherInstance, payloadLength: number): Buffer;
  encrypt(this: CipherInstance, packet: Buffer): void;
}

/** The prototype of ssh2's JS chacha20-poly1305 cipher (a throwaway instance tells it). */
function chachaPrototype(): CipherPrototype | undefined {
  const cipher = ssh2Crypto.createCipher({
    outbound: {
      cipherInfo: ssh2Crypto.CIPHER_INFO["chacha20-poly1305@openssh.com"],
      cipherKey: Buffer.alloc(64),
      seqno: 0,
      onWrite: () => {},
      macInfo: undefined,
      macKey: undefined,
    },
  });
  cipher.free?.();
  const prototype = Object.getPrototypeOf(cipher) as CipherPrototype;
  const own = typeof prototype.allocPacket === "function" &&
    typeof prototype.encrypt === "function";
  return own ? prototype : undefined;
}

/**
 * Makes ssh2's chacha20-poly1305 cipher build its outgoing packets in one buffer per
 * connection direction instead of a fresh one each. Idempotent; returns whether the
 * cipher is now patched (false when this ssh2 has no such JS cipher).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { reusePacketBuffers } from "./packet_reuse.ts";
 * assert.equal(reusePacketBuffers(), true);
 * assert.equal(reusePacketBuffers(), true); // once is enough
 * ```
 */
export function reusePacketBuffers(): boolean {
  const prototype = chachaPrototype();
  if (!prototype) return false;
  if (prototype[PATCHED]) return true;
  const allocFresh = prototype.allocPacket;
  const encrypt = prototype.encrypt;
  prototype.allocPacket = function (payloadLength: number): Buffer {
    // The layout of ssh2's own allocPacket: length, padding length, payload, random padding
    // to a multiple of 8 bytes (the length field excluded), at least 4 bytes of it.
    let size = 4 + 1 + payloadLength;
    let padding = 8 - ((size - 4) & 7);
    if (padding < 4) padding += 8;
    size += padding;
    if (this[BUSY] || size > CAPACITY) return allocFresh.call(this, payloadLength);
    const packet = (this[BUFFER] ??= Buffer.allocUnsafe(CAPACITY)).subarray(0, size);
    this[BUSY] = true;
    packet.writeUInt32BE(size - 4, 0);
    packet[4] = padding;
    randomFillSync(packet, 5 + payloadLength, padding);
    return packet;
  };
  prototype.encrypt = function (packet: Buffer): void {
    try {
      encrypt.call(this, packet);
    } finally {
      // Encrypted (copied out): the buffer is free again. A packet of this cipher that was
      // queued instead never comes back here, so its buffer stays taken.
      if (this[BUFFER] && packet.buffer === this[BUFFER].buffer) this[BUSY] = false;
    }
  };
  prototype[PATCHED] = true;
  return true;
}

/**
 * ssh2's chacha20-poly1305 cipher builds packets in one buffer once `reusePacketBuffers()`
 * ran, and never hands out a buffer that a packet waiting to be encrypted (queued during a
 * key re-exchange) still holds. Interoperability with OpenSSH is covered by every upload
 * test against a real sshd (a wrong packet fails its MAC there).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="../../src/host/ssh/ssh2_crypto.d.ts"
import ssh2Crypto from "npm:ssh2@1.17.0/lib/protocol/crypto.js";
import { reusePacketBuffers } from "../../src/host/ssh/packet_reuse.ts";

function cipher(written: Buffer[]) {
  return ssh2Crypto.createCipher({
    outbound: {
      cipherInfo: ssh2Crypto.CIPHER_INFO["chacha20-poly1305@openssh.com"],
      cipherKey: Buffer.alloc(64, 7),
      seqno: 0,
      onWrite: (data: Buffer) => void written.push(Buffer.from(data)),
      macInfo: undefined,
      macKey: undefined,
    },
  });
}

Deno.test("packet reuse: an encrypted packet's buffer is used for the next one", () => {
  assert.equal(reusePacketBuffers(), true);
  const written: Buffer[] = [];
  const c = cipher(written);
  // (Above 4 KiB: smaller unpatched packets would share Buffer's pool, whatever this does.)
  const first = c.allocPacket(20_000);
  c.encrypt(first);
  const second = c.allocPacket(30_000);
  assert.equal(second.buffer, first.buffer);
  // Same layout as ssh2's own: length, padding length, payload, 4..11 bytes of padding.
  assert.equal(second.readUInt32BE(0), second.length - 4);
  assert.ok(second[4] >= 4 && second[4] < 12);
  assert.equal((second.length - 4) % 8, 0);
  c.encrypt(second);
  // Length, payload, MAC of each packet.
  assert.deepEqual(written.map((w) => w.length), [
    4,
    first.length - 4,
    16,
    4,
    second.length - 4,
    16,
  ]);
});

Deno.test("packet reuse: a packet not yet encrypted keeps its buffer", () => {
  reusePacketBuffers();
  const c = cipher([]);
  const queued = c.allocPacket(10_000); // ssh2 queues it during a key re-exchange
  queued.fill(0xaa, 5, 10_005);
  const next = c.allocPacket(10_000);
  assert.notEqual(next.buffer, queued.buffer);
  next.fill(0x55, 5, 10_005);
  assert.ok(queued.subarray(5, 10_005).every((b) => b === 0xaa));
  // A later cipher encrypts the queued packet; this one's buffer stays taken.
  c.encrypt(next);
  assert.notEqual(c.allocPacket(10_000).buffer, queued.buffer);
});

Deno.test("packet reuse: packets larger than the buffer get their own", () => {
  reusePacketBuffers();
  const c = cipher([]);
  const small = c.allocPacket(10_000);
  c.encrypt(small);
  const big = c.allocPacket(64 * 1024);
  assert.notEqual(big.buffer, small.buffer);
  assert.equal(big.readUInt32BE(0), big.length - 4);
});

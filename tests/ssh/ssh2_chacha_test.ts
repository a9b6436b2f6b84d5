/**
 * ssh2's chacha20-poly1305 with `installChaChaPoly()`: outgoing packets are built in one
 * buffer (never one that a packet waiting to be encrypted still holds), and what it
 * encrypts decrypts back, for payloads encrypted in TypeScript (small) and by node:crypto
 * (large; a large ciphertext is marked spent for the socket). Interoperability with OpenSSH is covered by every SSH test against a real sshd
 * (a wrong length, keystream or MAC fails the connection there).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="../../src/host/ssh/ssh2_crypto.d.ts"
import ssh2Crypto from "npm:ssh2@1.17.0/lib/protocol/crypto.js";
import { SPENT } from "../../src/host/ssh/coalesced_writes.ts";
import { installChaChaPoly } from "../../src/host/ssh/ssh2_chacha.ts";
import { openNativeChaChaPoly } from "../../src/host/ssh/openssl_chacha.ts";

const INFO = ssh2Crypto.CIPHER_INFO["chacha20-poly1305@openssh.com"];
const KEY = Buffer.from(Array.from({ length: 64 }, (_, i) => i * 7 + 1));

function cipher(written: Buffer[], seqno = 5) {
  return ssh2Crypto.createCipher({
    outbound: {
      cipherInfo: INFO,
      cipherKey: KEY,
      seqno,
      onWrite: (data: Buffer) => void written.push(Buffer.from(data)),
    },
  });
}

function decipher(payloads: Buffer[], seqno = 5) {
  return ssh2Crypto.createDecipher({
    inbound: {
      decipherInfo: INFO,
      decipherKey: KEY,
      seqno,
      onPayload: (payload: Buffer) => void payloads.push(Buffer.from(payload)),
    },
  });
}

function packet(c: ReturnType<typeof cipher>, payload: Uint8Array): Buffer {
  const p = c.allocPacket(payload.length);
  p.set(payload, 5);
  return p;
}

Deno.test("chacha20-poly1305: ssh2's own methods and these read each other's packets", async () => {
  // ssh2's methods, taken before installing (this is the file's first test).
  const ownEncrypt = Object.getPrototypeOf(cipher([])).encrypt;
  const ownDecrypt = Object.getPrototypeOf(decipher([])).decrypt;
  const sizes = [3, 200, 511, 513, 9000, 32_000];
  const sent = sizes.map((size) => Buffer.from(Array.from({ length: size }, (_, i) => i % 13)));
  const theirs: Buffer[] = [];
  const before = cipher(theirs, 9);
  for (const payload of sent) before.encrypt(packet(before, payload));
  assert.equal(await installChaChaPoly(), true);
  const payloads: Buffer[] = [];
  const wire = Buffer.concat(theirs);
  decipher(payloads, 9).decrypt(wire, 0, wire.length);
  assert.ok(payloads.length === sizes.length && payloads.every((p, i) => p.equals(sent[i])));
  const ours: Buffer[] = [];
  const after = cipher(ours, 9);
  for (const payload of sent) after.encrypt(packet(after, payload));
  assert.notEqual(Object.getPrototypeOf(after).encrypt, ownEncrypt);
  const back: Buffer[] = [];
  const reader = decipher(back, 9);
  const ourWire = Buffer.concat(ours);
  ownDecrypt.call(reader, ourWire, 0, ourWire.length);
  assert.ok(back.length === sizes.length && back.every((p, i) => p.equals(sent[i])));
});

Deno.test("chacha20-poly1305: an encrypted packet's buffer is used for the next one", async () => {
  assert.equal(await installChaChaPoly(), true);
  const c = cipher([]);
  // (Above 4 KiB: smaller unpatched packets would share Buffer's pool, whatever this does.)
  const first = c.allocPacket(20_000);
  c.encrypt(first);
  const second = c.allocPacket(30_000);
  assert.equal(second.buffer, first.buffer);
  // ssh2's layout: length, padding length, payload, 4..11 bytes of padding.
  assert.equal(second.readUInt32BE(0), second.length - 4);
  assert.ok(second[4] >= 4 && second[4] < 12);
  assert.equal((second.length - 4) % 8, 0);
});

Deno.test("chacha20-poly1305: a packet not yet encrypted keeps its buffer", async () => {
  await installChaChaPoly();
  const c = cipher([]);
  const queued = c.allocPacket(10_000); // ssh2 queues it during a key re-exchange
  queued.fill(0xaa, 5, 10_005);
  const next = c.allocPacket(10_000);
  assert.notEqual(next.buffer, queued.buffer);
  next.fill(0x55, 5, 10_005);
  assert.ok(queued.subarray(5, 10_005).every((b) => b === 0xaa));
  c.encrypt(next);
  assert.notEqual(c.allocPacket(10_000).buffer, queued.buffer);
});

Deno.test("chacha20-poly1305: what the cipher encrypts the decipher gives back", async () => {
  await installChaChaPoly();
  const written: Buffer[] = [];
  const payloads: Buffer[] = [];
  const c = cipher(written);
  const sizes = [0, 1, 100, 499, 500, 507, 508, 600, 4096, 32_768];
  const sent = sizes.map((size) => Buffer.from(Array.from({ length: size }, (_, i) => i % 251)));
  for (const payload of sent) c.encrypt(packet(c, payload));
  // The wire bytes arrive in odd pieces, as from a socket.
  const wire = Buffer.concat(written);
  const d = decipher(payloads);
  for (let at = 0; at < wire.length; at += 997) {
    const piece = wire.subarray(at, Math.min(wire.length, at + 997));
    d.decrypt(piece, 0, piece.length);
  }
  assert.deepEqual(payloads.map((p) => p.length), sizes);
  assert.ok(payloads.every((p, i) => p.equals(sent[i])));
  // A flipped bit fails the MAC.
  const bad = Buffer.from(wire.subarray(0, 40));
  bad[10] ^= 1;
  assert.throws(() => decipher([]).decrypt(bad, 0, bad.length), /Invalid MAC/);
});

Deno.test("chacha20-poly1305: a large packet's ciphertext is written once and marked spent", async () => {
  await installChaChaPoly();
  const writes: Uint8Array[] = [];
  const c = ssh2Crypto.createCipher({
    outbound: {
      cipherInfo: INFO,
      cipherKey: KEY,
      seqno: 3,
      onWrite: (data: Buffer) => void writes.push(data),
    },
  });
  c.encrypt(packet(c, new Uint8Array(20_000).fill(1)));
  // Length, ciphertext (its own ArrayBuffer, for the socket to free once it has copied it),
  // MAC; a small packet is one buffer and not marked.
  assert.deepEqual(writes.map((w) => w.length), [4, 20_008, 16]);
  const sealed = writes[1] as Uint8Array & { [SPENT]?: boolean };
  assert.equal(sealed[SPENT], true);
  assert.ok(sealed.byteOffset === 0 && sealed.buffer.byteLength === sealed.length);
  c.encrypt(packet(c, new Uint8Array(100)));
  assert.equal(writes.length, 4);
  assert.equal((writes[3] as { [SPENT]?: boolean })[SPENT], undefined);
});

Deno.test(
  "chacha20-poly1305: without FFI (node:crypto and ssh2's Poly1305) the same tests pass",
  { ignore: Deno.env.get("DEPLOYER_CHACHA_CHILD") === "1" },
  async () => {
    // The tests above, in a process that may not load OpenSSL (no --allow-ffi).
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-read", "--allow-env", new URL(import.meta.url).pathname],
      env: { DEPLOYER_CHACHA_CHILD: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    // deno-lint-ignore no-control-regex
    assert.match(text.replace(/\x1b\[[0-9;]*m/g, ""), /ok \| 6 passed \| 0 failed \| 1 ignored/);
  },
);

Deno.test(
  "chacha20-poly1305: OpenSSL is used exactly when FFI is allowed",
  async () => {
    const ffi = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
    const exists = (() => {
      try {
        return Deno.statSync("/usr/lib/x86_64-linux-gnu/libcrypto.so.3").isFile;
      } catch {
        return false;
      }
    })();
    if (exists) assert.equal(openNativeChaChaPoly() !== undefined, ffi);
    else assert.equal(openNativeChaChaPoly(), undefined);
  },
);

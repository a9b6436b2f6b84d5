import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import {
  appendKnownHost,
  checkHostKey,
  entryMatches,
  fingerprintOfBlob,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  readKnownHosts,
} from "../../src/host/ssh/known_hosts.ts";
import { knownHostsFor } from "../../src/host/ssh/known_hosts_lookup.ts";

function hashed(name: string, salt = Buffer.from("0123456789abcdefghij")): string {
  const hash = createHmac("sha1", salt).update(name).digest("base64");
  return `|1|${salt.toString("base64")}|${hash}`;
}

Deno.test("knownHostsName uses [host]:port for ports other than 22", () => {
  assert.equal(knownHostsName("example.com", 22), "example.com");
  assert.equal(knownHostsName("127.0.0.1", 2222), "[127.0.0.1]:2222");
});

Deno.test("parseKnownHosts reads host lists, markers and skips comments and junk", () => {
  const entries = parseKnownHosts(
    [
      "# comment",
      "",
      "web1,10.0.0.1 ssh-ed25519 AAAAkey1 comment here",
      "@revoked * ssh-rsa AAAAbad",
      "@cert-authority *.example.com ssh-ed25519 AAAAca",
      "@unknown-marker x ssh-rsa AAAA",
      "too-short ssh-rsa",
    ].join("\n"),
    "kh",
  );
  assert.equal(entries.length, 3);
  assert.deepEqual(entries[0].patterns, ["web1", "10.0.0.1"]);
  assert.equal(entries[0].keyType, "ssh-ed25519");
  assert.equal(entries[0].key, "AAAAkey1");
  assert.equal(entries[0].file, "kh");
  assert.equal(entries[1].marker, "revoked");
  assert.equal(entries[2].marker, "cert-authority");
});

Deno.test("hashed entries match the right name only (HMAC-SHA1)", () => {
  const [entry] = parseKnownHosts(`${hashed("[127.0.0.1]:2222")} ssh-ed25519 AAAA`, "kh");
  assert.ok(entryMatches(entry, "[127.0.0.1]:2222"));
  assert.ok(!entryMatches(entry, "127.0.0.1"));
  assert.ok(!entryMatches(entry, "[127.0.0.1]:2223"));
});

Deno.test("wildcards and negations follow OpenSSH", () => {
  const [entry] = parseKnownHosts("*.example.com,!db.example.com,web? ssh-ed25519 AAAA", "kh");
  assert.ok(entryMatches(entry, "a.example.com"));
  assert.ok(entryMatches(entry, "WEB1"));
  assert.ok(!entryMatches(entry, "db.example.com"));
  assert.ok(!entryMatches(entry, "example.com"));
  assert.ok(!entryMatches(entry, "web12"));
});

Deno.test("checkHostKey: known, changed, unknown by type, revoked", () => {
  const entries = parseKnownHosts(
    [
      "[h]:2222 ssh-ed25519 KEY1",
      "[h]:2222 ssh-rsa RSA1",
      "@revoked [h]:2222 ssh-ed25519 BAD",
      `${hashed("other")} ssh-ed25519 KEY2`,
    ].join("\n"),
    "kh",
  );
  assert.equal(checkHostKey(entries, "[h]:2222", "ssh-ed25519", "KEY1"), "known");
  assert.equal(checkHostKey(entries, "[h]:2222", "ssh-rsa", "RSA1"), "known");
  assert.equal(checkHostKey(entries, "[h]:2222", "ssh-ed25519", "KEY9"), "changed");
  assert.equal(checkHostKey(entries, "[h]:2222", "ecdsa-sha2-nistp256", "E"), "unknown");
  assert.equal(checkHostKey(entries, "[h]:2222", "ssh-ed25519", "BAD"), "revoked");
  assert.equal(checkHostKey(entries, "h", "ssh-ed25519", "KEY1"), "unknown");
  assert.equal(checkHostKey(entries, "other", "ssh-ed25519", "KEY2"), "known");
  assert.equal(checkHostKey(entries, "other", "ssh-ed25519", "KEY1"), "changed");
  assert.deepEqual(knownKeyTypes(entries, "[h]:2222"), ["ssh-ed25519", "ssh-rsa"]);
});

Deno.test("key type and SHA256 fingerprint of a real public key match ssh-keygen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const key = `${dir}/k`;
    const gen = await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", "", "-f", key],
    }).output();
    assert.ok(gen.success);
    const blob = Buffer.from((await Deno.readTextFile(`${key}.pub`)).split(" ")[1], "base64");
    const out = await new Deno.Command("ssh-keygen", { args: ["-l", "-f", `${key}.pub`] })
      .output();
    const expected = new TextDecoder().decode(out.stdout).split(" ")[1];
    assert.equal(keyTypeOfBlob(blob), "ssh-ed25519");
    assert.equal(fingerprintOfBlob(blob), expected);
    assert.equal(
      fingerprintOfBlob(blob),
      `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("appendKnownHost creates the directory 0700 and appends lines readKnownHosts finds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/ssh/known_hosts`;
    await appendKnownHost(file, "[h]:2222", "ssh-ed25519", "KEY1");
    await Deno.writeTextFile(file, "h2 ssh-rsa RSA", { append: true }); // no trailing newline
    await appendKnownHost(file, "h3", "ssh-ed25519", "KEY3");
    assert.equal((await Deno.stat(`${dir}/ssh`)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    const entries = await readKnownHosts([file, `${dir}/missing`]);
    assert.deepEqual(entries.map((e) => e.patterns[0]), ["[h]:2222", "h2", "h3"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("patterns with many stars match in polynomial time, like OpenSSH", () => {
  const [entry] = parseKnownHosts(`${"*".repeat(60)}z,${"*a".repeat(30)}b ssh-ed25519 AAAA`, "kh");
  assert.ok(!entryMatches(entry, "[127.0.0.1]:2222"));
  assert.ok(!entryMatches(entry, "a".repeat(200)));
  assert.ok(entryMatches(entry, `${"a".repeat(200)}b`));
  assert.ok(entryMatches(entry, "[127.0.0.1]:2222z"));
});

Deno.test("readKnownHosts reads 150,000 lines; with a memo it parses a file once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/known_hosts`;
    const lines = Array.from({ length: 150_000 }, (_, i) => `h${i} ssh-ed25519 K${i}`);
    await Deno.writeTextFile(file, lines.join("\n"));
    const memo = new Map<string, unknown>();
    const entries = await readKnownHosts([file], memo);
    assert.equal(entries.length, 150_000);
    assert.equal(checkHostKey(entries, "h149999", "ssh-ed25519", "K149999"), "known");
    const again = await readKnownHosts([file], memo);
    assert.equal(again[0], entries[0], "the same parsed entries");
    await appendKnownHost(file, "new", "ssh-ed25519", "KNEW");
    const changed = await readKnownHosts([file], memo);
    assert.equal(changed.length, 150_001);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readKnownHosts: /dev/null is empty, a FIFO or device is refused and named", async () => {
  assert.deepEqual(await readKnownHosts(["/dev/null"]), []);
  await assert.rejects(
    readKnownHosts(["/dev/zero"]),
    /cannot read known_hosts file "\/dev\/zero": not a regular file \(a character device\)/,
  );
});

Deno.test("knownHostsFor finds the same lines, in file order, as testing every line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/known_hosts`;
    const lines = [
      "web1,10.0.0.1 ssh-ed25519 A1",
      "*.example.com,!db.example.com ssh-rsa A2",
      `${hashed("web1")} ssh-rsa A3`,
      "[10.0.0.1]:2222 ssh-ed25519 A4",
      "WEB1 ecdsa-sha2-nistp256 A5",
      "@revoked web1 ssh-ed25519 A6",
      "@cert-authority *.example.com ssh-ed25519 A7",
      "w?b1 ssh-rsa A8",
      `other,${hashed("[10.0.0.1]:2222")} ssh-rsa A9`,
      "!web1,* ssh-rsa A10",
      "web1 ssh-ed25519 A11",
    ];
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const entries = await readKnownHosts([file]);
    const memo = new Map<string, unknown>();
    const names = [
      "web1",
      "Web1",
      "10.0.0.1",
      "[10.0.0.1]:2222",
      "a.example.com",
      "db.example.com",
      "wab1",
      "none",
    ];
    for (const name of names) {
      const expected = entries.filter((e) => entryMatches(e, name)).map((e) => e.key);
      const found = (await knownHostsFor([file, `${dir}/missing`], name, memo)).map((e) => e.key);
      assert.deepEqual(found, expected, name);
    }
    assert.deepEqual(
      (await knownHostsFor([file], "web1", memo)).map((e) => e.key),
      ["A1", "A3", "A5", "A6", "A8", "A11"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

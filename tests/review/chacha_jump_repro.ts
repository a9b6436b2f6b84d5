/**
 * REPRO (not part of the suite: the fix belongs to transport.ts / ssh2_chacha.ts, owned by
 * another helper). Run: `deno test --allow-all tests/review/chacha_jump_repro.ts`.
 *
 * A server reached through a jump host, where both offer only chacha20-poly1305 (e.g.
 * `Ciphers chacha20-poly1305@openssh.com`, a common hardening line): the nested
 * connection never finishes authenticating and fails after handshakeTimeout (60 s by
 * default) with "timed out ... authenticating". transport.ts only stops *preferring*
 * chacha through a jump host; when the servers offer nothing else it is still chosen, and
 * ssh2's chacha20-poly1305 state is shared between the outer and the nested connection.
 * Expected: it connects (or, if it cannot, fails at once saying why).
 */
import assert from "node:assert/strict";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { CONTEXT } from "../ssh/_setup.ts";

Deno.test("repro: chacha20-poly1305 only, through a jump host", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(2, {
    config: ["Ciphers chacha20-poly1305@openssh.com"],
  });
  const [jump, target] = ssh.servers;
  const connection = await new SshHost({
    slug: "inner",
    address: target.address,
    port: target.port,
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    proxyJump: `${ssh.keyUser.name}@${jump.address}:${jump.port}`,
    configFile: false,
    knownHostsFiles: [ssh.knownHostsFile],
    agent: false,
    handshakeTimeout: 5000,
  }).connect(CONTEXT);
  try {
    assert.ok((await connection.home()).startsWith("/"));
  } finally {
    await connection.close();
  }
});

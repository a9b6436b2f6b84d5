/**
 * A connection through a jump host when both servers accept only chacha20-poly1305: the
 * nested connection's packets are written from inside the outer connection's, which
 * ssh2's own chacha20-poly1305 gets wrong (shared nonce); transport.ts installs the
 * methods of ssh2_chacha.ts first. Without that, authentication never finished and the
 * connection failed after handshakeTimeout.
 */
import assert from "node:assert/strict";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { CONTEXT } from "./_setup.ts";

Deno.test(
  "jump host: chacha20-poly1305-only servers: connects; a large file goes there and back",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2, {
      config: ["Ciphers chacha20-poly1305@openssh.com"],
    });
    const [jump, target] = ssh.servers;
    const connection = await new SshHost({
      slug: "behind",
      address: target.address,
      port: target.port,
      username: ssh.keyUser.name,
      keyFile: ssh.keyUser.keyFile,
      proxyJump: `${ssh.keyUser.name}@${jump.address}:${jump.port}`,
      configFile: false,
      knownHostsFiles: [ssh.knownHostsFile],
      agent: false,
      handshakeTimeout: 10_000,
    }).connect(CONTEXT);
    const path = `${await connection.home()}/through-${crypto.randomUUID()}`;
    try {
      const data = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 7 + (i >> 11)) & 0xff);
      await connection.writeFile(path, data);
      const back = await connection.readFile(path);
      assert.ok(back.length === data.length && back.every((b, i) => b === data[i]));
    } finally {
      await connection.remove(path).catch(() => {});
      await connection.close();
    }
  },
);

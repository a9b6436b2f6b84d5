/**
 * Review of the connect deadlines against real servers: a real sshd whose authentication
 * never answers (an `AuthorizedKeysCommand` that hangs) fails with the host, the phase and
 * the option named; an explicit `handshakeTimeout` shorter than `connectTimeout` is the one
 * that bounds the key exchange; ssh_config's `ConnectTimeout` bounds reaching the server.
 */
import assert from "node:assert/strict";
import { ConnectionError } from "../../mod.ts";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSilentServer, startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { killAll, uniqueSeconds } from "../_support/procs.ts";
import { CONTEXT, keyHost } from "../ssh/_setup.ts";

Deno.test(
  "review connect: an authentication that never answers names host, phase and option",
  NEEDS_SSH,
  async () => {
    const seconds = uniqueSeconds();
    // sshd runs the command only from a root-owned path no one else can write.
    const dir = await Deno.makeTempDir({ dir: "/run", prefix: "deployer-review-" });
    try {
      await Deno.chmod(dir, 0o755);
      await Deno.writeTextFile(`${dir}/keys`, `#!/bin/sh\nexec sleep ${seconds}\n`, {
        mode: 0o755,
      });
      await using ssh = await startSshServers(1, {
        config: [
          "AuthorizedKeysFile none",
          `AuthorizedKeysCommand ${dir}/keys`,
          "AuthorizedKeysCommandUser nobody",
        ],
      });
      const [server] = ssh.servers;
      const host = keyHost(ssh, 0, { connectTimeout: 5000, handshakeTimeout: 1500 });
      const error = await host.connect(CONTEXT).catch((e) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.equal(
        error.message,
        `Cannot connect to host "${server.slug}": timed out after 1500 ms authenticating ` +
          `(127.0.0.1:${server.port}, handshakeTimeout)`,
      );
    } finally {
      await killAll(`sleep ${seconds}`);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "review connect: handshakeTimeout shorter than connectTimeout bounds the key exchange",
  async () => {
    // A server that sends its banner, then never answers the key exchange.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const conns: Deno.Conn[] = [];
    const serving = (async () => {
      for await (const conn of listener) {
        conns.push(conn);
        await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2 mute\r\n"));
      }
    })().catch(() => {});
    try {
      const host = new SshHost({
        slug: "mute",
        address: "127.0.0.1",
        port,
        username: "nobody",
        configFile: false,
        agent: false,
        connectTimeout: 30_000,
        handshakeTimeout: 300,
      });
      const error = await host.connect(CONTEXT).catch((e) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.match(error.message, /^Cannot connect to host "mute": timed out after 300 ms/);
      assert.match(error.message, /key exchange .*handshakeTimeout\)$/);
    } finally {
      listener.close();
      await serving;
      for (const c of conns) c.close();
    }
  },
);

Deno.test("review connect: ssh_config ConnectTimeout bounds a server that never speaks", async () => {
  await using silent = await startSilentServer();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config`,
      `Host quiet\n  HostName 127.0.0.1\n  Port ${silent.port}\n  ConnectTimeout 1\n`,
    );
    const host = new SshHost({
      slug: "quiet",
      address: "quiet",
      username: "nobody",
      configFile: `${dir}/config`,
      agent: false,
    });
    const error = await host.connect(CONTEXT).catch((e) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, /^Cannot connect to host "quiet": timed out after 1000 ms/);
    assert.match(error.message, /connectTimeout\)$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Which deadline covers which phase of connecting: `connectTimeout` bounds reaching the
 * server (TCP connect until the server's SSH banner), like OpenSSH's ConnectTimeout;
 * `handshakeTimeout` bounds the key exchange and authentication after it. The faults are
 * real: a TCP server that never speaks, one that sends a banner and then stalls, and a relay
 * in front of a real sshd that delays the key exchange or keeps our own process busy.
 */
import assert from "node:assert/strict";
import { ConnectionError, Env, sh } from "../../mod.ts";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSilentServer, startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { type Relay, type RelayMode, startRelay } from "./_relay.ts";
import { CONTEXT } from "./_setup.ts";

/** A TCP server on 127.0.0.1 that sends an SSH banner, then reads and never answers. */
function startBannerOnlyServer(): { port: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const readers: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        readers.push((async () => {
          try {
            await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2 stalls\r\n"));
            const buffer = new Uint8Array(4096);
            while ((await conn.read(buffer)) !== null) {
              // swallow the client's key exchange; never answer it
            }
          } catch {
            // closed
          }
        })());
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed by the client
        }
      }
      await Promise.all(readers);
    },
  };
}

function plainHost(slug: string, port: number, extra: Record<string, unknown> = {}): SshHost {
  return new SshHost({
    slug,
    address: "127.0.0.1",
    port,
    username: "nobody",
    configFile: false,
    agent: false,
    ...extra,
  });
}

Deno.test("connect: no banner is a connectTimeout error naming the phase", async () => {
  await using silent = await startSilentServer();
  const error = await plainHost("mute", silent.port, { connectTimeout: 300 }).connect(CONTEXT)
    .catch((e) => e);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.match(
    error.message,
    new RegExp(
      `^Cannot connect to host "mute": timed out after 300 ms during SSH handshake, ` +
        `waiting for the server's SSH banner \\(127\\.0\\.0\\.1:${silent.port}, connectTimeout\\)`,
    ),
  );
});

Deno.test(
  "connect: a key exchange that stalls after the banner is a handshakeTimeout error",
  async () => {
    await using server = startBannerOnlyServer();
    const host = plainHost("stuck", server.port, { connectTimeout: 200, handshakeTimeout: 700 });
    const error = await host.connect(CONTEXT).catch((e) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(
      error.message,
      new RegExp(
        `^Cannot connect to host "stuck": timed out after 700 ms during SSH handshake, ` +
          `in key exchange \\(127\\.0\\.0\\.1:${server.port}, handshakeTimeout\\)`,
      ),
    );
  },
);

/** Runs `echo` on every relay (one host each) in one Env; resolves to what each printed. */
async function echoThrough(
  relays: Relay[],
  hostKey: string,
  ssh: { keyUser: { name: string; keyFile?: string }; dir: string },
  connectTimeout: number,
): Promise<string[]> {
  const knownHosts = `${ssh.dir}/known_hosts_relay_${relays[0].port}`;
  await Deno.writeTextFile(
    knownHosts,
    relays.map((r) => `[127.0.0.1]:${r.port} ${hostKey}\n`).join(""),
  );
  const hosts = relays.map((relay, i) =>
    new SshHost({
      slug: `relayed${i}`,
      address: "127.0.0.1",
      port: relay.port,
      username: ssh.keyUser.name,
      keyFile: ssh.keyUser.keyFile,
      knownHostsFiles: [knownHosts],
      configFile: false,
      agent: false,
      connectTimeout,
    })
  );
  await using env = new Env({ interactive: false, parallel: hosts.length });
  const result = await env.hostSet({ web: hosts }).run(sh`echo ok`);
  return result.values().map((r) => r.stdout);
}

Deno.test(
  "connect: a key exchange slower than connectTimeout still connects",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const [server] = ssh.servers;
    const mode: RelayMode = { kind: "hold-after-banner", ms: 2400 };
    const relays = [startRelay(server, mode), startRelay(server, mode), startRelay(server, mode)];
    try {
      // The banner comes at once; the server's key exchange reply 3x connectTimeout later.
      assert.deepEqual(await echoThrough(relays, server.hostPublicKey, ssh, 800), [
        "ok\n",
        "ok\n",
        "ok\n",
      ]);
    } finally {
      for (const relay of relays) await relay[Symbol.asyncDispose]();
    }
  },
);

Deno.test(
  "connect: our own process busy past connectTimeout while banners wait unread is no timeout",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const [server] = ssh.servers;
    // Each accepted connection gets its banner, then blocks the whole process for 2.5x
    // connectTimeout: the timers of every host expire while their banners sit unread.
    const mode: RelayMode = { kind: "busy-after-banner", ms: 1000 };
    const relays = [startRelay(server, mode), startRelay(server, mode), startRelay(server, mode)];
    try {
      assert.deepEqual(await echoThrough(relays, server.hostPublicKey, ssh, 400), [
        "ok\n",
        "ok\n",
        "ok\n",
      ]);
    } finally {
      for (const relay of relays) await relay[Symbol.asyncDispose]();
    }
  },
);

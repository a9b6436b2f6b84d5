/**
 * Review of the per-Env memo of known_hosts with `accept-new`: a key one connection
 * records is seen by the next connection of the same Env (the file's stamp changed), and
 * connections that meet the same unknown server at once record it once.
 */
import assert from "node:assert/strict";
import { Env, sh } from "../../mod.ts";
import { SshHost } from "../../src/host/ssh/mod.ts";
import type { HostKeyPolicy } from "../../src/host/ssh/host_key.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

function on(
  ssh: TestServers,
  index: number,
  slug: string,
  knownHosts: string,
  hostKeyPolicy: HostKeyPolicy,
) {
  const server = ssh.servers[index];
  return new SshHost({
    slug,
    address: server.address,
    port: server.port,
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFiles: [knownHosts],
    configFile: false,
    agent: false,
    hostKeyPolicy,
  });
}

Deno.test(
  "review memo: accept-new records a key the next connection of the same Env sees",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const dir = await Deno.makeTempDir();
    const knownHosts = `${dir}/known_hosts`;
    try {
      await Deno.writeTextFile(knownHosts, "");
      await using env = new Env({ interactive: false });
      const echo = async (host: SshHost) => (await env.host(host).run(sh`echo ok`)).stdout;
      assert.equal(await echo(on(ssh, 0, "a1", knownHosts, "accept-new")), "ok\n");
      // Recorded by a1, in the same Env: a strict host on the same server trusts it.
      assert.equal(await echo(on(ssh, 0, "a2", knownHosts, "strict")), "ok\n");
      // Three hosts meet server 1 at once.
      const three = ["b1", "b2", "b3"].map((slug) => on(ssh, 1, slug, knownHosts, "accept-new"));
      assert.deepEqual(await Promise.all(three.map(echo)), ["ok\n", "ok\n", "ok\n"]);
      assert.equal(await echo(on(ssh, 1, "b4", knownHosts, "strict")), "ok\n");
      const lines = (await Deno.readTextFile(knownHosts)).split("\n").filter(Boolean);
      const of = (i: number) =>
        lines.filter((l) => l.startsWith(`[127.0.0.1]:${ssh.servers[i].port} `));
      assert.equal(of(0).length, 1, lines.join("\n"));
      assert.equal(
        of(1).length,
        1,
        `server 1 recorded ${of(1).length} times:\n${lines.join("\n")}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * A link that goes silent (sshd stopped with SIGSTOP: no FIN, no RST, no answer) ends
 * a running command once keepalive gives up; the next command cannot reconnect. No timing is
 * asserted; bench/link_down.ts measures the bound.
 */
import assert from "node:assert/strict";
import { ConnectionError, DeployerError, Env, sh } from "../../mod.ts";
import { descendants, signal } from "../../src/testing/_proc_tree.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

async function sleepRunsUnder(root: number): Promise<boolean> {
  for (const pid of await descendants(root)) {
    try {
      const argv = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
      if (argv[0].endsWith("sleep") && argv[1] === "6017") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

Deno.test(
  "ssh: a stopped server fails a running command, then the next one with a ConnectionError",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const server = ssh.servers[0];
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh, 0, { keepaliveInterval: 200, connectTimeout: 1000 }));
    await host.run(sh`true`);
    const running = host.run(sh`sleep 6017`).then(() => undefined, (e) => e);
    // Freeze the server only once the command runs there (not while its channel opens).
    const deadline = Date.now() + 30_000;
    while (!(await sleepRunsUnder(server.pid))) {
      if (Date.now() > deadline) throw new Error("the remote sleep never started");
      await new Promise((r) => setTimeout(r, 20));
    }
    const pids = [server.pid, ...await descendants(server.pid)];
    for (const pid of pids) signal(pid, "SIGSTOP");
    try {
      const lost = await running;
      assert.ok(lost instanceof DeployerError, `expected a DeployerError, got ${lost}`);
      assert.match(lost.message, new RegExp(`host "${server.slug}"`));
      assert.match(lost.message, /connection was lost/);
      const next = await host.run(sh`true`).then(() => undefined, (e) => e);
      assert.ok(next instanceof ConnectionError, `expected a ConnectionError, got ${next}`);
      assert.match(next.message, new RegExp(`host "${server.slug}"`));
    } finally {
      for (const pid of pids) signal(pid, "SIGCONT");
    }
  },
);

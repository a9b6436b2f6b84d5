/**
 * One long command never breaks the connection: a command of 300 KiB (more than an SSH
 * packet or a Linux argument may hold) runs, a normal command running at the same time on
 * the same connection succeeds, and errors show long commands shortened.
 */
import assert from "node:assert/strict";
import { CommandError, Env, sh } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

const LONG = "x".repeat(300 * 1024);

Deno.test(
  "ssh: a 300 KiB command runs and a concurrent command on the host succeeds",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const [long, normal] = await Promise.allSettled([
      host.run(sh`printf %s ${LONG} | wc -c`),
      host.run(sh`echo normal`),
    ]);
    const why = (r: PromiseSettledResult<unknown>) =>
      r.status === "rejected" ? String(r.reason) : "";
    assert.equal(normal.status === "fulfilled" && normal.value.stdout, "normal\n", why(normal));
    assert.equal(
      long.status === "fulfilled" && long.value.stdout.trim(),
      String(LONG.length),
      why(long),
    );
    const sudo = await host.sudo(sh`printf %s ${LONG} | wc -c`);
    assert.equal(sudo.stdout.trim(), String(LONG.length));
  },
);

Deno.test(
  "ssh: a failing long command gives a short error naming its length",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const error = await env.host(keyHost(ssh)).run(sh`: ${LONG}; exit 3`).catch((e) => e);
    assert.ok(error instanceof CommandError, String(error));
    assert.equal(error.code, 3);
    assert.ok(error.message.length < 1000, `${error.message.length} characters`);
    assert.match(error.message, /… \(\d+ characters\)/);
  },
);

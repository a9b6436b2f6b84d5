/**
 * Failures on real machines: a machine killed in the middle of a deploy fails that host
 * only while the other finishes; after a reboot (clean or after the crash) the site is served
 * again without a redeploy; a machine re-provisioned with new host keys is refused with the
 * changed-key error.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { HostKeyError, ParallelError } from "../../src/errors.ts";
import type { LogEvent, Logger } from "../../src/exec/logger.ts";
import { machineSupport, startMachines, type TestMachine } from "../../src/testing/mod.ts";
import { StaticSite } from "../../examples/static_site.ts";
import { curl, e2eTempDir, machineHosts, waitForPage } from "./_support.ts";

const reason = await machineSupport();
const ignore = reason !== undefined;
const suffix = ignore ? ` (ignored: ${reason})` : "";

/** Pulls the plug on `machine` when `host` starts a command matching `when`. */
class KillOn implements Logger {
  killed?: Promise<void>;
  constructor(readonly host: string, readonly when: RegExp, readonly machine: TestMachine) {}
  log(event: LogEvent): void {
    if (
      !this.killed && event.type === "command.start" && event.host === this.host &&
      this.when.test(event.command)
    ) {
      this.killed = this.machine.kill();
    }
  }
}

Deno.test({
  name: `failures on real machines: killed mid-deploy, reboot, new host keys${suffix}`,
  ignore,
  async fn(t) {
    await using set = await startMachines(2);
    const [m1, m2] = set.machines;
    const source = await e2eTempDir("site");
    try {
      const hosts = machineHosts(set, ["web1", "web2"]);
      const site = class extends StaticSite {
        override source = source;
        override port = 8080;
        override serverName = "_";
      };
      const url = (m: TestMachine) => `http://${m.address}:8080/`;
      await Deno.writeTextFile(`${source}/index.html`, "release one\n");
      {
        await using env = new Env({ interactive: false });
        await env.bind(site, { hosts: { host: hosts } }).deploy();
      }

      await t.step("a machine killed mid-deploy: its error; the other host finishes", async () => {
        await Deno.writeTextFile(`${source}/index.html`, "release two\n");
        const killer = new KillOn("web2", /^mkdir -p /, m2);
        await using env = new Env({ interactive: false, loggers: [killer] });
        const error = await env.bind(site, { hosts: { host: hosts } }).deploy().catch((e) => e);
        await killer.killed;
        assert.ok(error instanceof ParallelError, String(error));
        assert.deepEqual(error.outcomes.map((o) => [o.host, o.ok]), [["web1", true], [
          "web2",
          false,
        ]]);
        assert.match(error.message, /failed on 1 of 2 hosts \(web2\)/);
        assert.match(error.message, /\[web2\] .*(web2|connection|closed|lost)/i);
        await waitForPage(url(m1), "release two");
        assert.equal((await curl(url(m2))).status, 0, "the killed machine answers nothing");
      });

      await t.step("after a reboot the site is served again without a redeploy", async () => {
        await m2.start(); // after the crash: still the first release (never switched)
        await waitForPage(url(m2), "release one");
        await m1.stop(); // a clean reboot
        await m1.start();
        await waitForPage(url(m1), "release two");
      });

      await t.step("a re-provisioned machine is refused with the changed-key error", async () => {
        await m2.reprovision();
        await using env = new Env({ interactive: false });
        const error = await env.bind(site, { hosts: { host: hosts } }).deploy().catch((e) => e);
        assert.ok(error instanceof ParallelError, String(error));
        const [ok1, failed2] = error.outcomes;
        assert.equal(ok1.ok, true, "web1 deploys");
        assert.equal(failed2.ok, false);
        const cause = (failed2 as { error: Error }).error.cause;
        assert.ok(cause instanceof HostKeyError, String(error));
        assert.equal(cause.problem, "changed");
        assert.match(error.message, /host key has CHANGED/);
        assert.match(error.message, /web2/);
      });
    } finally {
      await Deno.remove(source, { recursive: true });
    }
  },
});

/**
 * The Django tutorial (examples/django_deployment.ts) deployed for real to two Debian
 * machines from a local git server: the sandbox plan matches the real run, both machines
 * serve the app, a new commit changes what both serve, the same deploy again changes
 * nothing, and migrations run where the deployment says.
 */
import assert from "node:assert/strict";
import { Env, sh, type SshHost } from "../../mod.ts";
import { RecordingLogger } from "../../src/exec/logger.ts";
import { machineSupport, startMachines } from "../../src/testing/mod.ts";
import { DjangoDeployment } from "../../examples/django_deployment.ts";
import { executed, machineHosts, serveGit, waitForPage } from "./_support.ts";

const reason = await machineSupport();
const ignore = reason !== undefined;
const suffix = ignore ? ` (ignored: ${reason})` : "";
const fixture = new URL("./fixtures/django_app", import.meta.url).pathname;

class Shop extends DjangoDeployment {
  override name = "shop";
  override home = "/srv/shop";
  override bind = "0.0.0.0:8000";
  override workers = 2;
}

async function headOf(hosts: SshHost[]): Promise<string[]> {
  await using env = new Env({ interactive: false });
  return await Promise.all(
    hosts.map(async (host) =>
      (await env.host(host).run(sh`git -C /srv/shop/code rev-parse HEAD`)).stdout.trim()
    ),
  );
}

Deno.test({
  name: `Django tutorial on two real machines: plan = run, serve, redeploy, no-op${suffix}`,
  ignore,
  async fn(t) {
    await using set = await startMachines(2);
    await using repo = await serveGit(fixture, "shop");
    const hosts = machineHosts(set, ["web1", "web2"]);
    const deployment = class extends Shop {
      override repository = repo.url;
    };
    const urls = set.machines.map((m) => `http://${m.address}:8000/`);
    const first = await repo.git("rev-parse", "HEAD");

    let plan: Record<string, string[]> = {};
    await t.step("the sandbox plans the setup and changes nothing", async () => {
      await using env = new Env({ interactive: false, sandbox: true });
      await env.bind(deployment, { hosts: { web: hosts } }).setup("main");
      plan = Object.fromEntries(
        ["web1", "web2"].map((slug) => [
          slug,
          env.plan().filter((e) => e.host === slug).map((e) => e.command),
        ]),
      );
      assert.ok(plan.web1.some((c) => c.startsWith("git clone")), plan.web1.join("\n"));
      const untouched = await set.machines[0].exec(["test", "-e", "/srv/shop"]);
      assert.notEqual(untouched.code, 0, "the sandbox created nothing");
    });

    await t.step("setup deploys for real, running exactly the plan", async () => {
      const logger = new RecordingLogger();
      await using env = new Env({ interactive: false, loggers: [logger] });
      await env.bind(deployment, { hosts: { web: hosts } }).setup("main");
      for (const slug of ["web1", "web2"]) {
        assert.deepEqual(executed(logger, slug), plan[slug], `plan and run of ${slug}`);
      }
      for (const url of urls) await waitForPage(url, "hello from version 1");
      assert.deepEqual(await headOf(hosts), [first, first]);
      // migrations ran on the first host only (migrateOn: "first")
      const dbs = await Promise.all(
        set.machines.map((m) => m.exec(["test", "-s", "/srv/shop/data/db.sqlite3"])),
      );
      assert.deepEqual(dbs.map((r) => r.code), [0, 1]);
      const owner = await set.machines[1].exec(["stat", "-c", "%U", "/srv/shop", "/var/log/shop"]);
      assert.equal(owner.stdout, "deploy\nwww-data\n");
    });

    let second = "";
    await t.step("a new commit deployed changes what both machines serve", async () => {
      second = await repo.commit({ "project/message.txt": "hello from version 2\n" }, "v2");
      await using env = new Env({ interactive: false });
      await env.bind(deployment, { hosts: { web: hosts } }).deploy("main");
      for (const url of urls) await waitForPage(url, "hello from version 2");
      assert.deepEqual(await headOf(hosts), [second, second]);
    });

    await t.step("the same deploy again succeeds and changes nothing", async () => {
      const before = await Promise.all(
        set.machines.map((m) => m.exec(["sha256sum", "/srv/shop/code/local_settings.py"])),
      );
      const logger = new RecordingLogger();
      await using env = new Env({ interactive: false, loggers: [logger] });
      await env.bind(deployment, { hosts: { web: hosts } }).deploy("main");
      const writes = logger.events.filter((e) => e.type === "file" && e.operation === "write");
      assert.deepEqual(writes, [], "no configuration file is rewritten");
      assert.ok(!executed(logger, "web1").some((c) => c.startsWith("git clone")));
      for (const url of urls) await waitForPage(url, "hello from version 2");
      assert.deepEqual(await headOf(hosts), [second, second]);
      const after = await Promise.all(
        set.machines.map((m) => m.exec(["sha256sum", "/srv/shop/code/local_settings.py"])),
      );
      assert.deepEqual(after.map((r) => r.stdout), before.map((r) => r.stdout));
    });

    await t.step("after a reboot both machines serve the app without a redeploy", async () => {
      await Promise.all(set.machines.map(async (m) => {
        await m.stop();
        await m.start();
      }));
      for (const url of urls) await waitForPage(url, "hello from version 2");
    });

    await t.step("migrateOn: every migrates on every machine", async () => {
      await using env = new Env({ interactive: false });
      const every = class extends deployment {
        override migrateOn = "every" as const;
      };
      await env.bind(every, { hosts: { web: hosts } }).deploy("main");
      const dbs = await Promise.all(
        set.machines.map((m) => m.exec(["test", "-s", "/srv/shop/data/db.sqlite3"])),
      );
      assert.deepEqual(dbs.map((r) => r.code), [0, 0]);
    });
  },
});

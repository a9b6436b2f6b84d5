/**
 * examples/static_site.ts on two real Debian machines: releases, the atomic `current`
 * switch, the nginx server block written with sudo, reload, and rollback, checked with curl
 * from the client namespace.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { ParallelError } from "../../src/errors.ts";
import { machineSupport, startMachines } from "../../src/testing/mod.ts";
import { StaticSite } from "../../examples/static_site.ts";
import { e2eTempDir, machineHosts, waitForPage } from "./_support.ts";

const reason = await machineSupport();
const ignore = reason !== undefined;
const suffix = ignore ? ` (ignored: ${reason})` : "";

async function writeSite(dir: string, version: string): Promise<void> {
  await Deno.mkdir(`${dir}/css`, { recursive: true });
  await Deno.writeTextFile(`${dir}/index.html`, `<h1>site ${version}</h1>\n`);
  await Deno.writeTextFile(`${dir}/css/site.css`, `/* ${version} */\n`);
  for (let i = 0; i < 30; i++) await Deno.writeTextFile(`${dir}/page${i}.html`, `${i}\n`);
}

Deno.test({
  name: `static site on two real machines: deploy, new release, rollback, refused config${suffix}`,
  ignore,
  async fn(t) {
    await using set = await startMachines(2);
    const source = await e2eTempDir("site");
    try {
      const hosts = machineHosts(set, ["web1", "web2"]);
      const site = class extends StaticSite {
        override source = source;
        override port = 8080;
        override serverName = "_";
      };
      const urls = set.machines.map((m) => `http://${m.address}:8080/`);

      await t.step("the first release is served by both machines", async () => {
        await writeSite(source, "one");
        await using env = new Env({ interactive: false });
        await env.bind(site, { hosts: { host: hosts } }).deploy();
        for (const url of urls) await waitForPage(url, "site one");
        for (const url of urls) await waitForPage(`${url}css/site.css`, "/* one */");
      });

      await t.step("a new release replaces it; rollback brings the first back", async () => {
        await writeSite(source, "two");
        await using env = new Env({ interactive: false });
        const deployed = env.bind(site, { hosts: { host: hosts } });
        await deployed.deploy();
        for (const url of urls) await waitForPage(url, "site two");
        const releases = await deployed.isolate(0).host.listdir("/srv/static-site/releases");
        assert.equal(releases.length, 2);
        const back = await deployed.rollback();
        assert.deepEqual([...back.values()], [releases.sort()[0], releases.sort()[0]]);
        for (const url of urls) await waitForPage(url, "site one");
        // nothing older to go back to: each host says so
        const error = await deployed.rollback().catch((e) => e);
        assert.match(String(error?.errors?.[0] ?? error), /No release before/);
      });

      await t.step("a server block nginx refuses fails the deploy; the site stays", async () => {
        await writeSite(source, "three");
        await using env = new Env({ interactive: false });
        const broken = class extends site {
          override serverName = "{";
        };
        const error = await env.bind(broken, { hosts: { host: hosts } }).deploy().catch((e) => e);
        assert.ok(error instanceof ParallelError, String(error));
        assert.match(error.message, /nginx -t refused the server block on host "web1"/);
        assert.match(error.message, /nginx -t refused the server block on host "web2"/);
        for (const url of urls) await waitForPage(url, "site one");
        const block = await set.machines[0].exec(["cat", "/etc/nginx/sites-enabled/static-site"]);
        assert.match(block.stdout, /server_name _;/, "the old server block is back");
      });
    } finally {
      await Deno.remove(source, { recursive: true });
    }
  },
});

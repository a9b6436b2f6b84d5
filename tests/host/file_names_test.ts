/**
 * File names at the limits, on LocalHost and SshHost alike: a 250-byte name (temporary
 * names must stay within NAME_MAX), a NUL byte (refused before anything is sent), and
 * temporary files left by an interrupted write (swept by a later write).
 */
import assert from "node:assert/strict";
import { DeployerError, Env, LocalHost } from "../../mod.ts";
import type { Host } from "../../src/host/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { sudoWorks } from "../_support/sudo.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

interface Target extends AsyncDisposable {
  host: Host;
  dir: string;
  sudo: boolean;
}

const kinds: [string, () => Promise<Target>][] = [
  ["LocalHost", async () => {
    const dir = await Deno.makeTempDir({ prefix: "deployer-names-" });
    return {
      host: new LocalHost({ slug: "local1" }),
      dir,
      sudo: await sudoWorks(),
      [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
    };
  }],
  ["SshHost", async () => {
    const ssh = await startSshServers(1);
    const dir = await Deno.makeTempDir({ prefix: "deployer-names-" });
    await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
    return {
      host: keyHost(ssh),
      dir,
      sudo: true,
      async [Symbol.asyncDispose]() {
        await ssh.stop();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }],
];

for (const [kind, setup] of kinds) {
  Deno.test(
    `${kind}: a file with a 250-byte name can be written, also with useSudo`,
    kind === "SshHost" ? NEEDS_SSH : {},
    async () => {
      await using target = await setup();
      await using env = new Env({ interactive: false });
      const host = env.host(target.host);
      const long = `${target.dir}/${"n".repeat(250)}`;
      await host.writeFile(long, "plain");
      assert.equal(await Deno.readTextFile(long), "plain");
      const wide = `${target.dir}/${"é".repeat(127)}`; // 254 bytes in UTF-8
      await host.writeFile(wide, "utf-8");
      assert.equal(await Deno.readTextFile(wide), "utf-8");
      if (target.sudo) {
        await host.writeFile(long, "as root", { useSudo: true });
        assert.equal(await Deno.readTextFile(long), "as root");
      }
      const names = [...Deno.readDirSync(target.dir)].map((e) => e.name).sort();
      assert.deepEqual(names, ["n".repeat(250), "é".repeat(127)].sort());
    },
  );

  Deno.test(
    `${kind}: a NUL byte in a path is refused with the host and the operation`,
    kind === "SshHost" ? NEEDS_SSH : {},
    async () => {
      await using target = await setup();
      await using env = new Env({ interactive: false });
      const host = env.host(target.host);
      for (
        const attempt of [
          () => host.writeFile(`${target.dir}/a\0b`, "x"),
          () => host.readText(`${target.dir}/a\0b`),
          () => host.stat(`${target.dir}/a\0b`),
        ]
      ) {
        const error = await attempt().then(() => undefined, (e) => e);
        assert.ok(error instanceof DeployerError, `expected a DeployerError, got ${error}`);
        assert.match(
          error.message,
          /^Cannot \w+ ".*a\\0b" on host "\w+": the path contains a NUL byte$/,
        );
      }
      assert.deepEqual([...Deno.readDirSync(target.dir)], []);
    },
  );

  Deno.test(
    `${kind}: a write sweeps temporary files left in its directory over an hour ago`,
    kind === "SshHost" ? NEEDS_SSH : {},
    async () => {
      await using target = await setup();
      const stale = `${target.dir}/.app.conf.deployer-tmp-0a1b2c3d`;
      const fresh = `${target.dir}/.other.deployer-tmp-4e5f6a7b`;
      const unrelated = `${target.dir}/.app.conf.keep`;
      for (const path of [stale, fresh, unrelated]) await Deno.writeTextFile(path, "left");
      for (const path of [stale, unrelated]) {
        await new Deno.Command("touch", { args: ["-d", "2 hours ago", path] }).output();
      }
      await using env = new Env({ interactive: false });
      await env.host(target.host).writeFile(`${target.dir}/app.conf`, "new");
      const names = [...Deno.readDirSync(target.dir)].map((e) => e.name).sort();
      assert.deepEqual(names, [".app.conf.keep", ".other.deployer-tmp-4e5f6a7b", "app.conf"]);
    },
  );
}

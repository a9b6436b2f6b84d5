/**
 * A large upload into a directory another user can write (no sticky bit) must put its
 * bytes only into the temporary file it created itself. Formerly SFTP created the file and
 * `cat > "$1"` opened it again BY NAME, following a link another user had swapped in: the
 * bytes then overwrote any file the login user can write (here `~/victim`).
 *
 * The upload's shell is held (the login user's ~/.bashrc waits for a flag before `sh -c`
 * runs); meanwhile the "attacker" (this test, as root) replaces every temporary file in
 * the directory by a link to `~/victim`.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test(
  "review upload: a large upload never writes through a swapped temporary file",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = (await new Deno.Command("getent", { args: ["passwd", ssh.keyUser.name] })
      .output().then((o) => new TextDecoder().decode(o.stdout))).split(":")[5];
    const shared = await Deno.makeTempDir({ prefix: "deployer-shared-" });
    const flag = `${shared}.go`;
    try {
      await Deno.chmod(shared, 0o777); // writable by others, no sticky bit
      await Deno.writeTextFile(`${home}/victim`, "precious\n");
      await new Deno.Command("chown", { args: [ssh.keyUser.name, `${home}/victim`] }).output();
      await Deno.writeTextFile(
        `${home}/.bashrc`,
        `case "$BASH_EXECUTION_STRING" in *deployer-upload*) : > '${flag}.held'; ` +
          `while [ ! -e '${flag}' ]; do sleep 0.05; done;; esac\n`,
      );
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const data = new Uint8Array(2 * 1024 * 1024).fill(7);
      const writing = host.writeFile(`${shared}/target`, data).catch((e) => e);
      // The attacker: once the upload's shell is held, links every temporary file there.
      while (!(await Deno.stat(`${flag}.held`).catch(() => undefined))) {
        await new Promise((r) => setTimeout(r, 20));
      }
      for await (const e of Deno.readDir(shared)) {
        if (!e.name.includes("deployer-tmp")) continue;
        await Deno.remove(`${shared}/${e.name}`);
        await Deno.symlink(`${home}/victim`, `${shared}/${e.name}`);
      }
      await Deno.writeTextFile(flag, "");
      const outcome = await writing;
      const victim = await Deno.readFile(`${home}/victim`);
      assert.equal(victim.length, 9, `~/victim was overwritten: now ${victim.length} bytes`);
      assert.equal(outcome, undefined);
      const target = await Deno.readFile(`${shared}/target`);
      assert.ok(target.length === data.length && target.every((b) => b === 7));
      assert.equal((await Deno.stat(`${shared}/target`)).mode! & 0o7777, 0o644);
    } finally {
      await Deno.remove(shared, { recursive: true });
      await Deno.remove(flag).catch(() => {});
      await Deno.remove(`${flag}.held`).catch(() => {});
      await Deno.remove(`${home}/.bashrc`).catch(() => {});
      await Deno.remove(`${home}/victim`).catch(() => {});
    }
  },
);

/**
 * REPRO (not part of the suite: the fix is in channel_upload.ts / sftp_upload.ts, owned by
 * another helper). Run: `deno test --allow-all tests/review/upload_symlink_repro.ts`.
 *
 * A large upload opens its temporary file twice: SFTP creates it (`O_EXCL`, no symlink
 * followed), then `cat > "$1"` opens it again BY PATH, following a symbolic link. In a
 * directory another user can write (a group-writable deploy directory), that user can swap
 * the temporary file for a link between the two opens: the upload's bytes then overwrite
 * any file the login user can write (here `~/victim`), and the link is renamed over the
 * target. The SFTP path writes through its handle and cannot be redirected.
 *
 * The window is held open deterministically by the login user's ~/.bashrc (it waits for a
 * flag before `cat` starts); the attacker's swap is done by this test as root.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test(
  "repro: a large upload must not write through a swapped temporary file",
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
        `case "$BASH_EXECUTION_STRING" in *deployer-upload*) ` +
          `while [ ! -e '${flag}' ]; do sleep 0.05; done;; esac\n`,
      );
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const writing = host.writeFile(`${shared}/target`, new Uint8Array(2 * 1024 * 1024))
        .catch((e) => e);
      // The attacker: waits for the temporary file, puts a link in its place.
      let temp: string | undefined;
      while (!temp) {
        for await (const e of Deno.readDir(shared)) {
          if (e.name.includes("deployer-tmp")) {
            temp = e.name;
          }
        }
      }
      await Deno.remove(`${shared}/${temp}`);
      await Deno.symlink(`${home}/victim`, `${shared}/${temp}`);
      await Deno.writeTextFile(flag, "");
      await writing;
      const victim = await Deno.readFile(`${home}/victim`);
      assert.equal(victim.length, 9, `~/victim was overwritten: now ${victim.length} bytes`);
    } finally {
      await Deno.remove(shared, { recursive: true });
      await Deno.remove(flag).catch(() => {});
    }
  },
);

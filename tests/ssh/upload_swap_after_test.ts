/**
 * After `cat` has written a large upload, the SFTP session reopens the temporary file BY
 * NAME to cut its seal off and set its mode. In a directory another user can write (no
 * sticky bit), that user may have put a link to another file of the login user there by
 * then: the upload must notice (the seal is missing), fail naming host and file, and leave
 * the other file as it was (no truncation, no new mode), and the target untouched.
 *
 * The upload's data is a stream this test controls: the swap is done (as root, the
 * "attacker") while `cat` still waits for the rest, so `cat` finishes into the renamed file.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

/** Waits (polling the directory, no fixed sleep) for a temporary file with data. */
async function tempWithData(dir: string): Promise<string> {
  for (;;) {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.name.includes("deployer-tmp")) continue;
      const size = Deno.lstatSync(`${dir}/${e.name}`).size;
      if (e.isFile && size > 0) return e.name;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test(
  "review upload: a temporary file swapped for a link after cat wrote it is refused",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const user = ssh.keyUser.name;
    const home = (await new Deno.Command("getent", { args: ["passwd", user] })
      .output().then((o) => new TextDecoder().decode(o.stdout))).split(":")[5];
    const shared = await Deno.makeTempDir({ prefix: "deployer-shared-" });
    try {
      await Deno.chmod(shared, 0o777); // writable by others, no sticky bit
      const victim = `${home}/victim`;
      await Deno.writeTextFile(victim, "precious, private, and longer than a seal\n");
      await Deno.chmod(victim, 0o600);
      await new Deno.Command("chown", { args: [user, victim] }).output();
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      let more: (() => void) | undefined;
      const rest = new Promise<void>((resolve) => (more = resolve));
      const data = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(64 * 1024).fill(1));
        },
        async pull(controller) {
          await rest;
          controller.enqueue(new Uint8Array(64 * 1024).fill(2));
          controller.close();
        },
      });
      const writing = host.writeFile(`${shared}/target`, data, { mode: 0o644 })
        .then(() => undefined, (e) => e);
      // The attacker: the temporary file aside, a link to the victim in its place.
      const temp = await tempWithData(shared);
      await Deno.rename(`${shared}/${temp}`, `${shared}/aside`);
      await Deno.symlink(victim, `${shared}/${temp}`);
      more!();
      const error = await writing;
      assert.ok(error instanceof Error, "the upload went through a swapped temporary file");
      assert.match(error.message, /replaced/);
      assert.match(error.message, new RegExp(`"${ssh.servers[0].slug}"`));
      assert.match(error.message, /target\.deployer-tmp-/);
      assert.equal(
        await Deno.readTextFile(victim),
        "precious, private, and longer than a seal\n",
      );
      assert.equal((await Deno.stat(victim)).mode! & 0o7777, 0o600);
      assert.equal(await Deno.lstat(`${shared}/target`).catch(() => undefined), undefined);
      // cat wrote through its own descriptor: every byte is in the file set aside.
      assert.equal((await Deno.stat(`${shared}/aside`)).size, 128 * 1024 + 16);
    } finally {
      await Deno.remove(shared, { recursive: true });
      await Deno.remove(`${home}/victim`).catch(() => {});
    }
  },
);

/**
 * Review: a large upload needs a second channel (`cat` beside the SFTP session). Against a
 * server that allows one session per connection (`MaxSessions 1`) it must still arrive (by
 * SFTP), not wait forever or fail. (With a command holding the second of two sessions it
 * waits for that command: see upload_sessions_repro.ts.)
 */
import assert from "node:assert/strict";
import { Env, sh } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

function pattern(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 5 + (i >> 11)) & 0xff;
  return data;
}

for (const max of [1]) {
  Deno.test(
    `review upload: sshd MaxSessions ${max}: a large upload arrives`,
    NEEDS_SSH,
    async () => {
      await using ssh = await startSshServers(1, { config: [`MaxSessions ${max}`] });
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const home = (await host.run("echo $HOME")).stdout.trim();
      const flag = `${home}/go`;
      const data = pattern(2 * 1024 * 1024 + 3);
      // With 2 sessions: a command holds the second one while the upload runs.
      const holding = max === 2
        ? host.run(sh`while [ ! -e ${flag} ]; do sleep 0.05; done`).catch((e) => e)
        : Promise.resolve();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const outcome = await Promise.race([
          host.writeFile(`${home}/big.bin`, data).then(() => "written", (e) => String(e)),
          new Promise((
            resolve,
          ) => (timer = setTimeout(() => resolve("waiting after 15 s"), 15_000))),
        ]);
        assert.equal(outcome, "written");
      } finally {
        clearTimeout(timer);
        await Deno.writeTextFile(flag, "");
        await holding;
      }
      const back = await host.readFile(`${home}/big.bin`);
      assert.ok(back.length === data.length && back.every((b, i) => b === data[i]));
    },
  );
}

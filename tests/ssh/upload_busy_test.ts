/**
 * A large upload sends its bytes with `cat` on a second channel beside the SFTP session.
 * When the server's `MaxSessions` is reached (here 2: the SFTP session and a running
 * command), it must not wait for a channel: a command that waits for the uploaded file
 * would deadlock with it. Without a free channel at once, the bytes go as SFTP writes.
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

const max = 2;
// warm: an earlier large upload has already found that the server streams with cat.
for (const warm of [false, true]) {
  Deno.test(
    `review upload: sshd MaxSessions ${max}, a command running: a large upload arrives${
      warm ? " (streaming known)" : ""
    }`,
    NEEDS_SSH,
    async () => {
      await using ssh = await startSshServers(1, { config: [`MaxSessions ${max}`] });
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const home = (await host.run("echo $HOME")).stdout.trim();
      const flag = `${home}/go`;
      const data = pattern(2 * 1024 * 1024 + 3);
      if (warm) await host.writeFile(`${home}/first.bin`, data);
      // With 2 sessions: a command holds the second one while the upload runs.
      const holding = host.run(sh`while [ ! -e ${flag} ]; do sleep 0.05; done`).catch((e) => e);
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

/**
 * A large upload sends its bytes with `cat` on a second channel beside the SFTP session.
 * Where the server has no channel to spare — `MaxSessions 1`, or `MaxSessions 2` with a
 * command holding the second session — it must not wait for one (a command that waits for
 * the uploaded file would deadlock with it): the bytes go as SFTP writes and arrive.
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

/**
 * `max`: sshd's MaxSessions; with 2, a command holds the second session during the upload.
 * `warm`: an earlier large upload has already found that the server streams with cat.
 */
const CASES = [
  { max: 1, warm: false },
  { max: 2, warm: false },
  { max: 2, warm: true },
];

for (const { max, warm } of CASES) {
  const what = max === 2 ? ", a command running" : "";
  Deno.test(
    `upload: sshd MaxSessions ${max}${what}: a large upload arrives${
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

/**
 * Review: the mode of an uploaded file is the one asked for, special bits included, for a
 * small file (SFTP writes) as for a large one (bytes through `cat`), when the login user is
 * not root (the kernel clears set-user-ID / set-group-ID on a write by a user without
 * CAP_FSETID: a mode set before the data would lose them).
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test(
  "review upload: set-user-ID and set-group-ID modes survive small and large uploads",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const home = (await host.run("echo $HOME")).stdout.trim();
    const modes = [0o4755, 0o2755, 0o6750, 0o1644];
    const sizes = [10, 2 * 1024 * 1024];
    const got: string[] = [];
    const want: string[] = [];
    for (const size of sizes) {
      for (const mode of modes) {
        const path = `${home}/m-${size}-${mode.toString(8)}`;
        await host.writeFile(path, new Uint8Array(size).fill(65), { mode });
        got.push(`${size} ${((await host.stat(path)).mode & 0o7777).toString(8)}`);
        want.push(`${size} ${mode.toString(8)}`);
      }
    }
    assert.deepEqual(got, want);
  },
);

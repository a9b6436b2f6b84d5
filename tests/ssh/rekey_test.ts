/**
 * A server that re-keys the connection (sshd's `RekeyLimit`) shows its host key again: the
 * connection goes on, the key is neither asked about nor recorded a second time.
 */
import assert from "node:assert/strict";
import { Env, sh } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { keyHost } from "./_setup.ts";

Deno.test(
  "rekey: the connection goes on; an accepted new key is recorded once",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { config: ["RekeyLimit 4K"] });
    const dir = await Deno.makeTempDir();
    try {
      const knownHosts = `${dir}/known_hosts`;
      await using env = new Env({ interactive: false });
      const host = env.host(
        keyHost(ssh, 0, { knownHostsFiles: [knownHosts], hostKeyPolicy: "accept-new" }),
      );
      // Each command moves more than the limit: sshd re-keys during and between them.
      for (let i = 0; i < 4; i++) {
        const out = await host.run(sh`head -c 20000 /dev/zero | tr '\\0' x`, { timeout: 30_000 });
        assert.equal(out.stdout.length, 20_000);
      }
      const lines = (await Deno.readTextFile(knownHosts)).trim().split("\n");
      assert.equal(lines.length, 1, lines.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

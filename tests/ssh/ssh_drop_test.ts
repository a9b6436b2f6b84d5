import assert from "node:assert/strict";
import { DeployerError, Env, sh } from "../../mod.ts";
import { keyHost } from "./_setup.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

/** Kills the per-connection processes of one test server; its listener stays up. */
async function killSessions(listenerPid: number): Promise<void> {
  const script =
    'tree() { for c in $(pgrep -P "$1"); do tree "$c"; kill -9 "$c"; done; }; tree "$0"';
  await new Deno.Command("sh", { args: ["-c", script, String(listenerPid)] }).output();
}

Deno.test(
  "a file upload whose connection dies fails with a clear error instead of hanging",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const server = ssh.servers[0];
    const dir = await Deno.makeTempDir({ prefix: "deployer-drop-" });
    await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
    const local = await Deno.makeTempFile();
    try {
      await Deno.writeFile(local, new Uint8Array(256 * 1024 * 1024));
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await host.run(sh`true`);
      const upload = host.putFile(local, `${dir}/big.bin`);
      setTimeout(() => killSessions(server.pid), 200);
      const error = await upload.then(() => undefined, (e) => e);
      assert.ok(error instanceof DeployerError, `expected a clear error, got ${error}`);
      assert.match(String(error.message), new RegExp(server.slug));
      // Nothing half-written is left under the target name.
      const entries = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert.ok(!entries.includes("big.bin"), entries.join());
    } finally {
      await Deno.remove(local);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

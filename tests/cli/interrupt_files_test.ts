/**
 * The CLI, as a subprocess, stops a file upload on Ctrl-C (SIGINT): the upload ends at once
 * (within the stop grace, without "did not stop"), the CLI exits 130, and nothing of the
 * upload is left on the host: no temporary file, no `cat` holding one open.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { CliChild, FIXTURES, sshSetup } from "./helpers.ts";
import { firstWrite, openersIn, settled } from "../_support/transfers.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test(
  "cli SIGINT during a large putFile: exits 130, no temporary file left",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const remote = await Deno.makeTempDir({ prefix: "deployer-cli-put-" });
    const local = await Deno.makeTempDir({ prefix: "deployer-cli-src-" });
    try {
      await new Deno.Command("chown", { args: [ssh.keyUser.name, remote] }).output();
      {
        using file = await Deno.open(`${local}/big`, { write: true, create: true });
        await file.truncate(8 * 1024 * 1024 * 1024); // sparse: read fast, no room taken
      }
      const env = {
        DPL_TEST_SSH: sshSetup(ssh),
        DPL_TEST_LOCAL: `${local}/big`,
        DPL_TEST_REMOTE: `${remote}/big`,
      };
      await using writing = firstWrite(remote);
      await using cli = await CliChild.spawn(`${FIXTURES}ssh_put.ts`, [
        "run",
        "--non-interactive",
        "--",
        "put",
      ], env);
      await writing.seen; // the upload is under way
      cli.process.kill("SIGINT");
      const status = await cli.finish();
      assert.equal(status.code, 130, cli.text);
      assert.match(cli.text, /Interrupted Put\.put/);
      assert.match(cli.text, /host "sshd1" was stopped: aborted: put file \S+\/big -> \S+\/big/);
      assert.doesNotMatch(cli.text, /did not stop/);
      assert.match(cli.text, /Interrupted Put\.put: stopped the file transfers on sshd1\./);
      assert.deepEqual([...Deno.readDirSync(remote)].map((e) => e.name), []);
      assert.deepEqual(await settled(() => openersIn(remote)), []);
    } finally {
      await Deno.remove(remote, { recursive: true });
      await Deno.remove(local, { recursive: true });
    }
  },
);

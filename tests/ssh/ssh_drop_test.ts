import assert from "node:assert/strict";
import { DeployerError, Env, sh } from "../../mod.ts";
import { CONTEXT, keyHost } from "./_setup.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { descendants, reap } from "../../src/testing/_proc_tree.ts";

/** Kills the per-connection processes of one test server; its listener stays up. */
async function killSessions(listenerPid: number): Promise<void> {
  const sessions = await descendants(listenerPid);
  assert.ok(sessions.length > 0, "the server has a session to kill");
  for (const pid of sessions) Deno.kill(pid, "SIGKILL");
  await reap(sessions, 10_000);
}

/** Resolves once a file below `dir` has at least one byte (the upload has begun). */
async function uploadStarted(dir: string, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    for (const entry of Deno.readDirSync(dir)) {
      if (Deno.statSync(`${dir}/${entry.name}`).size > 0) return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`No upload arrived in ${dir} within ${deadlineMs} ms`);
}

Deno.test(
  "a file upload whose connection dies fails with a clear error instead of hanging",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const server = ssh.servers[0];
    const dir = await Deno.makeTempDir({ prefix: "deployer-drop-" });
    await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
    // The local file is a FIFO that this test feeds: the upload cannot finish before the
    // connection is cut, however fast or slow the machine is.
    const local = `${await Deno.makeTempDir({ prefix: "deployer-drop-src-" })}/source`;
    await new Deno.Command("mkfifo", { args: [local] }).output();
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await host.run(sh`true`);
      const upload = host.putFile(local, `${dir}/big.bin`).then(() => undefined, (e) => e);
      const source = await Deno.open(local, { write: true });
      try {
        await source.write(new Uint8Array(1024 * 1024));
        await uploadStarted(dir);
        await killSessions(server.pid);
        // More data, then the end of the file: the upload tries to send it on a dead
        // connection (the data is written even when the upload already failed).
        await source.write(new Uint8Array(1024 * 1024)).catch(() => {});
        source.close();
        const error = await upload;
        assert.ok(error instanceof DeployerError, `expected a clear error, got ${error}`);
        assert.match(String(error.message), new RegExp(server.slug));
      } finally {
        try {
          source.close();
        } catch {
          // already closed
        }
      }
      // Nothing half-written is left under the target name.
      const entries = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert.ok(!entries.includes("big.bin"), entries.join());
    } finally {
      await Deno.remove(local.slice(0, local.lastIndexOf("/")), { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "a write to a command's stdin that waits for the server settles when the connection dies",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      // `sleep` reads nothing: once sshd's channel window (2 MiB) is full, the write waits.
      const proc = await connection.exec("sleep 6019");
      const state: { write: "pending" | "resolved" | Error } = { write: "pending" };
      const write = proc.write(new Uint8Array(8 * 1024 * 1024)).then(
        () => (state.write = "resolved"),
        (error) => (state.write = error),
      );
      await killSessions(ssh.servers[0].pid);
      const status = await proc.status;
      assert.equal(status.code, null);
      // The channel has closed: the write must not hang on a window that never opens.
      const settled = state.write;
      assert.ok(settled instanceof Error, `the write is ${settled}`);
      assert.match(settled.message, /closed|lost/);
      await write;
    } finally {
      await connection.close();
    }
  },
);

/**
 * The CLI, as a subprocess, stops the remote work on every termination signal: SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT stop the sudo'd commands (and their children) on every host,
 * say so, and exit with 128 + the signal's number. Checked on the hosts (this machine).
 */
import assert from "node:assert/strict";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { processesWith, uniqueSleep } from "../_support/procs.ts";
import { CliChild, FIXTURES, PERMS, ScriptPty, sshSetup } from "./helpers.ts";
import { denoLine } from "../_support/command_line.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

const CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 };

async function interrupt(
  ssh: TestServers,
  user: "key" | "password",
  signal: Deno.Signal,
): Promise<void> {
  await using sleeper = uniqueSleep();
  const { seconds } = sleeper;
  const env = { DPL_TEST_SSH: sshSetup(ssh, seconds, user) };
  await using cli = await CliChild.spawn(`${FIXTURES}ssh_hold.ts`, [
    "run",
    "--non-interactive",
    "--",
    "hold",
  ], env);
  const readies = (text: string) => ssh.servers.filter((s) => text.includes(`[${s.slug}] ready`));
  await cli.until((text) => readies(text).length === ssh.servers.length);
  assert.ok((await processesWith(`sleep ${seconds}`)).length >= 3 * ssh.servers.length);
  cli.process.kill(signal);
  const status = await cli.finish();
  assert.equal(status.code, CODES[signal], cli.text);
  const stopped = /Interrupted Hold\.hold.*: stopped the commands on ([^.;]*)\.\n/.exec(
    cli.text,
  );
  assert.ok(stopped, cli.text);
  assert.deepEqual(stopped[1].split(", ").sort(), ssh.servers.map((s) => s.slug));
  assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
  Deno.test(
    `cli ${signal}: sudo'd commands on 2 hosts are stopped, exit ${CODES[signal]}`,
    NEEDS_SSH,
    async () => {
      await using ssh = await startSshServers(2);
      await interrupt(ssh, "key", signal);
    },
  );
}

Deno.test(
  "cli SIGINT: commands under a sudo that asks for a password are stopped too",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    await interrupt(ssh, "password", "SIGINT");
  },
);

Deno.test(
  "cli shell: SIGTERM stops the action running in the shell, then exits 143",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    await using sleeper = uniqueSleep();
    const { seconds } = sleeper;
    const command = denoLine(["--quiet", "--no-lock", ...PERMS], `${FIXTURES}ssh_hold.ts`, ["run"]);
    // The shell writes its history into the temporary HOME.
    await using pty = await ScriptPty.spawn(command, { DPL_TEST_SSH: sshSetup(ssh, seconds) });
    await pty.until((screen) => screen.includes("Hold > "));
    await pty.enter("hold");
    await pty.until((screen) => (screen.match(/\] ready/g) ?? []).length >= 2);
    const [cli] = (await processesWith(`${FIXTURES}ssh_hold.ts run`))
      .filter((p) => p.cmdline.startsWith(Deno.execPath()));
    assert.ok(cli, "the CLI process");
    Deno.kill(cli.pid, "SIGTERM");
    assert.equal((await pty.finish()).code, 143, pty.text);
    assert.match(pty.text, /SIGTERM: stopped the commands on (sshd1, sshd2|sshd2, sshd1)\./);
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  },
);

Deno.test("cli SIGTERM twice: a local command ignoring TERM is killed before the exit", async () => {
  await using sleeper = uniqueSleep();
  const { seconds } = sleeper;
  const env = { DPL_TEST_SECONDS: String(seconds) };
  await using cli = await CliChild.spawn(`${FIXTURES}fleet.ts`, ["run", "--", "stubborn"], env);
  await cli.until((text) => text.includes("[db1] started"));
  cli.process.kill("SIGTERM");
  await cli.until((text) => text.includes("stopping the running commands"));
  cli.process.kill("SIGTERM");
  assert.equal((await cli.finish()).code, 143, cli.text);
  assert.match(cli.text, /SIGTERM again: exiting now\./);
  assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
});

/**
 * Commands with a terminal (a PTY on the host): their session report never shows, a sudo'd
 * one is stopped as a whole, and a command line too long for a PTY is refused before
 * anything is sent. The terminal is a recording stand-in (the PTY itself is real, on sshd).
 */
import assert from "node:assert/strict";
import { DeployerError, Env, sh } from "../../mod.ts";
import type { Terminal } from "../../src/host/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { processesWith, uniqueSleep } from "../_support/procs.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

/** A terminal that records what is written to it. */
function recordingTerminal(onWrite: (text: string) => void = () => {}): Terminal {
  return {
    isTTY: true,
    term: "xterm",
    size: () => ({ cols: 80, rows: 24 }),
    attach: () => () => {},
    write: (data) => onWrite(new TextDecoder().decode(data)),
  };
}

Deno.test("pty: output shows no session report", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  let shown = "";
  await using env = new Env({ terminal: recordingTerminal((t) => (shown += t)) });
  const result = await env.host(keyHost(ssh)).run(sh`echo hi`, { interactive: true });
  assert.equal(result.stdout.replaceAll("\r", ""), "hi\n");
  assert.ok(!shown.includes("deployer-session"), shown);
});

Deno.test("pty: an aborted sudo'd command leaves nothing on the host", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  await using sleeper = uniqueSleep();
  const { seconds } = sleeper;
  const controller = new AbortController();
  const terminal = recordingTerminal((t) => t.includes("ready") && controller.abort());
  await using env = new Env({ terminal });
  const command = sh`sh -c ${`sleep ${seconds} & sleep ${seconds} & echo ready; wait`}`;
  const error = await env.host(keyHost(ssh))
    .sudo(command, { interactive: true, signal: controller.signal }).catch((e) => e);
  assert.match(String(error), /aborted/);
  assert.doesNotMatch(String(error), /could not be checked/);
  assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
});

Deno.test(
  "pty: a command too long for a command line is refused, the host still works",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ terminal: recordingTerminal() });
    const host = env.host(keyHost(ssh));
    const error = await host.run(sh`: ${"x".repeat(200_000)}`, { interactive: true })
      .catch((e) => e);
    assert.ok(error instanceof DeployerError, String(error));
    assert.match(error.message, /too long to run with a terminal/);
    assert.ok(error.message.length < 1000);
    assert.equal((await host.run(sh`echo ok`)).stdout, "ok\n");
  },
);

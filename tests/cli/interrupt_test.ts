/**
 * Ctrl-C in a real terminal (tmux): the run stops the commands on every host, says which
 * were stopped, exits 130, and no Retry / Skip / Abort question follows; in the shell
 * (even with `ask-on-failure on`) it returns to the prompt without a question.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { processesWith, uniqueSleep } from "../_support/procs.ts";
import { Terminal } from "../shell/fixtures/tmux.ts";
import { fixtureLine, sshSetup } from "./helpers.ts";
import { NEEDS_SSH, NEEDS_TMUX } from "../_support/needs.ts";

/** Runs a fixture's CLI; the shell then prints `EXIT=<code>` and stays. */
function exitLine(fixture: string, args: string[]): string {
  return `${fixtureLine(fixture, args)}; echo "EXIT=$?"; sleep 600`;
}

/** `ssh_hold.ts` with `args` in a terminal, on two sshd servers; `sleep <seconds>` runs there. */
interface Hold extends AsyncDisposable {
  term: Terminal;
  seconds: number;
}

async function hold(args: string[]): Promise<Hold> {
  const ssh = await startSshServers(2);
  const sleeper = uniqueSleep();
  const env = { NO_COLOR: "1", DPL_TEST_SSH: sshSetup(ssh, sleeper.seconds) };
  const term = await Terminal.start(exitLine("ssh_hold.ts", args), env).catch(async (error) => {
    await ssh[Symbol.asyncDispose]();
    throw error;
  });
  return {
    term,
    seconds: sleeper.seconds,
    async [Symbol.asyncDispose]() {
      await term[Symbol.asyncDispose]();
      await sleeper[Symbol.asyncDispose]();
      await ssh[Symbol.asyncDispose]();
    },
  };
}

Deno.test("run in a terminal: Ctrl-C stops every host, asks nothing, exits 130", {
  ignore: NEEDS_SSH.ignore || NEEDS_TMUX.ignore,
}, async () => {
  await using run = await hold(["run", "--", "hold"]);
  const { term, seconds } = run;
  await term.waitFor("] ready", { count: 2 });
  await term.keys("C-c");
  const screen = await term.waitFor(/EXIT=\d+/);
  assert.match(screen, /EXIT=130/);
  assert.match(
    screen,
    /Interrupted Hold\.hold: stopped the commands on (sshd1, sshd2|sshd2, sshd1)/,
  );
  assert.doesNotMatch(screen, /Continue\?|Retry|Abort/);
  assert.match(screen, /Recap of Hold\.hold:\n +sshd1 +stopped .*\n +sshd2 +stopped /);
  assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
});

Deno.test("shell in a terminal: Ctrl-C stops the action, asks nothing, back at the prompt", {
  ignore: NEEDS_SSH.ignore || NEEDS_TMUX.ignore,
}, async () => {
  await using run = await hold(["run"]);
  const { term, seconds } = run;
  await term.waitFor("Hold > ");
  await term.enter("set-option ask-on-failure on");
  await term.waitFor("Hold > ", { count: 2 });
  await term.enter("hold");
  await term.waitFor("] ready", { count: 2 });
  await term.keys("C-c");
  const screen = await term.waitFor("Hold > ", { count: 3 });
  assert.match(screen, /Interrupted/);
  assert.match(screen, /Recap of Hold\.hold:\n +sshd1 +stopped .*\n +sshd2 +stopped /);
  assert.doesNotMatch(screen, /Continue\?|Retry|Abort/);
  assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  await term.enter("exit");
  assert.match(await term.waitFor(/EXIT=\d+/), /EXIT=0/);
});

Deno.test(
  "run in a terminal: a second Ctrl-C while stopping exits at once",
  NEEDS_TMUX,
  async () => {
    await using sleeper = uniqueSleep();
    const { seconds } = sleeper;
    const command = exitLine("fleet.ts", ["run", "--", "stubborn"]);
    await using term = await Terminal.start(command, {
      NO_COLOR: "1",
      DPL_TEST_SECONDS: String(seconds),
    });
    await term.waitFor("[db1] started");
    await term.keys("C-c");
    await term.waitFor("stopping the running commands");
    await term.keys("C-c");
    const screen = await term.waitFor(/EXIT=\d+/);
    assert.match(screen, /SIGINT again: exiting now\.\nEXIT=130/);
    assert.doesNotMatch(screen, /Continue\?|Retry|Abort/);
    // The command that ignores TERM was killed before the CLI exited.
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  },
);

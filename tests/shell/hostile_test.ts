/**
 * The shell in a real terminal (tmux) with hostile names and values: nothing clears
 * the screen, sets the title or forges a line; a history file is private; an action
 * called with too few arguments is refused with its usage.
 */
import assert from "node:assert/strict";
import { Terminal } from "./fixtures/tmux.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";
import { denoLine } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/hostile.ts", import.meta.url).pathname;

/**
 * Starts the fixture's shell with `args`, in `home` (else a temporary HOME), and waits for
 * `prompt`.
 */
async function startShell(
  options: { home?: string; args?: string[]; prompt?: string | RegExp } = {},
): Promise<Terminal> {
  const command = denoLine(["--allow-all"], FIXTURE, options.args);
  const env: Record<string, string> = { TERM: "xterm-256color" };
  if (options.home !== undefined) env.HOME = options.home;
  return await Terminal.open(command, env, options.prompt ?? /^Root > $/m);
}

/** Leaves the shell with `exit`. */
async function exit(terminal: Terminal): Promise<void> {
  await terminal.enter("exit");
  await terminal.waitFor("shell exited with code 0");
}

const ESCAPED = "\\x1b]0;owned\\x07";

Deno.test(
  "shell: hostile names, remote output and values stay visible text",
  NEEDS_TMUX,
  async () => {
    await using terminal = await startShell();
    await terminal.enter("ls");
    let screen = await terminal.waitFor(`leaf\\x1b[2J${ESCAPED}`);
    assert.match(screen, /^Root > ls$/m, "the screen was not cleared");

    await terminal.enter("shout");
    const prefix = `[evil${ESCAPED}\\x1b[2J]`;
    screen = await terminal.waitFor(`${prefix} ${ESCAPED}\\x1b[2J\\r[web1] fake`);
    assert.doesNotMatch(screen, /^\[web1\] fake/m, "no forged line");
    assert.match(screen, /^Root > ls$/m, "the screen was not cleared");

    await terminal.enter("value");
    await terminal.waitFor(`value${ESCAPED}\\x1b[2J`);
    await exit(terminal);
  },
);

Deno.test(
  "shell: an action called with too few arguments is refused with its usage",
  NEEDS_TMUX,
  async () => {
    await using terminal = await startShell();
    await terminal.enter("pair one");
    const screen = await terminal.waitFor("got 1)");
    assert.match(
      screen,
      /^Usage: pair first second \(needs 2 arguments: first, second; got 1\)$/m,
    );
    assert.ok(!screen.includes("pair ran with"), "the action did not run");
    await terminal.enter("pair one two");
    await terminal.waitFor("pair ran with one and two");
    await exit(terminal);
  },
);

Deno.test(
  "shell: the history file is private (0600), created or found; the prompt is escaped",
  NEEDS_TMUX,
  async () => {
    await using homeDir = await tempDir("deployer-hostile-home-");
    const home = homeDir.path;
    const history = `${home}/.deployer_history`;
    await Deno.writeTextFile(history, "ls\n");
    await Deno.chmod(history, 0o644);
    {
      await using terminal = await startShell({ home });
      await exit(terminal);
    }
    assert.equal((await Deno.stat(history)).mode! & 0o777, 0o600, "an existing history");

    await Deno.remove(history);
    {
      const prompt = `Root.leaf\\x1b[2J${ESCAPED} > `;
      await using terminal = await startShell({ home, args: ["inside"], prompt });
      await terminal.enter("ok");
      await terminal.waitFor("leaf ok");
      await exit(terminal);
    }
    assert.equal((await Deno.stat(history)).mode! & 0o777, 0o600, "a new history");
    assert.match(await Deno.readTextFile(history), /^ok$/m);
  },
);

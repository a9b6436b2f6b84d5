/**
 * The shell as a user drives it: a deploy script in a real terminal (tmux), keys in,
 * screen out.
 */
import assert from "node:assert/strict";
import { Terminal } from "./fixtures/tmux.ts";
import { denoDir, tempDir } from "../_support/home.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";
import { denoLine } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/tree.ts", import.meta.url).pathname;

/**
 * Starts the fixture's shell in a terminal, with its own HOME but Deno's real cache (a
 * fresh cache would download the npm packages and print warnings into the terminal) and
 * `--quiet` (nothing from Deno itself before the prompt).
 */
async function startShell(home: string, ...args: string[]): Promise<Terminal> {
  const command = denoLine(["--quiet", "--allow-all"], FIXTURE, args);
  const env = { HOME: home, DENO_DIR: await denoDir(), TERM: "xterm-256color" };
  return await Terminal.start(command, env);
}

/** Types `clear` and forgets the scroll-back, so the next checks see only new output. */
async function reset(terminal: Terminal, prompt: string): Promise<void> {
  await terminal.enter("clear");
  const deadline = Date.now() + 60_000;
  while ((await terminal.visible()).trim() !== prompt.trim()) {
    if (Date.now() > deadline) throw new Error(`screen not cleared:\n${await terminal.visible()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await terminal.clearHistory();
}

Deno.test("shell: a user navigates, completes, runs actions and exits", NEEDS_TMUX, async (t) => {
  await using homeDir = await tempDir("deployer-shell-home-");
  const home = homeDir.path;
  await using terminal = await startShell(home);
  await t.step("the prompt shows the root", async () => {
    await terminal.waitFor(/^Root > $/m, { timeout: 60_000 });
  });

  await t.step("Tab completes a child, cd enters it, pwd prints the path", async () => {
    await terminal.type("cd we");
    await terminal.tab("Root > cd we");
    await terminal.waitFor("Root > cd web ");
    await terminal.keys("Enter");
    await terminal.waitFor(/^Root\.web > $/m);
    await terminal.enter("pwd");
    await terminal.waitFor(/^\/Root\.web$/m);
  });

  await t.step("Tab completes an action; a double Tab lists the candidates", async () => {
    await reset(terminal, "Root.web > ");
    await terminal.type("li");
    await terminal.tab("Root.web > li");
    await terminal.waitFor("Root.web > lines ");
    await terminal.keys("C-c");
    await terminal.waitFor(/^Root\.web > $/m);
    await reset(terminal, "Root.web > ");
    await terminal.type("c");
    await terminal.tab("Root.web > c");
    await terminal.tab("Root.web > c");
    const screen = await terminal.waitFor(/cd\s+clear\s+cells/);
    assert.match(screen, /^Root\.web > c$/m);
    await terminal.keys("C-c");
    await terminal.waitFor(/^Root\.web > $/m);
  });

  await t.step("ls lists children and actions", async () => {
    await reset(terminal, "Root.web > ");
    await terminal.enter("ls");
    const screen = await terminal.waitFor("lines*");
    assert.match(screen, /Child nodes:\n\s+cells\n/);
    assert.match(screen, /Actions:\n\s+hello\*\s+lines\*/);
  });

  await t.step("an action runs with a quoted argument and prints its result", async () => {
    await reset(terminal, "Root.web > ");
    await terminal.enter("hello 'big world'");
    const screen = await terminal.waitFor(/^hello big world$/m);
    assert.match(screen, /\[local\] \$ .*echo hello 'big world'/);
    await terminal.enter("lines");
    await terminal.waitFor(/^first line\nsecond line$/m);
  });

  await t.step("a parallel action prints a per-host table", async () => {
    await reset(terminal, "Root.web > ");
    await terminal.enter("cells whoami");
    const screen = await terminal.waitFor(/^two\s+I am two$/m);
    assert.match(screen, /^one\s+I am one$/m);
  });

  await t.step("cd .. and find lists every action with its path", async () => {
    await terminal.enter("cd ..");
    await reset(terminal, "Root > ");
    await terminal.enter("find");
    const screen = await terminal.waitFor(/^ web cells whoami$/m);
    assert.match(screen, /^ echo$/m);
    assert.match(screen, /^ web hello$/m);
    assert.match(screen, /^ _private$/m, "like python-deployer, find lists private actions too");
  });

  await t.step("a failing action prints the error and the shell goes on", async () => {
    await reset(terminal, "Root > ");
    await terminal.enter("fail");
    const screen = await terminal.waitFor(/failed with exit code 3/);
    assert.match(screen, /Command on host "local" failed with exit code 3/);
    assert.match(screen, /something-went-wrong/);
    await terminal.enter("echo still alive");
    await terminal.waitFor(/^still\+alive$/m);
  });

  await t.step("a failing parallel action prints every failed host", async () => {
    await reset(terminal, "Root > ");
    await terminal.enter("web cells broken");
    const screen = await terminal.waitFor(/failed on 2 of 2 hosts/);
    assert.match(screen, /^\[one\] .*exit code 4/m);
    assert.match(screen, /^\[two\] .*exit code 4/m);
  });

  await t.step("unknown words and incomplete commands are reported", async () => {
    await reset(terminal, "Root > ");
    await terminal.enter("nosuch thing");
    await terminal.waitFor(/^Command not found: nosuch$/m);
    await terminal.enter("web");
    await terminal.waitFor(/^Incomplete command$/m);
  });

  await t.step("sandbox prints the plan and runs nothing", async () => {
    const target = `${home}/sandbox-target`;
    await reset(terminal, "Root > ");
    await terminal.enter(`sandbox touch ${target}`);
    const screen = await terminal.waitFor(
      /Sandbox plan \(nothing was run\):\n\s+local:\n\s+.*touch/,
    );
    assert.ok(screen.includes(target));
    await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
  });

  await t.step("--inspect shows a node", async () => {
    await reset(terminal, "Root > ");
    await terminal.enter("--inspect web");
    const screen = await terminal.waitFor(/https:\/\/example\.com/);
    assert.match(screen, /^Node:\s+Root\.web$/m);
    assert.match(screen, /^Group:\s+staging$/m);
    assert.match(screen, /web: one \(.*\), two \(.*\)/);
    assert.match(screen, /hello\s+Say hello from the web node/);
    assert.match(screen, /url = q\(/);
  });

  await t.step("Ctrl-C stops a running action, not the shell", async () => {
    await reset(terminal, "Root > ");
    await terminal.enter("sleep");
    await terminal.waitFor(/\$ .*trap '' INT; sleep 60/);
    await terminal.keys("C-c");
    const screen = await terminal.waitFor(/^Root > $/m);
    assert.match(screen, /Interrupted/);
    assert.ok(!screen.includes("woke up"));
    await terminal.enter("echo after ctrl-c");
    await terminal.waitFor(/^after\+ctrl-c$/m);
  });

  await t.step("exit leaves the shell with code 0", async () => {
    await terminal.enter("exit");
    await terminal.waitFor(/^shell exited with code 0$/m);
  });
});

Deno.test(
  "shell: --path starts below the root, Ctrl-D exits, history is kept",
  NEEDS_TMUX,
  async () => {
    await using homeDir = await tempDir("deployer-shell-home-");
    const home = homeDir.path;
    {
      await using terminal = await startShell(home, "web", "cells");
      await terminal.waitFor(/^Root\.web\.cells > $/m, { timeout: 60_000 });
      await terminal.enter("cd :two");
      await terminal.waitFor(/^Root\.web\.cells\[two\] > $/m);
      await terminal.enter("whoami");
      await terminal.waitFor(/^I am two$/m);
      await terminal.keys("C-d");
      await terminal.waitFor(/^shell exited with code 0$/m);
    }
    const history = await Deno.readTextFile(`${home}/.deployer_history`);
    assert.deepEqual(history.trim().split("\n"), ["cd :two", "whoami"]);
    {
      await using terminal = await startShell(home);
      await terminal.waitFor(/^Root > $/m, { timeout: 60_000 });
      await terminal.keys("Up");
      await terminal.waitFor(/^Root > whoami$/m);
      await terminal.keys("C-u");
      await terminal.enter("exit");
      await terminal.waitFor(/^shell exited with code 0$/m);
    }
  },
);

/**
 * Usage help, unknown nodes and source as written, in a real terminal (tmux).
 */
import assert from "node:assert/strict";
import { Terminal } from "./fixtures/tmux.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";

const FIXTURE = new URL("./fixtures/tree.ts", import.meta.url).pathname;
const SOURCE = await Deno.readTextFile(FIXTURE);

function lineOf(text: string): number {
  const index = SOURCE.split("\n").findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} is not in the fixture`);
  return index + 1;
}

async function run(terminal: Terminal, line: string): Promise<void> {
  await terminal.type(line);
  await terminal.keys("Enter");
}

Deno.test(
  "shell: help ACTION, unknown nodes, too many arguments, --source-code",
  NEEDS_TMUX,
  async () => {
    const home = await Deno.makeTempDir({ prefix: "deployer-shell-home-" });
    const command = [Deno.execPath(), "run", "--allow-all", FIXTURE].map((a) => `'${a}'`).join(" ");
    try {
      await using terminal = await Terminal.start(command, { HOME: home, TERM: "xterm-256color" });
      await terminal.waitFor(/^Root > $/m, { timeout: 60_000 });

      await run(terminal, "help web hello");
      const help = await terminal.waitFor(/^ {2}Source: .*tree\.ts:\d+$/m);
      assert.match(help, /^Usage: hello name$/m);
      assert.match(help, /^ {2}Say hello from the web node$/m);
      assert.ok(help.includes(`tree.ts:${lineOf("@action({ description")}`), help);

      await run(terminal, "cd nosuch");
      await terminal.waitFor(/^Unknown node "nosuch" in \/Root \(child nodes: web\)$/m);

      await run(terminal, "web hello ann bob");
      await terminal.waitFor(
        /^Usage: hello name \(takes at most 1 argument: name; got 2\)$/m,
      );

      await run(terminal, "--source-code web");
      const source = await terminal.waitFor(/^\/\/ Web {2}.*tree\.ts:\d+$/m);
      assert.ok(source.includes(`tree.ts:${lineOf("class Web extends Node")}`), source);
      await terminal.waitFor('@action({ description: "Say hello from the web node" })');
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

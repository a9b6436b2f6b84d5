/**
 * Usage help, unknown nodes and source as written, in a real terminal (tmux).
 */
import assert from "node:assert/strict";
import { Terminal } from "./fixtures/tmux.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";
import { denoLine } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/tree.ts", import.meta.url).pathname;
const SOURCE = await Deno.readTextFile(FIXTURE);

function lineOf(text: string): number {
  const index = SOURCE.split("\n").findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} is not in the fixture`);
  return index + 1;
}

Deno.test(
  "shell: help ACTION, unknown nodes, too many arguments, --source-code",
  NEEDS_TMUX,
  async () => {
    const command = denoLine(["--allow-all"], FIXTURE); // in a temporary HOME
    await using terminal = await Terminal.open(command, { TERM: "xterm-256color" }, /^Root > $/m);

    await terminal.enter("help web hello");
    const help = await terminal.waitFor(/^ {2}Source: .*tree\.ts:\d+$/m);
    assert.match(help, /^Usage: hello name$/m);
    assert.match(help, /^ {2}Say hello from the web node$/m);
    assert.ok(help.includes(`tree.ts:${lineOf("@action({ description")}`), help);

    await terminal.enter("cd nosuch");
    await terminal.waitFor(/^Unknown node "nosuch" in \/Root \(child nodes: web\)$/m);

    await terminal.enter("web hello ann bob");
    await terminal.waitFor(
      /^Usage: hello name \(takes at most 1 argument: name; got 2\)$/m,
    );

    await terminal.enter("--source-code web");
    const source = await terminal.waitFor(/^\/\/ Web {2}.*tree\.ts:\d+$/m);
    assert.ok(source.includes(`tree.ts:${lineOf("class Web extends Node")}`), source);
    await terminal.waitFor('@action({ description: "Say hello from the web node" })');
  },
);

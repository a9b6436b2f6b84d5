/**
 * `deployer connect` in real terminals (tmux): two shells on one session, each with its
 * own prompt and working node; raw mode is forwarded, so Tab completion and line editing
 * work as in the normal shell.
 */
import assert from "node:assert/strict";
import { Terminal } from "../shell/fixtures/tmux.ts";
import { REPO } from "../cli/helpers.ts";
import { Listener, Place } from "./_support.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";

/** `deployer connect` in a terminal; `program` is `cli.ts` or a script that calls `runCli`. */
async function connect(place: Place, socket: string, program = "cli.ts"): Promise<Terminal> {
  const command = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--no-lock",
    "--allow-all",
    `${REPO}${program}`,
  ]
    .concat(["connect", "--socket", socket]).map((a) => `'${a}'`).join(" ");
  return await Terminal.start(`${command}; echo "connect exited with $?"`, place.env);
}

/** Presses Tab once the typed text is on screen (readline ignores a Tab pasted with text). */
async function tab(terminal: Terminal, typed: string): Promise<void> {
  await terminal.waitFor(typed);
  await terminal.keys("Tab");
}

Deno.test("session: two connected terminals, each with its own prompt", NEEDS_TMUX, async () => {
  await using place = await Place.create();
  await using listener = await Listener.start(place);
  await using a = await connect(place, listener.socket);
  // A script's own CLI (runCli) does not call Deno.exit: connect must still end.
  await using b = await connect(place, listener.socket, "tests/session/fixtures/own_cli.ts");
  await a.waitFor(/^Root > $/m, { timeout: 60_000 });
  await b.waitFor(/^Root > $/m, { timeout: 60_000 });

  await a.type("cd al");
  await tab(a, "Root > cd al");
  await a.waitFor("Root > cd alpha ");
  await a.keys("Enter");
  await a.waitFor(/^Root\.alpha > $/m);

  // Line editing: type the end first, go Home, insert the start.
  await b.type("d beta");
  await b.waitFor("Root > d beta");
  await b.keys("Home");
  await b.type("c");
  await b.waitFor("Root > cd beta");
  await b.keys("Enter");
  await b.waitFor(/^Root\.beta > $/m);

  await a.type("hello tmux");
  await a.keys("Enter");
  const screen = await a.waitFor(/^hello tmux\nRoot\.alpha > $/m);
  assert.match(screen, /\[one\] hello tmux/);
  assert.doesNotMatch(screen, /Root\.beta/);
  assert.doesNotMatch(await b.screen(), /hello tmux|Root\.alpha/);

  await b.type("exit");
  await b.keys("Enter");
  await b.waitFor(/^connect exited with 0$/m);
  await a.type("pwd");
  await a.keys("Enter");
  await a.waitFor("/Root.alpha\n");
  await a.keys("C-d");
  await a.waitFor(/^connect exited with 0$/m);
});

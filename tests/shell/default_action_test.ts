/**
 * Callable nodes in the shell, as a user drives it in a real terminal (tmux): `.` runs the
 * current node's default action, and a path that names a node runs its default action.
 */
import { Terminal } from "./fixtures/tmux.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";
import { denoLine } from "../_support/command_line.ts";

const SCRIPT = new URL("../cli/fixtures/callable.ts", import.meta.url).pathname;

Deno.test("shell: `.` and a node's path run its default action", NEEDS_TMUX, async (t) => {
  const command = denoLine(["--allow-all"], SCRIPT, ["run"]); // in a temporary HOME
  await using terminal = await Terminal.open(command, { TERM: "xterm-256color" }, /^Root > $/m);
  await t.step("a path naming a node runs its default action", async () => {
    await terminal.enter("production git");
    await terminal.waitFor(/web2\s+clean on web2/);
  });
  await t.step("`.` runs the current node's default action, with arguments", async () => {
    await terminal.enter("cd production");
    await terminal.waitFor(/^Root\.production > $/m);
    await terminal.enter(". v7");
    await terminal.waitFor(/^deployed v7$/m);
  });
  await t.step("`.` on a node without one says so", async () => {
    await terminal.enter("cd .. plain");
    await terminal.waitFor(/^Root\.plain > $/m);
    await terminal.enter(".");
    await terminal.waitFor(/^\/Root\.plain has no default action$/m);
  });
});

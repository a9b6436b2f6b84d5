/**
 * Callable nodes in the shell, as a user drives it in a real terminal (tmux): `.` runs the
 * current node's default action, and a path that names a node runs its default action.
 */
import { Terminal } from "./fixtures/tmux.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";

const SCRIPT = new URL("../cli/fixtures/callable.ts", import.meta.url).pathname;

async function run(terminal: Terminal, line: string): Promise<void> {
  await terminal.type(line);
  await terminal.keys("Enter");
}

Deno.test("shell: `.` and a node's path run its default action", NEEDS_TMUX, async (t) => {
  const home = await Deno.makeTempDir({ prefix: "deployer-default-home-" });
  const command = [Deno.execPath(), "run", "--allow-all", SCRIPT, "run"]
    .map((a) => `'${a}'`).join(" ");
  await using terminal = await Terminal.start(command, { HOME: home, TERM: "xterm-256color" });
  try {
    await terminal.waitFor(/^Root > $/m, { timeout: 60_000 });
    await t.step("a path naming a node runs its default action", async () => {
      await run(terminal, "production git");
      await terminal.waitFor(/web2\s+clean on web2/);
    });
    await t.step("`.` runs the current node's default action, with arguments", async () => {
      await run(terminal, "cd production");
      await terminal.waitFor(/^Root\.production > $/m);
      await run(terminal, ". v7");
      await terminal.waitFor(/^deployed v7$/m);
    });
    await t.step("`.` on a node without one says so", async () => {
      await run(terminal, "cd .. plain");
      await terminal.waitFor(/^Root\.plain > $/m);
      await run(terminal, ".");
      await terminal.waitFor(/^\/Root\.plain has no default action$/m);
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

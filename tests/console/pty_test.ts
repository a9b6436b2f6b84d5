/**
 * The console driven as a user drives it: a real terminal (tmux), keystrokes in, the
 * screen read back with `capture-pane`.
 */
import assert from "node:assert/strict";
import { denoDir } from "../_support/home.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";

const FIXTURE = new URL("./fixtures/ask.ts", import.meta.url).pathname;

async function tmux(socket: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("tmux", {
    args: ["-S", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`tmux ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  }
  return new TextDecoder().decode(stdout);
}

interface Terminal {
  keys: (...keys: string[]) => Promise<void>;
  type: (text: string) => Promise<void>;
  screen: () => Promise<string>;
  /** Polls the screen until `check` holds (10 ms steps, 60 s at most). */
  waitFor: (check: (screen: string) => boolean, what: string) => Promise<string>;
  result: () => Promise<Record<string, unknown>>;
}

async function withTerminal(scenario: string, body: (t: Terminal) => Promise<void>) {
  const id = crypto.randomUUID().slice(0, 8);
  const session = `console-${id}`;
  const dir = await Deno.makeTempDir({ prefix: "deployer-console-pty-" });
  const socket = `${dir}/tmux.sock`; // a private tmux server, removed with the directory
  const resultFile = `${dir}/result.json`;
  const command =
    `'${Deno.execPath()}' run --quiet --allow-all '${FIXTURE}' ${scenario} '${resultFile}'` +
    `; echo "EXIT CODE $?"; sleep 600`;
  await Deno.mkdir(`${dir}/home`);
  const env = ["-e", `HOME=${dir}/home`, "-e", `DENO_DIR=${await denoDir()}`];
  await tmux(socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "30", ...env, command);
  const screen = () => tmux(socket, "capture-pane", "-p", "-t", session);
  const t: Terminal = {
    keys: async (...keys) => void await tmux(socket, "send-keys", "-t", session, ...keys),
    type: async (text) => void await tmux(socket, "send-keys", "-t", session, "-l", text),
    screen,
    async waitFor(check, what) {
      const deadline = Date.now() + 60_000;
      let last = "";
      while (Date.now() < deadline) {
        last = await screen();
        if (check(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`Timed out waiting for ${what}; screen:\n${last}`);
    },
    result: async () => JSON.parse(await Deno.readTextFile(resultFile)),
  };
  try {
    await body(t);
  } finally {
    await tmux(socket, "kill-server").catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(
  "a user answers input, password, choice and confirm in a real terminal",
  NEEDS_TMUX,
  async () => {
    await withTerminal("ask", async (t) => {
      await t.waitFor((s) => s.includes("Your name (nobody)"), "the name prompt");
      await t.type("Joe");
      await t.waitFor((s) => s.includes("Your name Joe"), "the typed name echoed");
      await t.keys("Enter");

      await t.waitFor((s) => s.includes("? Password"), "the password prompt");
      await t.type("s3cret");
      await t.waitFor((s) => s.includes("? Password ******"), "six mask characters");
      await t.keys("Enter");

      await t.waitFor((s) => /❯ red/.test(s), "the choice with the cursor on the first option");
      await t.keys("Down");
      await t.waitFor((s) => /❯ green/.test(s), "the cursor on green");
      await t.keys("Down");
      await t.waitFor((s) => /❯ blue/.test(s), "the cursor on blue");
      await t.keys("Enter");

      await t.waitFor((s) => s.includes("Proceed? (y/N)"), "the confirmation, default no");
      await t.type("y");
      await t.keys("Enter");

      const final = await t.waitFor((s) => s.includes("EXIT CODE"), "the fixture to finish");
      assert.ok(final.includes("FIXTURE DONE"), final);
      assert.ok(final.includes("EXIT CODE 0"), final);
      assert.ok(!final.includes("s3cret"), "the password is never shown");
      assert.ok(final.includes("Your name Joe"), final);
      assert.ok(final.includes("Favourite colour blue"), final);
      assert.deepEqual(await t.result(), {
        name: "Joe",
        secret: "s3cret",
        color: "b",
        proceed: true,
      });
    });
  },
);

Deno.test("Ctrl-C at a question raises NoInputError in a real terminal", NEEDS_TMUX, async () => {
  await withTerminal("interrupt", async (t) => {
    await t.waitFor((s) => s.includes("Git commit"), "the question");
    await t.type("abc");
    await t.keys("C-c");
    const final = await t.waitFor((s) => s.includes("EXIT CODE"), "the fixture to finish");
    assert.ok(final.includes("EXIT CODE 0"), final);
    assert.deepEqual(await t.result(), { error: 'Cannot ask "Git commit": interrupted' });
  });
});

Deno.test("Ctrl-D at a question raises NoInputError in a real terminal", NEEDS_TMUX, async () => {
  await withTerminal("interrupt", async (t) => {
    await t.waitFor((s) => s.includes("Git commit"), "the question");
    await t.keys("C-d");
    const final = await t.waitFor((s) => s.includes("EXIT CODE"), "the fixture to finish");
    assert.ok(final.includes("EXIT CODE 0"), final);
    assert.deepEqual(await t.result(), {
      error: 'Cannot ask "Git commit": Ctrl-D was pressed',
    });
  });
});

Deno.test(
  "the pager shows one screen at a time and stops on q in a real terminal",
  NEEDS_TMUX,
  async () => {
    await withTerminal("pager", async (t) => {
      // 30 rows: 29 lines, then the prompt.
      let screen = await t.waitFor((s) => s.includes("Press enter to continue..."), "page 1");
      assert.ok(screen.includes("line 29") && !screen.includes("line 30"), screen);
      await t.keys("Enter");
      screen = await t.waitFor((s) => s.includes("line 58"), "page 2");
      assert.ok(!screen.includes("line 59"), screen);
      assert.ok(screen.includes("Press enter to continue..."), screen);
      await t.keys("q");
      const final = await t.waitFor((s) => s.includes("EXIT CODE"), "the fixture to finish");
      assert.ok(final.includes("EXIT CODE 0") && !final.includes("line 59"), final);
      assert.deepEqual(await t.result(), { rows: 30, columns: 120 });
    });
  },
);

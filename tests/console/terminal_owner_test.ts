/**
 * One owner of the terminal, as a user sees it: a deploy script run through the CLI in
 * a real terminal (tmux), with local hosts and real sshd servers.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { Terminal } from "../shell/fixtures/tmux.ts";
import { NEEDS_SSH, NEEDS_TMUX } from "../_support/needs.ts";
import { denoDir, tempDir } from "../_support/home.ts";
import { denoLine } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/owner.ts", import.meta.url).pathname;

/** The fixture's CLI in tmux, and its directory (its HOME and `DPL_DIR`). */
interface Run extends AsyncDisposable {
  terminal: Terminal;
  dir: string;
}

/**
 * Starts the fixture's CLI in tmux with a new directory (removed on dispose); the shell
 * prints `EXIT=<code>` when it ends. `prepare` writes into the directory first.
 */
async function start(
  args: string[],
  env: Record<string, string> = {},
  prepare: (dir: string) => Promise<void> = async () => {},
): Promise<Run> {
  const scratch = await tempDir("deployer-owner-");
  const dir = scratch.path;
  try {
    await prepare(dir);
    const command = denoLine(["--quiet", "--allow-all"], FIXTURE, args) + "; echo EXIT=$?";
    const vars = { HOME: dir, DENO_DIR: await denoDir(), TERM: "xterm-256color", DPL_DIR: dir };
    const terminal = await Terminal.start(command, { ...vars, ...env });
    return {
      terminal,
      dir,
      async [Symbol.asyncDispose]() {
        await terminal[Symbol.asyncDispose]();
        await scratch[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await scratch[Symbol.asyncDispose]();
    throw error;
  }
}

/** Waits until a file exists (the fixture creates it when something has happened). */
async function fileAppears(path: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} did not appear`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

Deno.test(
  "while a host asks a question, another host's output waits for the answer",
  NEEDS_TMUX,
  async () => {
    await using run = await start(["run", "--", "pair.talk"]);
    const { terminal, dir } = run;
    // The question names the host that asks.
    await terminal.waitFor("[asker] Release name");
    // The other host prints a line and finishes while the question is open.
    await Deno.writeTextFile(`${dir}/go`, "");
    await fileAppears(`${dir}/talker.done`);
    const during = await terminal.screen();
    assert.ok(!during.includes("talker-late-line"), `printed during the question:\n${during}`);
    assert.ok(!/\d+ running/.test(during), `live line shown during the question:\n${during}`);
    await terminal.enter("v1");
    const after = await terminal.waitFor(/EXIT=\d+/);
    assert.match(after, /EXIT=0/);
    const question = after.indexOf("[asker] Release name");
    const late = after.indexOf("[talker] talker-late-line");
    assert.ok(late > question, `held output is shown after the answer:\n${after}`);
    // The question's line is not broken by other output.
    assert.match(after, /\[asker\] Release name v1\n/);
  },
);

Deno.test(
  "questions of two hosts come one at a time, each naming its host",
  NEEDS_TMUX,
  async () => {
    await using run = await start(["run", "--", "pair.both"]);
    const { terminal } = run;
    const first = await terminal.waitFor(/\[(asker|talker)\] Version/);
    assert.equal(first.match(/\] Version/g)?.length, 1, `one question at a time:\n${first}`);
    const host = first.match(/\[(asker|talker)\] Version/)![1];
    const other = host === "asker" ? "talker" : "asker";
    await terminal.enter(`v-${host}`);
    await terminal.waitFor(`[${other}] Version`);
    await terminal.enter(`v-${other}`);
    const after = await terminal.waitFor(/EXIT=\d+/);
    assert.match(after, /EXIT=0/);
    assert.match(after, /asker\s+v-asker\n/);
    assert.match(after, /talker\s+v-talker\n/);
  },
);

Deno.test("host keys of 3 unknown servers: one 'yes to all remaining' answer", {
  ignore: NEEDS_SSH.ignore || NEEDS_TMUX.ignore,
}, async () => {
  await using ssh = await startSshServers(3);
  const servers = ssh.servers.map((s) => ({
    slug: s.slug,
    address: s.address,
    port: s.port,
    user: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
  }));
  const env = { DPL_SERVERS: JSON.stringify(servers) };
  const emptyKnownHosts = (dir: string) => Deno.writeTextFile(`${dir}/known_hosts`, "");
  await using run = await start(["run", "--", "servers.hello"], env, emptyKnownHosts);
  const { terminal, dir } = run;
  await terminal.waitFor("yes to all remaining");
  await terminal.keys("Down");
  await terminal.keys("Down");
  await terminal.keys("Enter");
  const after = await terminal.waitFor(/EXIT=\d+/);
  assert.match(after, /EXIT=0/);
  // Asked once, for one host; the others were accepted with that answer.
  assert.equal(after.split("can't be established").length - 1, 1, after);
  for (const s of ssh.servers) assert.ok(after.includes(`hello-from-${s.slug}`), after);
  const known = (await Deno.readTextFile(`${dir}/known_hosts`)).trim().split("\n");
  assert.equal(known.length, 3);
  for (const s of ssh.servers) {
    assert.ok(known.some((l) => l.startsWith(`[${s.address}]:${s.port} `)), known.join("\n"));
  }
});

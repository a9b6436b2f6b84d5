/**
 * One owner of the terminal, as a user sees it: a deploy script run through the CLI in
 * a real terminal (tmux), with local hosts and real sshd servers.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { Terminal } from "../shell/fixtures/tmux.ts";
import { NEEDS_SSH, NEEDS_TMUX } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";
import { denoLine } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/owner.ts", import.meta.url).pathname;

/** Starts the fixture's CLI in tmux; the shell prints `EXIT=<code>` when it ends. */
async function start(dir: string, args: string[], env: Record<string, string> = {}) {
  const command = denoLine(["--quiet", "--allow-all"], FIXTURE, args) + "; echo EXIT=$?";
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  return await Terminal.start(command, {
    HOME: dir,
    DENO_DIR: denoDir,
    TERM: "xterm-256color",
    DPL_DIR: dir,
    ...env,
  });
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
    await using scratch = await tempDir("deployer-owner-");
    const dir = scratch.path;
    await using terminal = await start(dir, ["run", "--", "pair.talk"]);
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
    await using scratch = await tempDir("deployer-owner-");
    const dir = scratch.path;
    await using terminal = await start(dir, ["run", "--", "pair.both"]);
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
  await using scratch = await tempDir("deployer-owner-");
  const dir = scratch.path;
  await Deno.writeTextFile(`${dir}/known_hosts`, "");
  const servers = ssh.servers.map((s) => ({
    slug: s.slug,
    address: s.address,
    port: s.port,
    user: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
  }));
  await using terminal = await start(dir, ["run", "--", "servers.hello"], {
    DPL_SERVERS: JSON.stringify(servers),
  });
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

/**
 * What a test run leaves behind: nothing. Server sets remove their users, sudo rules, sshd
 * and temp dir when they stop; a killed run's leftovers are swept by the next run (and a
 * live run's are kept); the test runner gives the tests a fresh HOME and TMPDIR and
 * removes them.
 */
import assert from "node:assert/strict";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { sweepLeftovers } from "../../src/testing/_sweep.ts";
import { processAlive } from "../../src/testing/_proc_tree.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";

const SSHD = new URL("../../src/testing/mod.ts", import.meta.url).href;
const RUNNER = new URL("../../src/testing/run_tests.ts", import.meta.url).pathname;

async function userExists(name: string): Promise<boolean> {
  return (await new Deno.Command("id", { args: ["-u", name], stdout: "null", stderr: "null" })
    .output()).success;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** The sudoers files that name `user`. */
async function sudoersNaming(user: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/etc/sudoers.d")) {
    const text = await Deno.readTextFile(`/etc/sudoers.d/${entry.name}`).catch(() => "");
    if (text.includes(user)) found.push(entry.name);
  }
  return found;
}

interface SetFacts {
  users: string[];
  pids: number[];
  dir: string;
}

function facts(ssh: Pick<TestServers, "keyUser" | "passwordUser" | "servers" | "dir">): SetFacts {
  return {
    users: [ssh.keyUser.name, ssh.passwordUser.name],
    pids: ssh.servers.map((s) => s.pid),
    dir: ssh.dir,
  };
}

async function assertGone(set: SetFacts): Promise<void> {
  for (const user of set.users) {
    assert.equal(await userExists(user), false, `user ${user} still exists`);
    assert.equal(await exists(`/home/${user}`), false, `/home/${user} still exists`);
    assert.deepEqual(await sudoersNaming(user), [], `sudo rules for ${user} remain`);
  }
  for (const pid of set.pids) assert.equal(await processAlive(pid), false, `sshd ${pid} runs`);
  assert.equal(await exists(set.dir), false, `${set.dir} still exists`);
}

async function assertPresent(set: SetFacts): Promise<void> {
  for (const user of set.users) {
    assert.equal(await userExists(user), true, `user ${user} is missing`);
    assert.equal((await sudoersNaming(user)).length, 1, `no sudo rules for ${user}`);
  }
  for (const pid of set.pids) assert.equal(await processAlive(pid), true, `sshd ${pid} died`);
  assert.equal(await exists(set.dir), true, `${set.dir} is missing`);
}

Deno.test(
  "stop() removes the set's users, homes, sudo rules, sshd and temp dir",
  NEEDS_SSH,
  async () => {
    const ssh = await startSshServers(2);
    const set = facts(ssh);
    assert.match(set.users[0], new RegExp(`^dpl-k-${Deno.pid}-[0-9a-f]+$`));
    assert.match(set.users[1], new RegExp(`^dpl-p-${Deno.pid}-[0-9a-f]+$`));
    await assertPresent(set);
    await ssh.stop();
    await assertGone(set);
  },
);

Deno.test("a failing test still removes its servers (await using)", NEEDS_SSH, async () => {
  let set: SetFacts | undefined;
  await assert.rejects(async () => {
    await using ssh = await startSshServers(1);
    set = facts(ssh);
    throw new Error("the test failed");
  }, /the test failed/);
  await assertGone(set!);
});

const OWNER = `
import { startSshServers } from ${JSON.stringify(SSHD)};
const ssh = await startSshServers(1);
console.log(JSON.stringify({
  users: [ssh.keyUser.name, ssh.passwordUser.name],
  pids: ssh.servers.map((s) => s.pid),
  dir: ssh.dir,
}));
await Deno.stdin.read(new Uint8Array(1)); // holds the servers until killed
`;

Deno.test("a killed run's leftovers are swept; a live run's are kept", NEEDS_SSH, async () => {
  await using live = await startSshServers(1);
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(script, OWNER);
    const owner = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = owner.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      line += value;
    }
    const killed: SetFacts = JSON.parse(line);
    await assertPresent(killed);
    owner.kill("SIGKILL");
    await owner.status;
    await reader.cancel();
    await owner.stdin.close().catch(() => {});
    // Killed: nothing ran its cleanup; the sweep (also run by every startSshServers) does.
    const report = await sweepLeftovers();
    assert.deepEqual(report.errors, []);
    await assertGone(killed);
    await assertPresent(facts(live)); // this process is alive: its set stays
  } finally {
    await Deno.remove(script);
  }
});

const PROBE = `
Deno.test("writes into HOME and TMPDIR", async () => {
  console.log("HOME=" + Deno.env.get("HOME"));
  console.log("TMPDIR=" + Deno.env.get("TMPDIR"));
  await Deno.writeTextFile(Deno.env.get("HOME") + "/.probe_history", "x");
  await Deno.makeTempDir({ prefix: "probe-" });
});
`;

Deno.test("run_tests.ts: a fresh HOME and TMPDIR, removed after; writing into HOME fails the run", async () => {
  await using scratch = await tempDir("deployer-runner-");
  const dir = scratch.path;
  await Deno.writeTextFile(`${dir}/probe_test.ts`, PROBE);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", RUNNER, "--allow-all", `${dir}/probe_test.ts`],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  const home = /^HOME=(.*)$/m.exec(stdout)?.[1];
  const tmp = /^TMPDIR=(.*)$/m.exec(stdout)?.[1];
  assert.ok(home && tmp, stdout);
  assert.notEqual(home, Deno.env.get("HOME"));
  assert.match(home, /\/dpl-run-\d+-[^/]+\/home$/);
  assert.match(tmp, /\/dpl-run-\d+-[^/]+\/tmp$/);
  assert.match(stdout, /1 passed/); // the test itself passed...
  assert.equal(out.code, 1); // ...but it wrote into HOME
  assert.match(stderr, /the tests wrote into HOME .*\n\s+\.probe_history/);
  assert.equal(await exists(home), false);
  assert.equal(await exists(tmp), false);
});

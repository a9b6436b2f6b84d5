/**
 * `--json` prints one JSON document on stdout and nothing else: a run that asks a question
 * (the default is taken without a person), warns, shows a progress bar, prints a contrib
 * `Config` diff and runs commands on several hosts still pipes into a JSON parser.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { tempDir } from "../_support/home.ts";
import { processesWith, uniqueSleep } from "../_support/procs.ts";
import { CliChild, deno, FIXTURES, sshSetup } from "./helpers.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test("run --json: stdout is one JSON document; questions, warnings, bars, diffs on stderr", async () => {
  await using scratch = await tempDir();
  const dir = scratch.path;
  const out = await deno(`${FIXTURES}fleet.ts`, ["run", "--json", "--", "chatty"], undefined, {
    DPL_TEST_DIR: dir,
  });
  assert.equal(out.code, 0, out.stderr);
  const doc = JSON.parse(out.stdout); // the whole of stdout
  assert.equal(doc.ok, true);
  assert.equal(doc.action, "Fleet.chatty");
  assert.deepEqual(doc.result, {
    proceed: true,
    web: ["deployed web1", "deployed web2", "deployed web3", "deployed web4"],
  });
  assert.equal(typeof doc.duration, "number");
  assert.deepEqual(doc.hosts.map((h: { host: string }) => h.host), [
    "web1",
    "web2",
    "web3",
    "web4",
    "db1",
  ]);
  assert.ok(doc.hosts.every((h: { status: string }) => h.status === "ok"));
  assert.match(out.stderr, /Proceed\?/);
  assert.match(out.stderr, /WARNING: this is only a test/);
  assert.match(out.stderr, /Steps: 3\/3/);
  assert.match(out.stderr, /\+welcome/);
  assert.match(out.stderr, /\[web3\] deployed web3/);
});

Deno.test("run --json: a failure is one JSON document too, with every host's outcome", async () => {
  const out = await deno(`${FIXTURES}fleet.ts`, [
    "run",
    "--json",
    "--serial",
    "2",
    "--fail-fast",
    "--",
    "web.failOn",
    "web1",
  ]);
  assert.equal(out.code, 1, out.stderr);
  const doc = JSON.parse(out.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.error.name, "ParallelError");
  assert.deepEqual(doc.hosts.map((h: { host: string; status: string }) => [h.host, h.status]), [
    ["web1", "failed"],
    ["web2", "ok"],
    ["web3", "skipped"],
    ["web4", "skipped"],
  ]);
  assert.equal(doc.hosts[1].value, "fine on web2");
  assert.equal(doc.hosts[2].error.name, "SkippedError");
});

Deno.test(
  "run --json: Ctrl-C still ends in one JSON document naming the stopped hosts",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    await using sleeper = uniqueSleep();
    const { seconds } = sleeper;
    const args = ["run", "--json", "--", "hold"];
    const env = { DPL_TEST_SSH: sshSetup(ssh, seconds) };
    await using cli = await CliChild.spawn(`${FIXTURES}ssh_hold.ts`, args, env, { stdout: true });
    await cli.until((text) => (text.match(/\] ready/g) ?? []).length >= 2);
    cli.process.kill("SIGINT");
    assert.equal((await cli.finish()).code, 130);
    const doc = JSON.parse(await cli.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.interrupted.signal, "SIGINT");
    assert.deepEqual(doc.interrupted.stoppedHosts.sort(), ["sshd1", "sshd2"]);
    assert.deepEqual(doc.hosts.map((h: { host: string; status: string }) => [h.host, h.status]), [
      ["sshd1", "stopped"],
      ["sshd2", "stopped"],
    ]);
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  },
);

import assert from "node:assert/strict";
import { CliChild, deno, deployer, FIXTURES, hasStackTrace, PERMS, ScriptPty } from "./helpers.ts";
import { tempDir } from "../_support/home.ts";
import { denoLine } from "../_support/command_line.ts";

const APP = "tests/cli/fixtures/app.ts";

Deno.test("demo: the embedded hello world runs without a script", async () => {
  const out = await deployer(
    ["run", "--non-interactive", "--", "hello"],
    ["--allow-run=sh,/bin/sh", "--allow-env"],
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "hello world\n");
  assert.match(out.stderr, /echo 'hello world'/);
});

Deno.test("run: an action of a script given by path, with string arguments", async () => {
  const out = await deployer(["run", APP, "--non-interactive", "--", "greet", "world"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "hello world\n");
  assert.ok(out.stderr.includes("[db1] $ echo hello 'world'\n"), out.stderr);
});

Deno.test("run: ACTION may follow the script without --, dotted into children", async () => {
  const out = await deployer(["run", APP, "production.deploy", "abc123", "--non-interactive"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "deployed abc123 (fast)\n");
});

Deno.test("run: --path makes ACTION relative to a node", async () => {
  const out = await deployer(["run", APP, "--path", "production", "--", "deploy", "x", "slow"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "deployed x (slow)\n");
});

Deno.test("run: a script exporting `root` instead of a default", async () => {
  const out = await deployer(["run", "tests/cli/fixtures/named_root.ts", "--", "ping"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "pong\n");
});

Deno.test("run: a parallel action prints one result per host", async () => {
  const out = await deployer(["run", APP, "--", "web.whoami"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "web1  web1\nweb2  web2\n");
});

Deno.test("run: a script is its own CLI through runCli", async () => {
  const out = await deno(APP, ["run", "--non-interactive", "--", "greet", "you"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "hello you\n");
  const help = await deno(APP, ["--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: app \[options\] \[command\]/);
  assert.match(help.stdout, /run \[options\] \[action\] \[args\.\.\.\]/);
  assert.doesNotMatch(help.stdout, /compile/);
});

Deno.test("run: unknown action names what and where, exit 2", async () => {
  const out = await deployer(["run", APP, "--", "production.deploi", "x"]);
  assert.equal(out.code, 2);
  assert.match(
    out.stderr,
    /Unknown action "deploi" in App\.production \(actions: deploy, status\)/,
  );
  assert.equal(out.stdout, "");
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("run: unknown node in the path, exit 2", async () => {
  const out = await deployer(["run", APP, "--", "prod.deploy"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /Unknown node "prod" in App \(child nodes: web, production\)/);
});

Deno.test("run: missing arguments are a usage error", async () => {
  const out = await deployer(["run", APP, "--", "production.deploy"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /App\.production\.deploy needs 1 argument \(commit, \[mode\]\), got 0/);
});

Deno.test("run: unknown option and bad --parallel are usage errors", async () => {
  const unknown = await deployer(["run", APP, "--frobnicate", "--", "greet", "x"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--frobnicate'/);
  const parallel = await deployer(["run", APP, "--parallel", "0", "--", "greet", "x"]);
  assert.equal(parallel.code, 2);
  assert.match(parallel.stderr, /--parallel expects a positive integer, got "0"/);
});

Deno.test("run: no action without a terminal is a usage error listing the actions", async () => {
  const out = await deployer(["run", APP, "--non-interactive"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /No action given/);
  assert.match(out.stderr, /actions of App: fail, greet, secretive, sleepy/);
});

Deno.test("run: a failing action exits 1 and names host and command", async () => {
  const out = await deployer(["run", APP, "--non-interactive", "--", "fail"]);
  assert.equal(out.code, 1);
  assert.match(
    out.stderr,
    /Action App\.fail failed: Command on host "db1" failed with exit code 3/,
  );
  assert.match(out.stderr, /echo oops >&2; exit 3/);
  assert.match(out.stderr, /\| oops/);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
  const debug = await deployer(["run", APP, "--", "fail"], PERMS, { DEPLOYER_DEBUG: "1" });
  assert.equal(debug.code, 1);
  assert.ok(hasStackTrace(debug.stderr), debug.stderr);
});

Deno.test("run --json: a parallel result becomes { slug: value } plus hosts", async () => {
  const out = await deployer(["run", APP, "--json", "--", "web.whoami"]);
  assert.equal(out.code, 0, out.stderr);
  const doc = JSON.parse(out.stdout);
  assert.equal(typeof doc.duration, "number");
  for (const host of doc.hosts) assert.equal(typeof host.duration, "number");
  const noTimes = {
    ...doc,
    duration: 0,
    hosts: doc.hosts.map((h: object) => ({ ...h, duration: 0 })),
  };
  assert.deepEqual(noTimes, {
    ok: true,
    action: "App.web.whoami",
    args: [],
    result: { web1: "web1", web2: "web2" },
    duration: 0,
    hosts: [
      { host: "web1", ok: true, status: "ok", duration: 0, value: "web1" },
      { host: "web2", ok: true, status: "ok", duration: 0, value: "web2" },
    ],
  });
  assert.ok(out.stderr.includes("[web1] $ echo 'web1'\n"), out.stderr);
});

Deno.test("run --json: a parallel error lists every host's outcome", async () => {
  const out = await deployer(["run", APP, "--json", "--", "web.failOnWeb2"]);
  assert.equal(out.code, 1);
  const doc = JSON.parse(out.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.action, "App.web.failOnWeb2");
  assert.equal(doc.error.name, "ParallelError");
  assert.match(doc.error.message, /failed on 1 of 2 hosts \(web2\)/);
  assert.equal(doc.hosts.length, 2);
  assert.deepEqual({ ...doc.hosts[0], duration: 0 }, {
    host: "web1",
    ok: true,
    status: "ok",
    duration: 0,
    value: "fine",
  });
  assert.equal(doc.hosts[1].status, "failed");
  assert.equal(doc.hosts[1].host, "web2");
  assert.equal(doc.hosts[1].ok, false);
  assert.equal(doc.hosts[1].error.host, "web2");
  assert.equal(doc.hosts[1].error.code, 4);
  assert.match(doc.hosts[1].error.message, /exit code 4/);
});

Deno.test("run --json: a single failure and a usage error are one JSON document", async () => {
  const failed = await deployer(["run", APP, "--json", "--", "fail"]);
  assert.equal(failed.code, 1);
  const doc = JSON.parse(failed.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.error.name, "ActionError");
  assert.equal(doc.error.host, "db1");
  assert.equal(doc.error.code, 3);
  const usage = await deployer(["run", APP, "--json", "--", "nope"]);
  assert.equal(usage.code, 2);
  const usageDoc = JSON.parse(usage.stdout);
  assert.equal(usageDoc.error.name, "UsageError");
  assert.equal(usageDoc.action, "nope");
});

Deno.test("run --sandbox: nothing runs, the plan is printed per host", async () => {
  const out = await deployer(["run", APP, "--sandbox", "--", "web.whoami"]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^Sandbox plan \(nothing was run\):\n/);
  assert.ok(out.stdout.includes("  web1:\n    echo 'web1'\n"), out.stdout);
  assert.ok(out.stdout.includes("  web2:\n    echo 'web2'\n"), out.stdout);
  const json = await deployer(["run", APP, "--sandbox", "--json", "--", "greet", "x"]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).plan, [{ host: "db1", command: "echo hello 'x'" }]);
});

Deno.test("run --log: JSON lines of every event, secrets masked", async () => {
  await using scratch = await tempDir("deployer_cli_log_");
  const dir = scratch.path;
  const log = `${dir}/run.jsonl`;
  const out = await deployer(["run", APP, "--log", log, "--", "secretive"]);
  assert.equal(out.code, 0, out.stderr);
  const text = await Deno.readTextFile(log);
  const events = text.trim().split("\n").map((line) => JSON.parse(line));
  const types = events.map((e) => e.type);
  assert.ok(types.includes("action.start") && types.includes("action.end"), types.join());
  const start = events.find((e) => e.type === "command.start");
  assert.equal(start.host, "db1");
  assert.equal(start.command, "echo token='***'");
  assert.ok(events.every((e) => typeof e.time === "string"));
  assert.ok(!text.includes("hunter2"));
  assert.ok(!out.stderr.includes("hunter2"));
});

Deno.test("run --log: a log file that cannot be opened is a usage error", async () => {
  const out = await deployer(["run", APP, "--log", "/nonexistent/dir/x.log", "--", "greet", "x"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /Cannot open the log file "\/nonexistent\/dir\/x\.log"/);
});

Deno.test("run: SIGINT during a command stops it and exits 130", async () => {
  const args = ["run", `${FIXTURES}app.ts`, "--", "sleepy"];
  await using cli = await CliChild.spawn("cli.ts", args, {}, { stdout: true });
  await cli.until((text) => text.includes("$ sleep 30"));
  cli.process.kill("SIGINT");
  assert.equal((await cli.finish()).code, 130, cli.text);
  assert.match(cli.text, /Interrupted App\.sleepy: stopped the commands on db1\./);
  assert.equal(await cli.stdout, "");
});

Deno.test("run: without ACTION on a terminal, the shell opens at --path", async () => {
  const command = denoLine(["--quiet", ...PERMS], "cli.ts", ["run", APP, "--path", "production"]);
  await using pty = await ScriptPty.spawn(command);
  await pty.until((screen) => screen.includes("App.production > "));
  await pty.enter("deploy v9");
  await pty.until((screen) => screen.includes("deployed v9 (fast)"));
  await pty.enter("exit");
  assert.equal((await pty.finish()).code, 0);
  // The history went to the test's own HOME.
  assert.match(await Deno.readTextFile(`${pty.home}/.deployer_history`), /^deploy v9$/m);
});

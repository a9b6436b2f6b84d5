/**
 * The sandbox plan says where and how: each command with its working directory, the
 * names of its variables (values masked) and its sudo user, per host in definition
 * order. The CLI runs as a subprocess; the shell in a real terminal (tmux).
 */
import assert from "node:assert/strict";
import { Terminal } from "../shell/fixtures/tmux.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";
import { deno, type Output } from "../cli/helpers.ts";
import { denoLine } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/plan.ts", import.meta.url).pathname;
const SECRET = "s3cr3t-token-value";

/** Runs the fixture's CLI (a temporary HOME) and collects its output. */
function cli(...args: string[]): Promise<Output> {
  return deno(FIXTURE, args, ["--allow-all"]);
}

Deno.test("--sandbox prints each command's directory, variable names and sudo user", async () => {
  const out = await cli("run", "--sandbox", "--", "web.deploy");
  assert.equal(out.code, 0, out.stderr);
  const block = [
    "    make build",
    "      cwd: /srv/app  env: API_TOKEN=*** MODE=***",
    "    (sudo) systemctl reload app",
    "      cwd: /srv/app  env: API_TOKEN=*** MODE=***  sudo user: www-data",
  ].join("\n");
  assert.ok(out.stdout.includes(`  zeta:\n${block}\n  alpha:\n${block}\n`), out.stdout);
  assert.ok(!(out.stdout + out.stderr).includes(SECRET));
  assert.ok(!(out.stdout + out.stderr).includes("production"), "variable values are masked");

  const plain = await cli("run", "--sandbox", "--", "plain");
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(plain.stdout.includes("  zeta:\n    uptime\n  alpha:\n    uptime\n"), plain.stdout);
});

Deno.test("--sandbox --json carries the plan with cwd, env names and user, in host order", async () => {
  const out = await cli("run", "--sandbox", "--json", "--", "web.deploy");
  assert.equal(out.code, 0, out.stderr);
  assert.ok(!out.stdout.includes(SECRET));
  const plan = JSON.parse(out.stdout).plan;
  const entries = (host: string) => [
    { host, command: "make build", cwd: "/srv/app", env: ["API_TOKEN", "MODE"] },
    {
      host,
      command: "(sudo) systemctl reload app",
      cwd: "/srv/app",
      env: ["API_TOKEN", "MODE"],
      user: "www-data",
    },
  ];
  assert.deepEqual(plan, [...entries("zeta"), ...entries("alpha")]);
});

Deno.test(
  "a shell started with --sandbox says so in its prompt and prints the plan",
  NEEDS_TMUX,
  async () => {
    // Terminal.start gives it a temporary HOME.
    const command = denoLine(["--quiet", "--allow-all"], FIXTURE, ["run", "--sandbox"]);
    await using terminal = await Terminal.start(command, { TERM: "xterm-256color" });
    await terminal.waitFor("Root (sandbox) > ");
    await terminal.enter("web deploy");
    // The plan, then the prompt again.
    const screen = await terminal.waitFor(/alpha:[\s\S]*sudo user[\s\S]*Root \(sandbox\) > /);
    assert.ok(screen.includes("Sandbox plan (nothing was run):"), screen);
    assert.ok(screen.includes("sudo user: www-data"), screen);
    assert.ok(screen.indexOf("  zeta:") < screen.indexOf("  alpha:"), screen);
    assert.ok(!screen.includes(SECRET), screen);
    // Planned on alpha first, listed in definition order all the same.
    await terminal.enter("backwards");
    const again = await terminal.waitFor("Root (sandbox) > ", { count: 3 });
    const last = again.slice(again.lastIndexOf("Sandbox plan (nothing was run):"));
    assert.ok(last.includes("  alpha:"), last);
    assert.ok(last.indexOf("  zeta:") < last.indexOf("  alpha:"), last);
    await terminal.enter("exit");
  },
);

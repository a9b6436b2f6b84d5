import assert from "node:assert/strict";
import { deno, deployer, hasStackTrace, PERMS, REPO } from "./helpers.ts";
import { tempDir } from "../_support/home.ts";

const APP = "tests/cli/fixtures/app.ts";

Deno.test("inspect: nodes, groups, hosts per role, actions with descriptions", async () => {
  const out = await deployer(["inspect", APP]);
  assert.equal(out.code, 0, out.stderr);
  const text = out.stdout;
  for (
    const part of [
      "App\n  hosts:\n    web: web1 (localhost), web2 (localhost)\n    db: db1 (localhost)\n",
      "  actions:\n    fail()  (tests/cli/fixtures/app.ts:",
      "\n  web  [Web; parallel on web1, web2]\n    hosts:\n      host: web1 (localhost), web2 (localhost)\n",
      "\n  production  [Production; group: production]\n",
      "      deploy(commit, [mode]) — Deploy a commit to production  (tests/cli/fixtures/app.ts:",
    ]
  ) assert.ok(text.includes(part), `${part}\n--- not in ---\n${text}`);
  assert.ok(text.startsWith("App\n"));
  const sub = await deployer(["inspect", APP, "production"]);
  assert.equal(sub.code, 0, sub.stderr);
  assert.ok(sub.stdout.startsWith("App.production  [Production; group: production]\n"), sub.stdout);
  const unknown = await deployer(["inspect", APP, "nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown node "nope" in App/);
});

Deno.test("inspect: the embedded default tree and a script's own inspect", async () => {
  const out = await deployer(["inspect"]);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(
    out.stdout.startsWith(
      "SayHelloOnLocalHost\n  hosts:\n    host: localhost\n  actions:\n    hello()  (src/cli/hello.ts:",
    ),
    out.stdout,
  );
  const own = await deno(APP, ["inspect", "web"]);
  assert.equal(own.code, 0, own.stderr);
  assert.ok(own.stdout.startsWith("App.web  [Web; parallel on web1, web2]\n"), own.stdout);
});

Deno.test("--version and --help", async () => {
  const version = await deployer(["--version"], []);
  assert.equal(version.code, 0, version.stderr);
  const config = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));
  assert.equal(version.stdout, `deployer ${config.version} (deno ${Deno.version.deno})\n`);
  const help = await deployer(["--help"], []);
  assert.equal(help.code, 0, help.stderr);
  for (const word of ["run", "inspect", "compile", "completions"]) {
    assert.match(help.stdout, new RegExp(`\\n  ${word} `));
  }
  const runHelp = await deployer(["run", "--help"], []);
  assert.equal(runHelp.code, 0);
  for (
    const option of ["--path", "--non-interactive", "--sandbox", "--parallel", "--log", "--json"]
  ) {
    assert.ok(runHelp.stdout.includes(option), option);
  }
});

Deno.test("usage: no command and an unknown command exit 2", async () => {
  const none = await deployer([], []);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: deployer/);
  const unknown = await deployer(["deploy"], []);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'deploy'/);
});

Deno.test("completions: bash passes bash -n; zsh and fish name every command", async () => {
  const bash = await deployer(["completions", "bash"], []);
  assert.equal(bash.code, 0, bash.stderr);
  await using scratch = await tempDir("deployer_cli_completions_");
  const dir = scratch.path;
  await Deno.writeTextFile(`${dir}/deployer.bash`, bash.stdout);
  const check = await new Deno.Command("bash", { args: ["-n", `${dir}/deployer.bash`] }).output();
  assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
  // Source it and ask for completions like bash would.
  const script = `source ${dir}/deployer.bash\n` +
    `COMP_WORDS=(deployer r); COMP_CWORD=1; _deployer_complete; echo "\${COMPREPLY[@]}"\n` +
    `COMP_WORDS=(deployer run --sa); COMP_CWORD=2; _deployer_complete; echo "\${COMPREPLY[@]}"\n` +
    `COMP_WORDS=(deployer completions f); COMP_CWORD=2; _deployer_complete; echo "\${COMPREPLY[@]}"\n`;
  const run = await new Deno.Command("bash", { args: ["-c", script] }).output();
  const lines = new TextDecoder().decode(run.stdout).split("\n");
  assert.equal(lines[0], "run");
  assert.equal(lines[1], "--sandbox");
  assert.equal(lines[2], "fish");
  const zsh = await deployer(["completions", "zsh"], []);
  assert.equal(zsh.code, 0);
  assert.match(zsh.stdout, /^#compdef deployer\n/);
  const fish = await deployer(["completions", "fish"], []);
  assert.equal(fish.code, 0);
  for (const word of ["run", "inspect", "compile", "completions"]) {
    assert.ok(zsh.stdout.includes(`'${word}:`), word);
    assert.ok(fish.stdout.includes(`-a ${word} `), word);
  }
  const bad = await deployer(["completions", "powershell"], []);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Allowed choices are bash, zsh, fish/);
});

// DENORT_BIN points at a missing runtime, so `deno compile` never tries to download one (our
// machines reach no network beyond the package registries).
Deno.test("compile: prints the deno compile command; a missing denort is a clear error", async () => {
  await using scratch = await tempDir("deployer_cli_compile_");
  const dir = scratch.path;
  const output = `${dir}/app`;
  const denort = `${dir}/no-such-denort`;
  const out = await deployer(["compile", APP, "-o", output], [...PERMS], { DENORT_BIN: denort });
  const command = out.stdout.trim().split("\n")[0];
  assert.ok(command.startsWith(`${Deno.execPath()} compile `), out.stdout);
  assert.ok(
    command.includes(
      "--allow-run --allow-net --allow-read --allow-env --allow-write --output " + output,
    ),
    command,
  );
  assert.ok(command.endsWith(`${REPO}tests/cli/fixtures/app.ts`), command);
  assert.ok(!/ -A( |$)| --allow-all/.test(command), command);
  assert.equal(out.code, 1, out.stderr);
  assert.ok(
    out.stderr.includes(`deno compile could not find its runtime (denort) at ${denort}`),
    out.stderr,
  );
  assert.ok(!out.stderr.includes("Stack backtrace"), out.stderr);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("compile: a script URL gets --allow-import for its origin", async () => {
  const out = await deployer(["compile", "--help"], []);
  assert.equal(out.code, 0);
  assert.match(out.stdout, /-o, --output <file>/);
  const { compileArgs } = await import("../../src/cli/compile.ts");
  const args = compileArgs({ script: "https://ops.example:8443/deploy.ts" }, "/srv");
  assert.deepEqual(args, [
    "compile",
    "--allow-run",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "--allow-write",
    "--allow-import=ops.example:8443",
    "--no-lock",
    "--reload=https://ops.example:8443/",
    "--output",
    "deploy",
    "https://ops.example:8443/deploy.ts",
  ]);
});

import assert from "node:assert/strict";
import { deployer, FIXTURES, hasStackTrace, PERMS, REPO, serveDirectory } from "./helpers.ts";
import { loadScript } from "../../src/cli/load.ts";
import { startSilentServer } from "../../src/testing/net.ts";
import { tempDir } from "../_support/home.ts";

Deno.test("load: a script by http:// URL that imports the framework over HTTP (another copy)", async () => {
  await using server = serveDirectory(REPO);
  const url = `${server.origin}/tests/cli/fixtures/app.ts`;
  const out = await deployer(
    ["run", url, "--non-interactive", "--", "greet", "web"],
    [...PERMS, `--allow-import=${server.host}`],
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "hello web\n");
  const parallel = await deployer(
    ["run", url, "--json", "--", "web.whoami"],
    [...PERMS, `--allow-import=${server.host}`],
  );
  assert.equal(parallel.code, 0, parallel.stderr);
  assert.deepEqual(JSON.parse(parallel.stdout).result, { web1: "web1", web2: "web2" });
});

Deno.test("load: a script importing a copy of the framework from another path", async () => {
  await using scratch = await tempDir("deployer_cli_copy_");
  const dir = scratch.path;
  await Deno.copyFile(`${REPO}mod.ts`, `${dir}/mod.ts`);
  await Deno.copyFile(`${REPO}deno.json`, `${dir}/deno.json`);
  await new Deno.Command("cp", { args: ["-r", `${REPO}src`, `${dir}/src`] }).output();
  const script = `${dir}/deploy.ts`;
  await Deno.writeTextFile(
    script,
    `import { LocalHost, Node, sh } from "file://${dir}/mod.ts";\n` +
      `export default class Copy extends Node {\n` +
      `  static override hosts = { host: new LocalHost({ slug: "copyhost" }) };\n` +
      `  async where(): Promise<string> {\n` +
      `    return (await this.hosts.at(0).run(sh\`echo \${this.hosts.at(0).slug}\`)).stdout.trim();\n` +
      `  }\n` +
      `}\n`,
  );
  const out = await deployer(["run", script, "--", "where"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "copyhost\n");
  const inspect = await deployer(["inspect", script]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /^Copy\n/);
  assert.match(inspect.stdout, /where\(\)/);
});

Deno.test("load: file not found names the path, exit 2", async () => {
  const out = await deployer(["run", "tests/cli/fixtures/missing.ts", "--", "x"]);
  assert.equal(out.code, 2);
  assert.match(
    out.stderr,
    /Script not found: \/.*tests\/cli\/fixtures\/missing\.ts \(no such file\)/,
  );
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("load: HTTP 404 gives the status and the URL, exit 2", async () => {
  await using server = serveDirectory(REPO);
  const url = `${server.origin}/tests/cli/fixtures/missing.ts`;
  const out = await deployer(["run", url, "--", "x"], [...PERMS, `--allow-import=${server.host}`]);
  assert.equal(out.code, 2);
  assert.ok(out.stderr.includes(`Cannot load script ${url}: HTTP 404 Not Found`), out.stderr);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("load: a syntax error gives file and line, exit 2", async () => {
  await using scratch = await tempDir("deployer_cli_syntax_");
  const dir = scratch.path;
  const script = `${dir}/broken.ts`;
  await Deno.writeTextFile(script, `export const a = 1;\n\nexport const b = ;\n`);
  const out = await deployer(["run", script, "--", "x"]);
  assert.equal(out.code, 2);
  assert.ok(
    out.stderr.includes(`syntax error in ${script} at line 3, column 18: Expression expected`),
    out.stderr,
  );
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("load: no node class exported lists the exports, exit 2", async () => {
  const out = await deployer(["run", "tests/cli/fixtures/no_root.ts", "--", "x"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /No node class exported by .*no_root\.ts/);
  assert.match(
    out.stderr,
    /it exports Helper \(node class\), answer \(number\), helper \(function\)/,
  );
  assert.match(out.stderr, /export default Helper;/);
});

Deno.test("load: an error thrown while loading is reported in one paragraph, exit 2", async () => {
  const out = await deployer(["run", "tests/cli/fixtures/throws_on_load.ts", "--", "x"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /failed while loading: Error: cannot configure: missing inventory/);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("load: a script URL without net permission suggests --allow-net=<host:port>, exit 2", async () => {
  await using server = serveDirectory(REPO);
  const url = `${server.origin}/tests/cli/fixtures/app.ts`;
  const perms = PERMS.filter((p) => !p.startsWith("--allow-net"));
  const out = await deployer(["run", url, "--", "greet", "x"], perms);
  assert.equal(out.code, 2);
  assert.ok(out.stderr.includes(`--allow-net=${server.host}`), out.stderr);
  assert.match(out.stderr, /permission denied \(net access/);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("load: read permission denied for a local script suggests --allow-read", async () => {
  const out = await deployer(
    ["run", "tests/cli/fixtures/app.ts", "--", "greet", "x"],
    ["--allow-run", "--allow-env"],
  );
  assert.equal(out.code, 2);
  assert.match(out.stderr, /--allow-read=\/.*tests\/cli\/fixtures\/app\.ts/);
});

Deno.test("load: a script URL whose server never answers fails after the load timeout, exit 2", async () => {
  await using server = await startSilentServer();
  const url = `http://127.0.0.1:${server.port}/deploy.ts`;
  const out = await deployer(
    ["run", url, "--", "x"],
    [...PERMS, `--allow-import=127.0.0.1:${server.port}`],
    { DEPLOYER_LOAD_TIMEOUT: "1" },
  );
  assert.equal(out.code, 2, out.stderr);
  assert.ok(out.stderr.includes(`Cannot load script ${url}: no answer within 1 s`), out.stderr);
  assert.match(out.stderr, /DEPLOYER_LOAD_TIMEOUT/);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("load: loadScript takes a timeout option; a script that loads in time is unaffected", async () => {
  const root = await loadScript(`${FIXTURES}app.ts`, undefined, { timeout: 30_000 });
  assert.equal(typeof root, "function");
  // Last: Deno loads dynamic imports one graph at a time, so a hung one blocks later ones.
  await using server = await startSilentServer();
  const url = `http://127.0.0.1:${server.port}/deploy.ts`;
  await assert.rejects(
    loadScript(url, undefined, { timeout: 200 }),
    (error: Error) =>
      error.name === "UsageError" && error.message.includes("no answer within 0.2 s"),
  );
});

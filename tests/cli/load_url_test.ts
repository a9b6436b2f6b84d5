/**
 * Scripts by URL: a changed script is picked up, `--reload` refetches cached imports,
 * `--lock FILE` pins every remote module, a wrong Content-Type is named, and the project's
 * deno.lock is never written. The CLI runs as a subprocess WITHOUT `--no-lock`, inside the
 * repository (whose deno.json has a lock file), as a user would run it.
 */
import assert from "node:assert/strict";
import { CliChild, hasStackTrace, type Output, outputOf, PERMS, REPO } from "./helpers.ts";
import { loadScript } from "../../src/cli/load.ts";
import { ScriptLock } from "../../src/cli/script_lock.ts";
import { startSilentServer } from "../../src/testing/net.ts";

/** A tiny HTTP server on 127.0.0.1 whose files can change between runs. */
interface Site extends AsyncDisposable {
  readonly origin: string;
  readonly files: Map<string, { body: string; type: string }>;
  /** Paths requested so far. */
  readonly requests: string[];
}

const TS = "application/typescript";

function serveSite(repoPrefix = false, token?: string): Site {
  const files = new Map<string, { body: string; type: string }>();
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requests.push(path);
    if (token && req.headers.get("authorization") !== `Bearer ${token}`) {
      return new Response("who are you?", { status: 401 });
    }
    const file = files.get(path);
    if (file) return new Response(file.body, { headers: { "content-type": file.type } });
    if (repoPrefix && path.startsWith("/repo/") && !path.includes("..")) {
      try {
        const body = await Deno.readFile(`${REPO}${path.slice("/repo/".length)}`);
        const type = path.endsWith(".json") ? "application/json" : TS;
        return new Response(body, { headers: { "content-type": type } });
      } catch { /* 404 below */ }
    }
    return new Response("not found", { status: 404 });
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    files,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A deploy script (served next to a copy of the framework under /repo/). */
function script(version: string, extraImport = ""): string {
  return `import { LocalHost, Node } from "./repo/mod.ts";\n` +
    `${extraImport ? `import { LIB } from "${extraImport}";\n` : `const LIB = "none";\n`}` +
    `export default class Root extends Node {\n` +
    `  static override hosts = { host: new LocalHost() };\n` +
    `  version(): string {\n` +
    `    return "${version}/" + LIB;\n` +
    `  }\n` +
    `}\n`;
}

/** A script site and a library site: deploy.ts ("v1") imports lib.ts ("lib1") from the other. */
interface ScriptAndLib extends AsyncDisposable {
  readonly site: Site;
  readonly libs: Site;
  /** The script's URL. */
  readonly url: string;
  /** The library's URL. */
  readonly lib: string;
}

function serveScriptAndLib(): ScriptAndLib {
  const site = serveSite(true);
  const libs = serveSite();
  const url = `${site.origin}/deploy.ts`;
  const lib = `${libs.origin}/lib.ts`;
  site.files.set("/deploy.ts", { body: script("v1", lib), type: TS });
  libs.files.set("/lib.ts", { body: `export const LIB = "lib1";\n`, type: TS });
  return {
    site,
    libs,
    url,
    lib,
    async [Symbol.asyncDispose]() {
      await libs[Symbol.asyncDispose]();
      await site[Symbol.asyncDispose]();
    },
  };
}

/** Per-test scratch: a private TMPDIR and module cache, removed afterwards. */
interface Scratch extends AsyncDisposable {
  readonly dir: string;
  readonly env: Record<string, string>;
  /** What the CLI left in TMPDIR. */
  leftovers(): Promise<string[]>;
}

async function scratch(): Promise<Scratch> {
  const dir = await Deno.makeTempDir({ prefix: "deployer_url_test_" });
  await Deno.mkdir(`${dir}/tmp`);
  return {
    dir,
    env: { TMPDIR: `${dir}/tmp`, DEPLOYER_CACHE_DIR: `${dir}/cache` },
    async leftovers() {
      return (await Array.fromAsync(Deno.readDir(`${dir}/tmp`))).map((e) => e.name);
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs `deno run <perms> cli.ts <args>` in the repository, with deno.lock in effect. */
async function cli(
  args: string[],
  env: Record<string, string>,
  perms: readonly string[] = PERMS,
): Promise<Output> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...perms, "--allow-import=127.0.0.1", "cli.ts", ...args],
    cwd: REPO,
    stdin: "null",
    env: { NO_COLOR: "1", ...env },
  }).output();
  return outputOf(output);
}

/**
 * Runs `body`, then asserts that the project's deno.lock has the same bytes as before
 * (restoring them if not, so that a failing test leaves the checkout clean).
 */
async function keepingDenoLock(body: () => Promise<void>): Promise<void> {
  const before = await Deno.readFile(`${REPO}deno.lock`);
  try {
    await body();
  } finally {
    const after = await Deno.readFile(`${REPO}deno.lock`);
    if (!equalBytes(before, after)) await Deno.writeFile(`${REPO}deno.lock`, before);
    assert.ok(equalBytes(before, after), "the project's deno.lock was written");
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

Deno.test("url: a changed script is picked up on the next run; deno.lock untouched", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using site = serveSite(true);
    const url = `${site.origin}/deploy.ts`;
    site.files.set("/deploy.ts", { body: script("v1"), type: TS });
    const first = await cli(["run", url, "--non-interactive", "--", "version"], tmp.env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "v1/none\n");
    site.files.set("/deploy.ts", { body: script("v2"), type: TS });
    const second = await cli(["run", url, "--non-interactive", "--", "version"], tmp.env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "v2/none\n");
    assert.ok(!second.stderr.includes("Integrity check failed"), second.stderr);
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

Deno.test("url: imports from another origin are cached; --reload fetches them again", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using sites = serveScriptAndLib();
    const { libs, url } = sites;
    const run = () => cli(["run", url, "--non-interactive", "--", "version"], tmp.env);
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "v1/lib1\n");
    libs.files.set("/lib.ts", { body: `export const LIB = "lib2";\n`, type: TS });
    const cached = await run();
    assert.equal(cached.code, 0, cached.stderr);
    assert.equal(cached.stdout, "v1/lib1\n", "another origin's module comes from the cache");
    const reloaded = await cli(
      ["run", url, "--reload", "--non-interactive", "--", "version"],
      tmp.env,
    );
    assert.equal(reloaded.code, 0, reloaded.stderr);
    assert.equal(reloaded.stdout, "v1/lib2\n");
    const after = await run();
    assert.equal(after.stdout, "v1/lib2\n", "--reload refreshed the cache");
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

Deno.test("url: --lock pins the script and its imports; a change is exit 2 naming the module", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using sites = serveScriptAndLib();
    const { site, libs, url, lib } = sites;
    const lock = `${tmp.dir}/deploy.lock.json`;
    const run = (...extra: string[]) =>
      cli(["run", url, "--lock", lock, ...extra, "--non-interactive", "--", "version"], tmp.env);

    const pinned = await run();
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.equal(pinned.stdout, "v1/lib1\n");
    const modules = JSON.parse(await Deno.readTextFile(lock)).modules as Record<string, string>;
    assert.match(modules[url], /^sha256-[0-9a-f]{64}$/);
    assert.match(modules[lib], /^sha256-[0-9a-f]{64}$/);
    assert.ok(modules[`${site.origin}/repo/mod.ts`], "the framework's modules are pinned too");

    const again = await run();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, "v1/lib1\n");

    libs.files.set("/lib.ts", { body: `export const LIB = "evil";\n`, type: TS });
    const libChanged = await run("--reload");
    assert.equal(libChanged.code, 2, libChanged.stderr);
    assert.equal(libChanged.stdout, "");
    assert.ok(libChanged.stderr.includes(`${lib} does not match ${lock}`), libChanged.stderr);
    assert.ok(!hasStackTrace(libChanged.stderr), libChanged.stderr);
    libs.files.set("/lib.ts", { body: `export const LIB = "lib1";\n`, type: TS });

    site.files.set("/deploy.ts", { body: script("v2", lib), type: TS });
    const changed = await run();
    assert.equal(changed.code, 2, changed.stderr);
    assert.ok(changed.stderr.includes(`${url} does not match ${lock}`), changed.stderr);
    assert.ok(!changed.stderr.includes("Integrity check failed"), changed.stderr);
    const inspect = await cli(["inspect", url, "--lock", lock], tmp.env);
    assert.equal(inspect.code, 2, inspect.stderr);
    assert.ok(inspect.stderr.includes(`${url} does not match ${lock}`), inspect.stderr);

    const unlocked = await cli(["run", url, "--non-interactive", "--", "version"], tmp.env);
    assert.equal(unlocked.stdout, "v2/lib1\n", "without --lock the new script runs");
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

Deno.test("url: a wrong Content-Type is named in the load error, exit 2", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using site = serveSite(true);
    const url = `${site.origin}/deploy.ts`;
    site.files.set("/deploy.ts", { body: "<html>login</html>", type: "text/html; charset=utf-8" });
    const out = await cli(["run", url, "--", "version"], tmp.env);
    assert.equal(out.code, 2, out.stderr);
    assert.ok(
      out.stderr.includes(`Cannot load script ${url}: the server sent it as text/html`),
      out.stderr,
    );
    assert.ok(!hasStackTrace(out.stderr), out.stderr);

    site.files.set("/deploy.ts", { body: script("v1", "./lib.ts"), type: TS });
    site.files.set("/lib.ts", { body: "<html></html>", type: "text/html" });
    const imported = await cli(["run", url, "--", "version"], tmp.env);
    assert.equal(imported.code, 2, imported.stderr);
    assert.ok(
      imported.stderr.includes(
        `it imports ${site.origin}/lib.ts, which the server sent as text/html`,
      ),
      imported.stderr,
    );
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

Deno.test("url: --lock with a local script is a usage error, exit 2", async () => {
  await using tmp = await scratch();
  const out = await cli(
    ["run", "tests/cli/fixtures/app.ts", "--lock", `${tmp.dir}/x.json`, "--", "greet", "x"],
    tmp.env,
  );
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /--lock pins scripts loaded by URL/);
});

Deno.test("url: failures name the remote module (and who imports it), never the private copy", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using site = serveSite(true);
    const url = `${site.origin}/deploy.ts`;
    site.files.set("/deploy.ts", { body: script("v1", "./lib/helper.ts"), type: TS });
    site.files.set("/lib/helper.ts", {
      body: `export const LIB = "x";\n\nexport const broken = ;\n`,
      type: TS,
    });
    const syntax = await cli(["run", url, "--", "version"], tmp.env);
    assert.equal(syntax.code, 2, syntax.stderr);
    assert.ok(
      syntax.stderr.includes(`syntax error in ${site.origin}/lib/helper.ts at line 3, column 23`),
      syntax.stderr,
    );
    assert.ok(!syntax.stderr.includes("deployer_script_"), syntax.stderr);

    site.files.set("/lib/helper.ts", {
      body: `import "./gone.ts";\nexport const LIB = 1;\n`,
      type: TS,
    });
    const missing = await cli(["inspect", url], tmp.env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.ok(
      missing.stderr.includes(
        `Cannot load script ${url}: it imports ${site.origin}/lib/gone.ts (from ` +
          `${site.origin}/lib/helper.ts), which could not be fetched: HTTP 404 Not Found`,
      ),
      missing.stderr,
    );
    assert.ok(!hasStackTrace(missing.stderr), missing.stderr);
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

Deno.test("url: the load timeout covers the remote imports that deployer fetches", async () => {
  await keepingDenoLock(async () => {
    await using silent = await startSilentServer();
    await using site = serveSite();
    const hung = `http://127.0.0.1:${silent.port}/lib.ts`;
    site.files.set("/deploy.ts", { body: `import "${hung}";\nexport default 1;\n`, type: TS });
    const url = `${site.origin}/deploy.ts`;
    await assert.rejects(
      loadScript(url, undefined, { timeout: 300, cacheDir: "" }),
      (error: Error) =>
        error.name === "UsageError" &&
        error.message.startsWith(`Cannot load script ${url}: no answer within 0.3 s`),
    );
  });
});

Deno.test("url: a lock file that is not deployer's JSON is a usage error naming it", async () => {
  await using tmp = await scratch();
  const file = `${tmp.dir}/lock.json`;
  await Deno.writeTextFile(file, "{ not json");
  await assert.rejects(ScriptLock.open(file), {
    name: "UsageError",
    message: new RegExp(`^Invalid lock file ${file}: not JSON`),
  });
  await Deno.writeTextFile(file, JSON.stringify({ version: 1, modules: { a: 1 } }));
  await assert.rejects(ScriptLock.open(file), {
    name: "UsageError",
    message: new RegExp(`^Invalid lock file ${file}: expected`),
  });
});

Deno.test("url: without write access to the temporary directory, the flags to add are named", async () => {
  await using tmp = await scratch();
  await using site = serveSite(true);
  site.files.set("/deploy.ts", { body: script("v1"), type: TS });
  const perms = [...PERMS.filter((p) => p !== "--allow-write"), `--allow-write=${tmp.dir}/cache`];
  const out = await cli(["run", `${site.origin}/deploy.ts`, "--", "version"], tmp.env, perms);
  assert.equal(out.code, 2, out.stderr);
  const where = `${tmp.dir}/tmp`;
  assert.ok(out.stderr.includes(`--allow-read=${where} --allow-write=${where}`), out.stderr);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("url: an installed CLI (deno install -g) keeps its own deno.lock unchanged", async () => {
  await using tmp = await scratch();
  await using site = serveSite(true);
  const root = `${tmp.dir}/install`;
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["install", "-g", "--quiet", "-n", "dpl", "--root", root, ...PERMS, `${REPO}cli.ts`],
    stdin: "null",
  }).output();
  assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
  const lockFile = `${root}/bin/.dpl/deno.lock`;
  const path = `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH") ?? ""}`;
  const run = async (script = `${site.origin}/deploy.ts`, action = "version") => {
    const out = await new Deno.Command(`${root}/bin/dpl`, {
      args: ["run", script, "--non-interactive", "--", action],
      cwd: tmp.dir,
      stdin: "null",
      env: { ...tmp.env, PATH: path, NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  };
  // The install locks only cli.ts's static graph: a first local run adds the framework's
  // lazily imported npm packages (ssh2), which has nothing to do with loading by URL.
  const local = await run(`${REPO}tests/cli/fixtures/app.ts`, "production.status");
  assert.equal(local.code, 0, local.stderr);
  const before = await Deno.readFile(lockFile);
  site.files.set("/deploy.ts", { body: script("v1"), type: TS });
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, "v1/none\n");
  site.files.set("/deploy.ts", { body: script("v2"), type: TS });
  const second = await run();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, "v2/none\n");
  assert.ok(equalBytes(before, await Deno.readFile(lockFile)), "the installed CLI's lock changed");
  assert.deepEqual(await tmp.leftovers(), []);
});

Deno.test("url: DENO_AUTH_TOKENS is sent to the server it names, as Deno does for imports", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using site = serveSite(true, "s3cret");
    const url = `${site.origin}/deploy.ts`;
    site.files.set("/deploy.ts", { body: script("v1"), type: TS });
    const host = new URL(site.origin).host;
    const env = { ...tmp.env, DENO_AUTH_TOKENS: `other@example.invalid;s3cret@${host}` };
    const ok = await cli(["run", url, "--non-interactive", "--", "version"], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "v1/none\n");
    const denied = await cli(["run", url, "--", "version"], tmp.env);
    assert.equal(denied.code, 2, denied.stderr);
    assert.ok(denied.stderr.includes(`Cannot load script ${url}: HTTP 401 Unauthorized`));
    const wrong = await cli(["run", url, "--", "version"], {
      ...tmp.env,
      DENO_AUTH_TOKENS: `nope@${host}`,
    });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.ok(!wrong.stderr.includes("nope"), wrong.stderr);
  });
});

Deno.test("url: the private copy is removed when the CLI is stopped by SIGTERM", async () => {
  await using tmp = await scratch();
  await using site = serveSite(true);
  const marker = `url-nap-${crypto.randomUUID()}`;
  site.files.set("/deploy.ts", {
    body: `import { LocalHost, Node } from "./repo/mod.ts";\n` +
      `export default class Root extends Node {\n` +
      `  static override hosts = { host: new LocalHost() };\n` +
      `  async nap(): Promise<void> {\n` +
      `    await this.hosts.at(0).run("echo ${marker}; exec sleep 60");\n` +
      `  }\n` +
      `}\n`,
    type: TS,
  });
  const args = ["run", `${site.origin}/deploy.ts`, "--non-interactive", "--", "nap"];
  await using child = await CliChild.spawn("cli.ts", args, tmp.env); // host output: stderr
  await child.until((text) => text.includes(marker));
  assert.equal((await tmp.leftovers()).length, 1, "the private copy exists while it runs");
  child.process.kill("SIGTERM");
  assert.equal((await child.finish()).code, 143);
  assert.deepEqual(await tmp.leftovers(), []);
});

Deno.test("url: an import() of a computed string is named with its URL and a hint", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using site = serveSite(true);
    const url = `${site.origin}/deploy.ts`;
    site.files.set("/deploy.ts", {
      body: `const name = "helper";\nawait import("./lib/" + name + ".ts");\nexport default 1;\n`,
      type: TS,
    });
    site.files.set("/lib/helper.ts", { body: `export const LIB = "x";\n`, type: TS });
    const out = await cli(["run", url, "--", "version"], tmp.env);
    assert.equal(out.code, 2, out.stderr);
    assert.ok(
      out.stderr.includes(
        `Cannot load script ${url}: it imports ${site.origin}/lib/helper.ts, which deployer did ` +
          `not fetch ahead`,
      ),
      out.stderr,
    );
    assert.ok(!out.stderr.includes("deployer_script_"), out.stderr);
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

Deno.test("url: an error in the script's own code and inspect name the script's URL and line", async () => {
  await keepingDenoLock(async () => {
    await using tmp = await scratch();
    await using site = serveSite(true);
    const url = `${site.origin}/ops/deploy.ts`;
    site.files.set("/ops/deploy.ts", {
      body: `import { LocalHost, Node } from "../repo/mod.ts";\n` +
        `interface Options { reason: string }\n` +
        `export default class Root extends Node {\n` +
        `  static override hosts = { host: new LocalHost() };\n` +
        `  boom(): string {\n` +
        `    const options: Options = { reason: "broken" };\n` +
        `    throw new Error(options.reason);\n` +
        `  }\n` +
        `}\n`,
      type: TS,
    });
    const out = await cli(["run", url, "--non-interactive", "--", "boom"], tmp.env);
    assert.equal(out.code, 1, out.stderr);
    assert.ok(out.stderr.includes(`thrown at ${url}:7:11`), out.stderr);
    assert.ok(!out.stderr.includes("deployer_script_"), out.stderr);
    const inspect = await cli(["inspect", url], tmp.env);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.ok(inspect.stdout.includes(`boom()  (${url}:5)`), inspect.stdout);
    assert.deepEqual(await tmp.leftovers(), []);
  });
});

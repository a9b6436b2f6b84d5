import assert from "node:assert/strict";
import { child, Env, LocalHost, Node } from "../../mod.ts";
import { Config, unifiedDiff } from "../../src/contrib/mod.ts";
import { tempDir } from "../_support/home.ts";
import { capturingConsole } from "../_support/consoles.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

function treeFor(path: string, content: string, extra: Partial<Config> = {}) {
  class Root extends Node {
    static override hosts = { web: [new LocalHost({ slug: "c1" })] };
    config = child(Config, {
      roles: { host: "web" },
      set: { remotePath: path, content, ...extra },
    });
  }
  return Root;
}

Deno.test("Config shows the diff, then setup replaces the file atomically", async () => {
  await using scratch = await tempDir("contrib_config_");
  const dir = scratch.path;
  const path = `${dir}/app.conf`;
  await Deno.writeTextFile(path, "port = 80\nname = app\n");
  const before = await Deno.stat(path);
  const shown = capturingConsole();
  await using env = new Env({ interactive: false, console: shown.console });
  const config = env.bind(treeFor(path, "port = 8080\nname = app\n")).config;

  assert.deepEqual([...await config.exists()], [true]);
  assert.deepEqual([...await config.changed()], [true]);
  assert.deepEqual([...await config.currentContent()], ["port = 80\nname = app\n"]);
  const [patch] = await config.diff();
  assert.equal(
    patch,
    `--- ${path}\n+++ ${path}\n@@ -1,2 +1,2 @@\n-port = 80\n+port = 8080\n name = app\n`,
  );
  assert.ok(shown.text().includes(patch), "diff() prints the patch");
  assert.ok(shown.text().startsWith("Yes, config exists already.\n"));

  await config.setup();
  assert.equal(await Deno.readTextFile(path), "port = 8080\nname = app\n");
  const after = await Deno.stat(path);
  assert.notEqual(after.ino, before.ino, "written to a new file and renamed over the old one");
  assert.equal(after.mode! & 0o777, before.mode! & 0o777, "the mode of the old file is kept");
  assert.deepEqual([...await config.changed()], [false]);
  assert.deepEqual([...await config.diff()], [""]);
  assert.deepEqual(await names(dir), ["app.conf"]);
});

Deno.test("Config creates a missing file, backs up an existing one and makes it executable", async () => {
  await using scratch = await tempDir("contrib_config_");
  const dir = scratch.path;
  const path = `${dir}/run.sh`;
  await using env = new Env({ interactive: false });
  const Root = treeFor(path, "#!/bin/sh\necho hi\n", {
    makeExecutable: true,
    alwaysBackupExistingConfig: true,
    useSudo: false,
  });
  const config = env.bind(Root).config;
  assert.deepEqual([...await config.exists()], [false]);
  assert.deepEqual([...await config.changed()], [true]);
  assert.match(
    [...await config.diff()][0],
    /^--- .*\n\+\+\+ .*\n@@ -0,0 \+1,2 @@\n\+#!\/bin\/sh\n/,
  );
  await config.setup();
  assert.equal((await Deno.stat(path)).mode! & 0o111, 0o111);
  assert.deepEqual([...await config.backup()].length, 1);
  const files = await names(dir);
  assert.equal(files.length, 2);
  assert.match(files[1], /^run\.sh\.\d{4}-\d\d-\d\d--\d\d-\d\d-\d\d$/);
  assert.equal(await Deno.readTextFile(`${dir}/${files[1]}`), "#!/bin/sh\necho hi\n");
});

Deno.test("Config with sudo reads and writes as root", async () => {
  await using scratch = await tempDir("contrib_config_");
  const dir = scratch.path;
  const path = `${dir}/root.conf`;
  await using env = new Env({ interactive: false });
  const config = env.bind(treeFor(path, "secret = 1\n")).config; // useSudo defaults to true
  await config.setup();
  assert.deepEqual([...await config.currentContent()], ["secret = 1\n"]);
  assert.deepEqual([...await config.changed()], [false]);
});

Deno.test("Config in the sandbox writes nothing and records the write in the plan", async () => {
  await using scratch = await tempDir("contrib_config_");
  const dir = scratch.path;
  const path = `${dir}/app.conf`;
  await Deno.writeTextFile(path, "old\n");
  await using env = new Env({ interactive: false, sandbox: true });
  const Root = treeFor(path, "new\n", { makeExecutable: true, alwaysBackupExistingConfig: true });
  const config = env.bind(Root).config;
  assert.match([...await config.diff()][0], /-old\n\+new\n$/);
  await config.setup();
  assert.equal(await Deno.readTextFile(path), "old\n");
  assert.deepEqual(await names(dir), ["app.conf"]);
  const commands = env.plan().map((e) => e.command);
  assert.equal(commands.length, 3);
  assert.match(
    commands[0],
    new RegExp(`^\\(sudo\\) cp --archive '${path}' '${path}\\.[-\\d]+'$`),
  );
  assert.equal(commands[1], `(sudo) write file ${path}`);
  assert.equal(commands[2], `(sudo) chmod a+x '${path}'`);
  assert.ok(env.plan().every((e) => e.host === "c1"));
});

Deno.test("unifiedDiff names both files after the remote path", () => {
  assert.equal(
    unifiedDiff("/etc/x", "a\nb\n", "a\nc\n"),
    "--- /etc/x\n+++ /etc/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
  );
  assert.equal(unifiedDiff("/etc/x", "same", "same"), "");
});

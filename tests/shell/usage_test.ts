import assert from "node:assert/strict";
import { action, child, Node } from "../../mod.ts";
import { executeLine } from "../../src/shell/commands.ts";
import { sessionOn } from "./_session.ts";

class Db extends Node {
  backup(path: string): string {
    return `saved ${path}`;
  }
}

class Web extends Node {
  db = child(Db);
  @action({ description: "Deploy a commit to the web servers" })
  deploy(commit: string, mode = "fast"): string {
    return `${commit} ${mode}`;
  }
  explode(): never {
    throw new TypeError("exploded in the user's action");
  }
}

class Root extends Node {
  web = child(Web);
  cache = child(Db);
  static override actionOptions = { status: { description: "Show the status" } };
  status(): string {
    return "ok";
  }
  echo(...words: string[]): string {
    return words.join("+");
  }
}

Deno.test("shell: too many arguments is refused with the parameters, too", async () => {
  await using session = sessionOn(Root);
  assert.equal(
    await session.run("web deploy abc slow extra"),
    "Usage: deploy commit [mode] (takes at most 2 arguments: commit, [mode]; got 3)\n",
  );
  assert.equal(await session.run("status now"), "Usage: status (takes no arguments; got 1)\n");
  assert.equal(await session.run("web deploy abc"), "abc fast\n");
  assert.equal(await session.run("echo a b c d"), "a+b+c+d\n");
});

Deno.test("shell: cd and ls of an unknown node name it and list the children", async () => {
  await using session = sessionOn(Root);
  assert.equal(
    await session.run("cd wbe"),
    'Unknown node "wbe" in /Root (child nodes: web, cache)\n',
  );
  assert.equal(
    await session.run("ls web nosuch"),
    'Unknown node "nosuch" in /Root.web (child nodes: db)\n',
  );
  await executeLine(session, "cd web db");
  assert.equal(await session.run("ls x"), 'Unknown node "x" in /Root.web.db (child nodes: none)\n');
});

Deno.test("shell: help ACTION shows the description and the parameters", async () => {
  await using session = sessionOn(Root);
  const text = await session.run("help web deploy");
  assert.match(text, /^Usage: deploy commit \[mode\]\n/);
  assert.match(text, /Deploy a commit to the web servers/);
  assert.match(text, /Action of Root\.web/);
  assert.match(text, /Parameters: commit, \[mode\]/);
  assert.match(await session.run("help status"), /Show the status/);
  assert.equal(
    await session.run("help web deploi"),
    'Unknown action "deploi" in /Root.web (actions: deploy, explode; child nodes: db)\n',
  );
  assert.match(await session.run("help"), /^ {2}help \[path action\]/m);
});

Deno.test("shell: a failing action names the user's line; the debug option shows the stack", async () => {
  await using session = sessionOn(Root);
  const source = await Deno.readTextFile(new URL(import.meta.url));
  const lines = source.split("\n");
  const line = lines.findIndex((l) => l.includes('new TypeError("exploded'));
  const column = lines[line].indexOf("new TypeError") + 1;
  const text = await session.run("web explode");
  assert.match(text, /failed: exploded in the user's action/);
  assert.ok(text.includes(`usage_test.ts:${line + 1}:${column} (Web.explode)\n`), text);
  assert.ok(text.includes("set-option debug on"), text);
  await executeLine(session, "set-option debug on");
  const debug = await session.run("web explode");
  assert.match(debug, /\n\s+at Web\.explode \(file:\/\/.*usage_test\.ts:\d+:\d+\)/);
  assert.ok(!debug.includes("thrown at"), debug);
});

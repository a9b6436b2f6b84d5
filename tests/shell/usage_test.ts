import assert from "node:assert/strict";
import { action, child, Env, Node } from "../../mod.ts";
import { executeLine } from "../../src/shell/commands.ts";
import { recordingSession } from "./_session.ts";

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
  await using env = new Env({ interactive: false });
  const session = recordingSession(env, env.bind(Root));
  await executeLine(session, "web deploy abc slow extra");
  assert.equal(
    session.take(),
    "Usage: deploy commit [mode] (takes at most 2 arguments: commit, [mode]; got 3)\n",
  );
  await executeLine(session, "status now");
  assert.equal(session.take(), "Usage: status (takes no arguments; got 1)\n");
  await executeLine(session, "web deploy abc");
  assert.equal(session.take(), "abc fast\n");
  await executeLine(session, "echo a b c d");
  assert.equal(session.take(), "a+b+c+d\n");
});

Deno.test("shell: cd and ls of an unknown node name it and list the children", async () => {
  await using env = new Env({ interactive: false });
  const session = recordingSession(env, env.bind(Root));
  await executeLine(session, "cd wbe");
  assert.equal(session.take(), 'Unknown node "wbe" in /Root (child nodes: web, cache)\n');
  await executeLine(session, "ls web nosuch");
  assert.equal(session.take(), 'Unknown node "nosuch" in /Root.web (child nodes: db)\n');
  await executeLine(session, "cd web db");
  await executeLine(session, "ls x");
  assert.equal(session.take(), 'Unknown node "x" in /Root.web.db (child nodes: none)\n');
});

Deno.test("shell: help ACTION shows the description and the parameters", async () => {
  await using env = new Env({ interactive: false });
  const session = recordingSession(env, env.bind(Root));
  await executeLine(session, "help web deploy");
  const text = session.take();
  assert.match(text, /^Usage: deploy commit \[mode\]\n/);
  assert.match(text, /Deploy a commit to the web servers/);
  assert.match(text, /Action of Root\.web/);
  assert.match(text, /Parameters: commit, \[mode\]/);
  await executeLine(session, "help status");
  assert.match(session.take(), /Show the status/);
  await executeLine(session, "help web deploi");
  assert.equal(
    session.take(),
    'Unknown action "deploi" in /Root.web (actions: deploy, explode; child nodes: db)\n',
  );
  await executeLine(session, "help");
  assert.match(session.take(), /^ {2}help \[path action\]/m);
});

Deno.test("shell: a failing action names the user's line; the debug option shows the stack", async () => {
  await using env = new Env({ interactive: false });
  const session = recordingSession(env, env.bind(Root));
  const source = await Deno.readTextFile(new URL(import.meta.url));
  const lines = source.split("\n");
  const line = lines.findIndex((l) => l.includes('new TypeError("exploded'));
  const column = lines[line].indexOf("new TypeError") + 1;
  await executeLine(session, "web explode");
  const text = session.take();
  assert.match(text, /failed: exploded in the user's action/);
  assert.ok(text.includes(`usage_test.ts:${line + 1}:${column} (Web.explode)\n`), text);
  assert.ok(text.includes("set-option debug on"), text);
  await executeLine(session, "set-option debug on");
  await executeLine(session, "web explode");
  const debug = session.take();
  assert.match(debug, /\n\s+at Web\.explode \(file:\/\/.*usage_test\.ts:\d+:\d+\)/);
  assert.ok(!debug.includes("thrown at"), debug);
});

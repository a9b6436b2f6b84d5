import assert from "node:assert/strict";
import { child, Env, Node } from "../../mod.ts";
import { BUILTIN_COMMANDS, executeLine } from "../../src/shell/commands.ts";
import { recordingSession } from "./_session.ts";
import { builtinMode, BUILTINS, complete } from "../../src/shell/complete.ts";

class Web extends Node {
  hello(): string {
    return "hi";
  }
}

class Root extends Node {
  web = child(Web);
}

Deno.test("every built-in of the registry is completed, listed by help and dispatched", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  const names = BUILTIN_COMMANDS.map((b) => b.name);
  assert.deepEqual(BUILTINS, names);
  assert.equal(new Set(names).size, names.length, "a built-in is registered twice");
  const [offered] = complete(root, root, "");
  for (const name of names) assert.ok(offered.includes(name), `${name} is not completed`);
  for (const b of BUILTIN_COMMANDS) assert.equal(builtinMode(b.name), b.takes);

  const session = recordingSession(env, root);
  await executeLine(session, "help");
  for (const name of names) {
    assert.match(session.shown(), new RegExp(`^  ${name.replace(/-/g, "\\-")}\\b`, "m"));
  }
  // A built-in that takes nothing refuses words after it, by the registry's `takes`.
  const before = session.shown().length;
  await executeLine(session, "pwd web");
  assert.equal(session.shown().slice(before), "Command not found: web\n");
  // Dispatch goes through the registry: `cd` resolves its path, `pwd` shows it.
  await executeLine(session, "cd web");
  const at = session.shown().length;
  await executeLine(session, "pwd");
  assert.equal(session.shown().slice(at), "/Root.web\n");
  assert.deepEqual(await executeLine(session, "exit"), { exit: true });
});

import assert from "node:assert/strict";
import { child, Env, LocalHost, Node, ParallelNode, q } from "../../mod.ts";
import { BUILTINS, complete } from "../../src/shell/mod.ts";
import { splitWords } from "../../src/shell/words.ts";

class Cell extends ParallelNode {
  whoami(): string {
    return "x";
  }
}

class Web extends Node {
  domain = "example.com";
  url = q(() => `https://${this.domain}`);
  cells = child(Cell, { roles: { host: "web" } });
  hello(_name: string): string {
    return "hi";
  }
  _hidden(): void {}
}

class Root extends Node {
  static override hosts = {
    web: [new LocalHost({ slug: "one" }), new LocalHost({ slug: "two" })],
  };
  web = child(Web);
  echo(): void {}
  _private(): void {}
}

function withTree(fn: (root: object, env: Env) => void | Promise<void>) {
  return async () => {
    await using env = new Env({ interactive: false });
    await fn(env.bind(Root), env);
  };
}

Deno.test(
  "complete: an empty line offers built-ins, children and actions, not private ones",
  withTree((root) => {
    const [candidates, partial] = complete(root, root, "");
    assert.equal(partial, "");
    assert.deepEqual(candidates, [...BUILTINS, "web", "echo"]);
  }),
);

Deno.test(
  "complete: a single match gets a trailing space",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "cd w"), [["web "], "w"]);
    assert.deepEqual(complete(root, root, "we"), [["web "], "we"]);
    assert.deepEqual(complete(root, root, "web h"), [["hello "], "h"]);
    assert.deepEqual(complete(root, root, "sandbox ec"), [["echo "], "ec"]);
  }),
);

Deno.test(
  "complete: several matches are returned for readline (common prefix, double-Tab list)",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "e"), [["exit", "echo"], "e"]);
    assert.deepEqual(complete(root, root, "c"), [["cd", "clear"], "c"]);
    assert.deepEqual(complete(root, root, "--r"), [["--run", "--run-with-sudo"], "--r"]);
  }),
);

Deno.test(
  "complete: path words .., / and - appear where they apply",
  withTree((root) => {
    const web = (root as Root).web;
    assert.deepEqual(complete(root, web, ""), [[...BUILTINS, "/", "..", "cells", "hello"], ""]);
    assert.deepEqual(complete(root, web, "..")[0], [".. "]);
    assert.deepEqual(complete(root, web, "cd -", { previous: root })[0], ["- "]);
    assert.deepEqual(complete(root, root, "cd -")[0], []);
  }),
);

Deno.test(
  "complete: isolations of a parallel node are offered as :slug",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "cd web cells :"), [[":one", ":two"], ":"]);
    assert.deepEqual(complete(root, root, "cd web cells :t"), [[":two "], ":t"]);
    assert.deepEqual(complete(root, root, "web cells :one w"), [["whoami "], "w"]);
  }),
);

Deno.test(
  "complete: private names only when the typed part starts with _",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "_"), [["_private "], "_"]);
    assert.deepEqual(complete(root, root, "web _"), [["_hidden "], "_"]);
    assert.ok(!complete(root, root, "web ")[0].includes("_hidden"));
  }),
);

Deno.test(
  "complete: nothing after an action name, inside a quote, or after argument-less built-ins",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "web hello ")[0], []);
    assert.deepEqual(complete(root, root, "web hello w")[0], []);
    assert.deepEqual(complete(root, root, "echo 'we")[0], []);
    assert.deepEqual(complete(root, root, "pwd ")[0], []);
    assert.deepEqual(complete(root, root, "nosuch w")[0], []);
  }),
);

Deno.test(
  "complete: cd offers nodes only; --inspect also queries and properties",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "cd web ")[0], ["/", "..", "cells"]);
    assert.deepEqual(complete(root, root, "--inspect web u"), [["url "], "u"]);
    assert.deepEqual(complete(root, root, "--inspect web d"), [["domain "], "d"]);
    assert.deepEqual(complete(root, root, "web d")[0], []);
    assert.deepEqual(complete(root, root, "--inspect web url ")[0], []);
  }),
);

Deno.test(
  "complete: set-option names and values",
  withTree((root) => {
    assert.deepEqual(complete(root, root, "set-option c"), [["color "], "c"]);
    assert.deepEqual(complete(root, root, "set-option color o"), [["on", "off"], "o"]);
  }),
);

Deno.test("splitWords: quotes and escapes", () => {
  const split = splitWords(`echo 'a b' "c \\"d\\"" e\\ f ''`);
  assert.deepEqual(split.words.map((w) => w.text), ["echo", "a b", 'c "d"', "e f", ""]);
  assert.deepEqual(split.words.map((w) => w.quoted), [false, true, true, true, true]);
  assert.equal(split.trailingSpace, false);
  assert.equal(splitWords("cd ").trailingSpace, true);
  assert.equal(splitWords("echo 'abc").unterminated, true);
});

import assert from "node:assert/strict";
import { deployer, FIXTURES, hasStackTrace, PERMS, REPO, serveDirectory } from "./helpers.ts";

const SCRIPT = "tests/cli/fixtures/user_errors.ts";
const SOURCE = await Deno.readTextFile(`${FIXTURES}user_errors.ts`);

/** The 1-based line and column of `text` in the fixture (its TypeScript source). */
function position(text: string): string {
  const lines = SOURCE.split("\n");
  const line = lines.findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} is not in the fixture`);
  return `${line + 1}:${lines[line].indexOf(text) + 1}`;
}

const HINT = "(run with --debug for the full stack)";

Deno.test("user code: an action that throws names the script's TypeScript line", async () => {
  const out = await deployer(["run", SCRIPT, "--", "explode", "x"]);
  assert.equal(out.code, 1, out.stderr);
  assert.match(out.stderr, /exploded: x/);
  const where = `thrown at ${SCRIPT}:${position("new TypeError")} (Root.explode)`;
  assert.ok(out.stderr.includes(where), out.stderr);
  assert.ok(out.stderr.includes(HINT), out.stderr);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

Deno.test("user code: --debug prints the full stack with the cause", async () => {
  const out = await deployer(["run", "--debug", SCRIPT, "--", "explode", "x"]);
  assert.equal(out.code, 1, out.stderr);
  assert.ok(hasStackTrace(out.stderr), out.stderr);
  assert.match(out.stderr, /Caused by: TypeError: exploded: x/);
  assert.ok(out.stderr.includes(`user_errors.ts:${position("new TypeError")})`));
  assert.ok(!out.stderr.includes(HINT), out.stderr);
});

Deno.test("user code: a query and a field initializer that throw name their lines", async () => {
  const query = await deployer(["run", SCRIPT, "--", "readQuery"]);
  assert.equal(query.code, 1, query.stderr);
  assert.match(query.stderr, /query failed for a/);
  assert.ok(
    query.stderr.includes(`thrown at ${SCRIPT}:${position("new RangeError")}`),
    query.stderr,
  );
  const field = await deployer(["run", SCRIPT, "--", "broken.status"]);
  assert.equal(field.code, 1, field.stderr);
  assert.ok(
    field.stderr.includes(`thrown at ${SCRIPT}:${position('parse("{not json")')}`),
    field.stderr,
  );
  assert.ok(field.stderr.includes(HINT), field.stderr);
});

Deno.test("user code: a script that throws while loading names its line", async () => {
  const out = await deployer(["run", "tests/cli/fixtures/throws_on_load.ts", "--", "x"]);
  assert.equal(out.code, 2, out.stderr);
  assert.ok(out.stderr.includes("thrown at tests/cli/fixtures/throws_on_load.ts:1:7"), out.stderr);
});

Deno.test("user code: a script loaded by http URL names the URL and the TypeScript line", async () => {
  await using server = serveDirectory(REPO);
  const url = `${server.origin}/${SCRIPT}`;
  const out = await deployer(
    ["run", url, "--", "explode", "y"],
    [...PERMS, `--allow-import=${server.host}`],
  );
  assert.equal(out.code, 1, out.stderr);
  assert.ok(
    out.stderr.includes(`thrown at ${url}:${position("new TypeError")} (Root.explode)`),
    out.stderr,
  );
});

Deno.test("user code: too many arguments is a usage error naming the parameters", async () => {
  const out = await deployer(["run", SCRIPT, "--", "greet", "ann", "bob"]);
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /Root\.greet takes at most 1 argument \(name\), got 2: "bob" too many/);
  const none = await deployer(["run", SCRIPT, "--", "describe", "extra"]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /Root\.describe takes no arguments, got 1/);
  assert.ok(!none.stderr.includes("thrown at"), none.stderr);
});

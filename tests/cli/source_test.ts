import assert from "node:assert/strict";
import { deployer, FIXTURES, PERMS, REPO, serveDirectory } from "./helpers.ts";

const SCRIPT = "tests/cli/fixtures/typed_source.ts";
const SOURCE = await Deno.readTextFile(`${FIXTURES}typed_source.ts`);

/** The 1-based line of the first line of the fixture that contains `text`. */
function lineOf(text: string, source = SOURCE): number {
  const index = source.split("\n").findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} is not in the fixture`);
  return index + 1;
}

Deno.test("inspect: actions and queries carry path:line, queries their TypeScript", async () => {
  const out = await deployer(["inspect", SCRIPT]);
  assert.equal(out.code, 0, out.stderr);
  const deploy = lineOf("@action({ description");
  assert.ok(
    out.stdout.includes(`deploy(commit, [mode]) — Deploy one commit  (${SCRIPT}:${deploy})`),
    out.stdout,
  );
  assert.ok(
    out.stdout.includes(
      `url = q((): string => \`https://\${this.domain}\` as const)  (${SCRIPT}:${
        lineOf("url = q(")
      })`,
    ),
    out.stdout,
  );
  // The inline subclass's override is found in the class expression.
  assert.ok(
    out.stdout.includes(`deploy(commit)  (${SCRIPT}:${lineOf("override async deploy")})`),
    out.stdout,
  );
});

Deno.test("inspect PATH.ACTION prints the method as written, decorators and types included", async () => {
  const out = await deployer(["inspect", SCRIPT, "staging.deploy"]);
  assert.equal(out.code, 0, out.stderr);
  const expected = [
    `Action Root.staging.deploy  ${SCRIPT}:${lineOf("@action({ description")}`,
    '@action({ description: "Deploy one commit" })',
    'async deploy<C extends string>(commit: C, mode: "fast" | "safe" = "fast"): Promise<string> {',
    "  const label: `${C}:${typeof mode}` = `${commit}:${mode}`;",
    "  return await Promise.resolve(label);",
    "}",
    "",
  ].join("\n");
  assert.equal(out.stdout, expected);
  const override = await deployer(["inspect", SCRIPT, "production.deploy"]);
  assert.match(override.stdout, /^Action Root\.production\.deploy .*\noverride async deploy<C/);
  const query = await deployer(["inspect", SCRIPT, "production.url"]);
  assert.equal(
    query.stdout,
    `Query Root.production.url  ${SCRIPT}:${lineOf("url = q(")}\n` +
      "url = q((): string => `https://${this.domain}` as const);\n",
  );
});

Deno.test("inspect: a method inherited from a class in an imported module is found", async () => {
  const base = await Deno.readTextFile(`${FIXTURES}typed_base.ts`);
  const out = await deployer(["inspect", SCRIPT, "cache.describe"]);
  assert.equal(out.code, 0, out.stderr);
  const line = lineOf("describe(config?: Config)", base);
  assert.ok(
    out.stdout.startsWith(`Action Root.cache.describe  tests/cli/fixtures/typed_base.ts:${line}\n`),
    out.stdout,
  );
  assert.ok(out.stdout.includes("describe(config?: Config): string {"), out.stdout);
});

Deno.test("inspect: a script by http URL shows its TypeScript from Deno's cache", async () => {
  await using server = serveDirectory(REPO);
  const url = `${server.origin}/${SCRIPT}`;
  const perms = [...PERMS, `--allow-import=${server.host}`];
  const out = await deployer(["inspect", url, "staging.deploy"], perms);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(
    out.stdout.startsWith(`Action Root.staging.deploy  ${url}:${lineOf("@action({ desc")}\n`),
    out.stdout,
  );
  assert.ok(out.stdout.includes('commit: C, mode: "fast" | "safe"'), out.stdout);
});

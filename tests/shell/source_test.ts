import assert from "node:assert/strict";
import { executeLine } from "../../src/shell/commands.ts";
import { sessionOn } from "./_session.ts";
import Root from "../cli/fixtures/typed_source.ts";

const FIXTURE = new URL("../cli/fixtures/typed_source.ts", import.meta.url);
const SOURCE = await Deno.readTextFile(FIXTURE);
const SHOWN = "tests/cli/fixtures/typed_source.ts";

function lineOf(text: string): number {
  const index = SOURCE.split("\n").findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} is not in the fixture`);
  return index + 1;
}

Deno.test("shell --source-code shows each class as written, with path:line", async () => {
  await using session = sessionOn(Root);
  const text = await session.run("--source-code staging");
  assert.ok(
    text.startsWith(`// WebApp  ${SHOWN}:${lineOf("export class WebApp")}\nexport class WebApp`),
    text,
  );
  assert.ok(text.includes('@action({ description: "Deploy one commit" })'), text);
  assert.ok(text.includes("override describe(config?: WebConfig): string {"), text);
  assert.ok(text.includes("url = q((): string => `https://${this.domain}` as const);"), text);
  // The base class from the imported module, methods only, is found by name.
  assert.match(
    text,
    /\/\/ Service {2}tests\/cli\/fixtures\/typed_base\.ts:\d+\nexport abstract class Service<Config extends \{ name: string \}>/,
  );
  assert.ok(!text.includes("as transpiled"), text);

  const inline = await session.run("--source-code production");
  assert.ok(
    inline.startsWith(`// (anonymous class)  ${SHOWN}:${lineOf("class extends WebApp")}\n`),
    inline,
  );
  assert.ok(inline.includes('override domain: string = "example.org";'), inline);
});

Deno.test("shell --inspect of an action and a query shows TypeScript with path:line", async () => {
  await using session = sessionOn(Root);
  const action = await session.run("--inspect staging deploy");
  assert.ok(action.includes(`Source: ${SHOWN}:${lineOf("@action({ description")}\n`), action);
  assert.ok(action.includes('  async deploy<C extends string>(commit: C, mode: "fast"'), action);
  const query = await session.run("--inspect staging url");
  assert.ok(query.includes(`Source: ${SHOWN}:${lineOf("url = q(")}\n`), query);
  assert.ok(query.includes("  url = q((): string => `https://${this.domain}` as const);"), query);
  assert.match(query, /Value: https:\/\/example\.com/);
  await executeLine(session, "help staging deploy");
  assert.ok(session.take().includes(`  Source: ${SHOWN}:${lineOf("@action({ description")}\n`));
});

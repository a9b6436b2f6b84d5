import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { colorize, Console, inColumns } from "../../src/console/mod.ts";

Deno.test("inColumns pads every item but the last of a line to the widest item + 1", () => {
  const lines = inColumns(["a", "bb", "ccc", "d", "e"], { columns: 12 });
  assert.deepEqual(lines, ["a   bb  ccc", "d   e"]);
});

Deno.test("inColumns yields no empty trailing line when the items fill the lines", () => {
  assert.deepEqual(inColumns(["a", "b", "c", "d"], { columns: 4 }), ["a b", "c d"]);
});

Deno.test("inColumns puts the margin in front and keeps at least one item per line", () => {
  assert.deepEqual(inColumns(["abc", "de"], { columns: 5, marginLeft: 2 }), ["  abc", "  de"]);
  assert.deepEqual(inColumns(["abcdefgh"], { columns: 3 }), ["abcdefgh"]);
  assert.deepEqual(inColumns([], { columns: 80 }), []);
});

Deno.test("inColumns measures coloured items by their visible width", () => {
  const items = [colorize("ab", "red", true), "c", "d"];
  const lines = inColumns(items, { columns: 9 });
  assert.equal(lines.length, 1);
  assert.equal(lines[0], `${items[0]} c  d`);
});

Deno.test("Console.inColumns uses the console's width", () => {
  const console_ = new Console({
    input: new PassThrough(),
    output: new PassThrough(),
    interactive: false,
    columns: 10,
  });
  assert.equal(console_.columns, 10);
  assert.deepEqual(console_.inColumns(["one", "two", "six"], { marginLeft: 1 }), [
    " one two",
    " six",
  ]);
});

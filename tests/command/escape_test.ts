// Expected values were produced by python-deployer's own utils (python 3):
//   esc1 = s.replace("'", "'\\''"); esc2 = s.replace('"', '\\"')
//   indent = ''.join(prefix + line + '\n' for line in s.split('\n'))
import assert from "node:assert/strict";
import { esc1, esc2, indent } from "../../src/command/mod.ts";

Deno.test("esc1 escapes single quotes like python", () => {
  assert.equal(esc1("it's"), "it'\\''s");
  assert.equal(esc1("''"), "'\\'''\\''");
  assert.equal(esc1('a"b"'), 'a"b"');
  assert.equal(esc1(""), "");
  assert.equal(esc1("$(id) `x` \\"), "$(id) `x` \\");
});

Deno.test("esc1 output is safe inside single quotes in /bin/sh", async () => {
  const value = "it's a 'test' $(id) `id` \\ \"q\"";
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", `printf '%s' '${esc1(value)}'`],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout), value);
});

Deno.test("esc2 escapes double quotes like python, and nothing else", () => {
  assert.equal(esc2('a"b"'), 'a\\"b\\"');
  assert.equal(esc2("it's"), "it's");
  assert.equal(esc2('x\\"'), 'x\\\\"');
  assert.equal(esc2(""), "");
  assert.equal(esc2("$HOME `x`"), "$HOME `x`");
});

Deno.test("indent ends every line with a newline, like python", () => {
  assert.equal(indent("a"), "    a\n");
  assert.equal(indent("a\nb"), "    a\n    b\n");
  assert.equal(indent("a\n"), "    a\n    \n");
  assert.equal(indent(""), "    \n");
  assert.equal(indent("\n"), "    \n    \n");
  assert.equal(indent("a\n\nb\n\n"), "    a\n    \n    b\n    \n    \n");
  assert.equal(indent("a\nb", "> "), "> a\n> b\n");
  assert.equal(indent("a\n", "> "), "> a\n> \n");
  assert.equal(indent("x", ""), "x\n");
});

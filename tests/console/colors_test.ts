import assert from "node:assert/strict";
import { colorEnabled, colorize, hostColor, stripAnsi } from "../../src/console/mod.ts";
import { tempDir, tempHome } from "../_support/home.ts";

Deno.test("colorize wraps text in colour and bold codes", () => {
  assert.equal(colorize("ok", "green", true), "\x1b[32mok\x1b[0m");
  assert.equal(colorize("bad", "red", true, { bold: true }), "\x1b[1;31mbad\x1b[0m");
  assert.equal(colorize("x", "gray", true), "\x1b[90mx\x1b[0m");
  assert.equal(colorize("b", undefined, true, { bold: true }), "\x1b[1mb\x1b[0m");
});

Deno.test("colorize leaves text alone when disabled or without colour", () => {
  assert.equal(colorize("ok", "green", false), "ok");
  assert.equal(colorize("ok", "green", false, { bold: true }), "ok");
  assert.equal(colorize("ok", undefined, true), "ok");
  assert.equal(colorize("", "red", true), "");
});

Deno.test("stripAnsi removes colours, cursor movement and titles", () => {
  assert.equal(stripAnsi(colorize("failed", "red", true, { bold: true })), "failed");
  assert.equal(stripAnsi("\r\x1b[Kline\x1b[10000C\x1b[10D\x1b[A"), "\rline");
  assert.equal(stripAnsi("\x1b]0;title\x07text"), "text");
  assert.equal(stripAnsi("plain [web1] text"), "plain [web1] text");
});

Deno.test("hostColor is stable, cycles, and never red", () => {
  assert.equal(hostColor(0), hostColor(6));
  assert.equal(hostColor(-1), hostColor(5));
  const palette = new Set(Array.from({ length: 12 }, (_, i) => hostColor(i)));
  assert.equal(palette.size, 6);
  assert.ok(!palette.has("red"));
});

Deno.test("colorEnabled needs a TTY", () => {
  assert.equal(colorEnabled({}), false);
  assert.equal(colorEnabled({ isTTY: false }), false);
});

const CHECK = `
import { colorEnabled } from ${
  JSON.stringify(new URL("../../src/console/mod.ts", import.meta.url).href)
};
console.log(String(colorEnabled({ isTTY: true })));
`;

async function colorEnabledIn(env: Record<string, string>, allowEnv: boolean): Promise<string> {
  await using home = await tempHome();
  await using scratch = await tempDir("deployer-colors-");
  const dir = scratch.path;
  const script = `${dir}/check.ts`;
  await Deno.writeTextFile(script, CHECK);
  const args = ["run", "--no-prompt", ...(allowEnv ? ["--allow-env"] : []), script];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    env: { ...home.env, ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("colorEnabled honours NO_COLOR, read lazily and without a permission prompt", async () => {
  assert.equal(await colorEnabledIn({}, true), "true");
  assert.equal(await colorEnabledIn({ NO_COLOR: "1" }, true), "false");
  assert.equal(await colorEnabledIn({ NO_COLOR: "" }, true), "true");
  // Without --allow-env, NO_COLOR cannot be read: it counts as not set, nothing throws.
  assert.equal(await colorEnabledIn({ NO_COLOR: "1" }, false), "true");
});

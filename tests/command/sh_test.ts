import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  type Arg,
  compose,
  isRaw,
  isSecret,
  isShellCommand,
  quote,
  Raw,
  raw,
  Secret,
  secret,
  sh,
  ShellCommand,
  toCommand,
} from "../../src/command/mod.ts";

const PASSWORD = "hunter2-S3cr3t";

Deno.test("quote uses POSIX single quotes", () => {
  assert.equal(quote("abc"), "'abc'");
  assert.equal(quote("it's"), `'it'"'"'s'`);
  assert.equal(quote(""), "''");
  assert.equal(quote("'"), `''"'"''`);
  assert.equal(quote("a b\nc"), "'a b\nc'");
  assert.equal(quote("$(id) `id` $HOME \\ *"), "'$(id) `id` $HOME \\ *'");
  assert.equal(quote(42), "'42'");
  assert.equal(quote(-1.5), "'-1.5'");
  assert.equal(quote(true), "'true'");
  assert.equal(quote(false), "'false'");
});

Deno.test("quote rejects NUL and non-primitive values", () => {
  assert.throws(() => quote("a\0b"), { name: "TypeError", message: /NUL/ });
  assert.throws(() => quote(null as unknown as string), { name: "TypeError", message: /null/ });
  assert.throws(() => quote({} as unknown as string), TypeError);
});

Deno.test("sh quotes every interpolation and keeps the literal text", () => {
  const dir = "/tmp/a b";
  assert.equal(sh`ls -l ${dir} | wc -l`.text, "ls -l '/tmp/a b' | wc -l");
  assert.equal(sh`git checkout ${"it's"}`.text, `git checkout 'it'"'"'s'`);
  assert.equal(sh`echo ${""}`.text, "echo ''");
  assert.equal(sh`head -n ${5} ${true}`.text, "head -n '5' 'true'");
  assert.equal(sh`echo ${"$(id)"}${"`id`"}`.text, "echo '$(id)''`id`'");
  assert.equal(sh`plain`.text, "plain");
  assert.equal(sh``.text, "");
  // Literal text is the cooked template text: "\\n" is a backslash and an n.
  assert.equal(sh`printf '%s\\n' ${"x"}`.text, "printf '%s\\n' 'x'");
});

Deno.test("sh renders arrays as several arguments, flattened", () => {
  assert.equal(sh`rm -f -- ${["a b", "it's", ""]}`.text, `rm -f -- 'a b' 'it'"'"'s' ''`);
  assert.equal(sh`x ${[]} y`.text, "x  y");
  assert.equal(sh`x ${["a", ["b", ["c"]], 1, false]}`.text, "x 'a' 'b' 'c' '1' 'false'");
  assert.equal(sh`x ${["a", raw("*"), secret("s")]}`.masked, "x 'a' * '***'");
  const args: readonly string[] = ["--a", "--b"];
  assert.equal(sh`cmd ${args}`.text, "cmd '--a' '--b'");
});

Deno.test("raw() is inserted unquoted", () => {
  assert.equal(sh`ls ${raw("*.txt")} ${raw("$HOME")}`.text, "ls *.txt $HOME");
  assert.equal(sh`ls ${raw("*.txt")}`.masked, "ls *.txt");
  assert.ok(raw("x") instanceof Raw);
  assert.equal(raw("x").text, "x");
  assert.ok(isRaw(raw("x")));
  assert.ok(!isRaw("x") && !isRaw(null) && !isRaw(secret("x")));
  assert.throws(() => raw(1 as unknown as string), TypeError);
});

Deno.test("nested sh is inserted as is, masked with the inner mask", () => {
  const inner = sh`echo ${secret(PASSWORD)} ${"a b"}`;
  const outer = sh`${inner} && ${sh`ls ${"x"}`}`;
  assert.equal(outer.text, `echo '${PASSWORD}' 'a b' && ls 'x'`);
  assert.equal(outer.masked, "echo '***' 'a b' && ls 'x'");
  // To pass a command as one argument (sh -c), interpolate its text as a string.
  assert.equal(sh`sh -c ${inner.masked}`.text, `sh -c 'echo '"'"'***'"'"' '"'"'a b'"'"''`);
});

Deno.test("secret() is quoted in text and masked everywhere it is shown", () => {
  const s = secret(PASSWORD);
  assert.ok(s instanceof Secret && isSecret(s));
  assert.equal(s.value, PASSWORD);
  assert.equal(secret(1234).value, "1234");
  const cmd = sh`mysql -u ${"app"} -p${s} --opt=${[s, "x"]}`;
  assert.equal(cmd.text, `mysql -u 'app' -p'${PASSWORD}' --opt='${PASSWORD}' 'x'`);
  assert.equal(cmd.masked, "mysql -u 'app' -p'***' --opt='***' 'x'");

  const shown = [
    cmd.masked,
    String(cmd),
    `${cmd}`,
    JSON.stringify(cmd),
    JSON.stringify({ cmd, s }),
    Deno.inspect(cmd),
    Deno.inspect({ nested: { cmd, s } }, { depth: 10, showHidden: true }),
    Deno.inspect(s),
    Deno.inspect([s], { showHidden: true }),
    inspect(s),
    inspect(cmd),
    inspect({ s, cmd }, { depth: 10, showHidden: true }),
    String(s),
    `${s}`,
    JSON.stringify(s),
    JSON.stringify({ ...s, ...cmd }),
    Object.keys(s).join(","),
    Object.values(s).join(","),
  ];
  for (const text of shown) assert.ok(!text.includes(PASSWORD), `leaked in: ${text}`);
  assert.equal(String(s), "***");
  assert.equal(JSON.stringify(s), '"***"');
  assert.equal(Deno.inspect(s), "Secret(***)");
  assert.equal(inspect(s), "Secret(***)");
  assert.equal(JSON.stringify(cmd), JSON.stringify(cmd.masked));
  assert.equal(Deno.inspect(cmd), `ShellCommand(${cmd.masked})`);

  const composed = compose(cmd, { env: [["PW", s]], prefixes: [sh`login ${s}`] });
  assert.ok(composed.text.includes(PASSWORD));
  assert.ok(!composed.masked.includes(PASSWORD) && !composed.display.includes(PASSWORD));
});

Deno.test("sh throws a TypeError naming the interpolation for any other value", () => {
  const message = (v: unknown) => {
    try {
      sh`echo ${"a"} ${"b"} then ${v as Arg}`;
    } catch (error) {
      assert.ok(error instanceof TypeError);
      return error.message;
    }
    assert.fail("did not throw");
  };
  assert.equal(
    message({}),
    'sh: interpolation 2 (after " then ") is an object; only string, number, boolean, ' +
      "raw(), secret(), sh`` and arrays are allowed",
  );
  assert.match(message(null), /interpolation 2 .* is null;/);
  assert.match(message(undefined), /interpolation 2 .* is undefined;/);
  assert.match(message(Promise.resolve(1)), /is a Promise \(await it first\);/);
  assert.match(message(() => 1), /is a function;/);
  assert.match(message(Symbol("x")), /is a symbol;/);
  assert.match(message(10n), /is a bigint;/);
  assert.match(message(new Date()), /is an object;/);
  assert.match(message(["ok", [null]]), /interpolation 2 .*, element 1, element 0 is null;/);
  assert.match(message("a\0b"), /NUL/);
  assert.throws(() => sh`printf '%s\0' ${"x"}`, { name: "TypeError", message: /NUL.*\\\\0/ });
  assert.equal(sh`printf '%s\\0' ${"x"}`.text, "printf '%s\\0' 'x'");
  // A secret next to a bad value is not shown in the message.
  assert.ok(!message([secret(PASSWORD), {}]).includes(PASSWORD));
});

Deno.test("the static types reject what the runtime rejects", () => {
  // Each line is a compile error (checked by `deno check`) and a runtime TypeError.
  // @ts-expect-error null is not an Arg
  assert.throws(() => sh`echo ${null}`, TypeError);
  // @ts-expect-error undefined is not an Arg
  assert.throws(() => sh`echo ${undefined}`, TypeError);
  // @ts-expect-error a plain object is not an Arg
  assert.throws(() => sh`echo ${{}}`, TypeError);
  // @ts-expect-error an object shaped like a command is not one
  assert.throws(() => sh`echo ${{ text: "x", masked: "x" }}`, TypeError);
  // @ts-expect-error a Promise must be awaited first
  assert.throws(() => sh`echo ${Promise.resolve(1)}`, TypeError);
  // @ts-expect-error a function is not an Arg
  assert.throws(() => sh`echo ${() => "x"}`, TypeError);
  // @ts-expect-error a bigint is not an Arg
  assert.throws(() => sh`echo ${1n}`, TypeError);
  // @ts-expect-error arrays are checked element by element
  assert.throws(() => sh`echo ${["a", null]}`, TypeError);
  // @ts-expect-error a Date is not an Arg
  assert.throws(() => sh`echo ${new Date()}`, TypeError);
  // @ts-expect-error toCommand takes a string or a ShellCommand
  assert.throws(() => toCommand(42), TypeError);
  // @ts-expect-error secret takes a string or a number
  assert.throws(() => secret(null), TypeError);
});

Deno.test("toCommand: a plain string is already-written shell text", () => {
  const c = toCommand("ls -l | grep 'x' && echo $HOME");
  assert.ok(c instanceof ShellCommand && isShellCommand(c));
  assert.equal(c.text, "ls -l | grep 'x' && echo $HOME");
  assert.equal(c.masked, c.text);
  const built = sh`echo ${secret(PASSWORD)}`;
  assert.equal(toCommand(built), built);
  for (const bad of [null, undefined, 1, {}, { text: "x", masked: "x" }, [], secret("x")]) {
    assert.throws(() => toCommand(bad as unknown as string), TypeError);
  }
  assert.ok(!isShellCommand("ls") && !isShellCommand(null) && !isShellCommand({ text: "x" }));
  assert.equal(new ShellCommand("a").masked, "a");
});

Deno.test("values of another copy of the library are recognised by brand", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deployer-cmd-copy-" });
  try {
    // The copy keeps the layout sh.ts imports from (command/sh.ts, brands.ts).
    await Deno.mkdir(`${dir}/command`);
    await Deno.copyFile(
      new URL("../../src/command/sh.ts", import.meta.url),
      `${dir}/command/sh.ts`,
    );
    await Deno.copyFile(new URL("../../src/brands.ts", import.meta.url), `${dir}/brands.ts`);
    const other: typeof import("../../src/command/sh.ts") = await import(
      new URL(`file://${dir}/command/sh.ts`).href
    );
    assert.notEqual(other.ShellCommand, ShellCommand);
    const foreignSecret = other.secret(PASSWORD);
    const foreignCmd = other.sh`deploy ${foreignSecret}`;
    assert.ok(!(foreignCmd instanceof ShellCommand) && !(foreignSecret instanceof Secret));
    assert.ok(isShellCommand(foreignCmd) && isSecret(foreignSecret) && isRaw(other.raw("x")));
    assert.ok(other.isShellCommand(sh`x`) && other.isSecret(secret("x")));

    const mixed = sh`${foreignCmd} ${foreignSecret} ${other.raw("$X")}`;
    assert.equal(mixed.text, `deploy '${PASSWORD}' '${PASSWORD}' $X`);
    assert.equal(mixed.masked, "deploy '***' '***' $X");
    assert.equal(toCommand(foreignCmd), foreignCmd);
    const back = other.sh`${sh`a ${secret(PASSWORD)}`}`;
    assert.equal(back.masked, "a '***'");
    const composed = compose(foreignCmd, { env: [["P", foreignSecret]] });
    assert.ok(!composed.masked.includes(PASSWORD) && composed.text.includes(PASSWORD));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

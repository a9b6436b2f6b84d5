import assert from "node:assert/strict";
import { compose, quote, raw, secret, sh, type ShellCommand } from "../../src/command/mod.ts";
import { sudoWorks } from "../_support/sudo.ts";

const wrap = (inner: string) => `sh -c ${quote(inner)}`;
const CHECK = (q: string) =>
  `if command -v bash >/dev/null 2>&1; then bash -n -c ${q}; else sh -n -c ${q}; fi`;

async function run(
  text: string,
  options: { stdin?: string; env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", text],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
    clearEnv: options.clearEnv,
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("compose: a bare command is wrapped in sh -c and parentheses", () => {
  const c = compose(sh`ls`);
  assert.deepEqual(c, { text: "sh -c '(ls)'", masked: "sh -c '(ls)'", display: "ls" });
  assert.deepEqual(compose(sh`ls`, {}), c);
  // The host handle passes plain { text, masked } objects too.
  assert.equal(compose({ text: "true", masked: "true" } as ShellCommand).text, "sh -c '(true)'");
});

Deno.test("compose: the spec §3.4 example, with the cwd quoted", () => {
  const c = compose(sh`ls`, {
    cwd: "/home/u",
    term: "xterm",
    env: [["A", "it's"]],
    prefixes: [sh`p1`],
  });
  const inner = `cd '/home/u' && export TERM='xterm' && export A='it'"'"'s' && (p1 && ls)`;
  assert.equal(c.text, wrap(inner));
  assert.equal(
    c.text,
    `sh -c 'cd '"'"'/home/u'"'"' && export TERM='"'"'xterm'"'"' && export A='"'"'it'"'"'"'"'"'"'"'"'s'"'"' && (p1 && ls)'`,
  );
  assert.equal(c.masked, c.text);
  assert.equal(c.display, "p1 && ls");
});

Deno.test("compose: pieces appear only when set, prefixes outermost first", () => {
  assert.equal(compose(sh`ls`, { cwd: "/a b" }).text, wrap("cd '/a b' && (ls)"));
  assert.equal(compose(sh`ls`, { term: "" }).text, wrap("export TERM='' && (ls)"));
  assert.equal(compose(sh`ls`, { stdinNull: true }).text, wrap("exec </dev/null && (ls)"));
  const c = compose(sh`ls`, { prefixes: [sh`source ${"/v env/bin/activate"}`, sh`p2`] });
  assert.equal(c.text, wrap("(source '/v env/bin/activate' && p2 && ls)"));
  assert.equal(c.display, "source '/v env/bin/activate' && p2 && ls");
  assert.equal(
    compose(sh`ls`, { stdinNull: true, cwd: "/x", env: [["B", "1"]] }).text,
    wrap("exec </dev/null && cd '/x' && export B='1' && (ls)"),
  );
});

Deno.test("compose: env values — quoted strings, raw text, masked secrets", () => {
  const c = compose(sh`deploy ${secret("tok")}`, {
    env: [["PATH", raw("$PATH:/x")], ["PW", secret("hunter2")], ["E", ""]],
    prefixes: [sh`login ${secret("tok")}`],
  });
  assert.equal(
    c.text,
    wrap(
      "export PATH=$PATH:/x && export PW='hunter2' && export E='' && " +
        "(login 'tok' && deploy 'tok')",
    ),
  );
  assert.equal(
    c.masked,
    wrap(
      "export PATH=$PATH:/x && export PW='***' && export E='' && " +
        "(login '***' && deploy '***')",
    ),
  );
  assert.equal(c.display, "login '***' && deploy '***'");
  for (const shown of [c.masked, c.display]) {
    assert.ok(!shown.includes("hunter2") && !shown.includes("tok"));
  }
});

Deno.test("compose: invalid env names, values and cwd are TypeErrors", () => {
  for (const name of ["1A", "A-B", "", "A B", "A=B", "é", "$A"]) {
    assert.throws(() => compose(sh`ls`, { env: [[name, "x"]] }), {
      name: "TypeError",
      message: `Invalid environment variable name: ${JSON.stringify(name)}`,
    });
  }
  assert.equal(compose(sh`ls`, { env: [["_a9", "x"]] }).text, wrap("export _a9='x' && (ls)"));
  assert.throws(() => compose(sh`ls`, { env: [["A", 1 as unknown as string]] }), TypeError);
  assert.throws(() => compose(sh`ls`, { env: [["A", null as unknown as string]] }), TypeError);
  assert.throws(() => compose(sh`ls`, { cwd: "relative" }), TypeError);
  assert.throws(() => compose(sh`ls`, { cwd: "" }), TypeError);
  assert.throws(() => compose("ls" as unknown as ShellCommand), TypeError);
  assert.throws(() => compose(sh`ls`, { prefixes: ["p" as unknown as ShellCommand] }), TypeError);
});

Deno.test("compose: sudo with and without user and marker", () => {
  assert.equal(compose(sh`ls`, { sudo: {} }).text, "sudo -n -- sh -c '(ls)'");
  assert.equal(
    compose(sh`ls`, { sudo: { user: "www-data" } }).text,
    "sudo -n -u 'www-data' -- sh -c '(ls)'",
  );
  assert.equal(
    compose(sh`ls`, { sudo: { marker: "[:pw:]" } }).text,
    "sudo -k -S -p '[:pw:]' -- sh -c '(ls)'",
  );
  const marker = "\x1b[30m[:__enter-sudo-password__:]\x1b[0m";
  const c = compose(sh`cat ${secret("s")}`, {
    sudo: { user: "o'brien", marker },
    cwd: "/srv",
    stdinNull: true,
  });
  const inner = "exec </dev/null && cd '/srv' && (cat 's')";
  assert.equal(
    c.text,
    `sudo -k -S -p '${marker}' -u 'o'"'"'brien' -- sh -c ${quote(inner)}`,
  );
  assert.equal(
    c.masked,
    `sudo -k -S -p '${marker}' -u 'o'"'"'brien' -- sh -c ${
      quote("exec </dev/null && cd '/srv' && (cat '***')")
    }`,
  );
  assert.equal(c.display, "cat '***'");
});

Deno.test("compose: sandbox only syntax-checks, and never uses sudo", () => {
  const c = compose(sh`echo ${"hi"}`, {
    cwd: "/srv",
    sandbox: true,
    sudo: { user: "root", marker: "M" },
    prefixes: [sh`p1`],
  });
  const inner = `{ cd '/srv' 2>/dev/null || true; } && ${CHECK(quote("(p1 && echo 'hi')"))}`;
  assert.equal(c.text, wrap(inner));
  assert.equal(c.display, "p1 && echo 'hi'");

  const e = compose(sh`ls`, {
    sandbox: true,
    term: "xterm",
    env: [["A", raw("$(x)")], ["P", secret("pw")]],
  });
  assert.equal(
    e.text,
    wrap(CHECK(quote("export TERM='xterm' && export A=$(x) && export P='pw' && (ls)"))),
  );
  assert.equal(
    e.masked,
    wrap(CHECK(quote("export TERM='xterm' && export A=$(x) && export P='***' && (ls)"))),
  );
  assert.equal(compose(sh`ls`, { sandbox: true }).text, wrap(CHECK("'(ls)'")));
});

Deno.test("compose: comments and here-documents cannot swallow the closing parenthesis", async () => {
  assert.equal(compose(sh`ls # all`).text, wrap("(ls # all\n)"));
  const heredoc = "cat <<EOF\nline 1\nEOF";
  assert.equal((await run(compose(sh`${raw(heredoc)}`).text)).stdout, "line 1\n");
  assert.equal((await run(compose(sh`echo a # comment`, { cwd: "/" }).text)).stdout, "a\n");
});

Deno.test("compose: the spec example runs in /bin/sh as intended", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deployer-compose-" });
  try {
    const c = compose(sh`printf '%s|%s|%s|%s' "$PWD" "$TERM" "$A" "$B"`, {
      cwd: dir,
      term: "xterm",
      env: [["A", "it's $(id)"], ["TERM", "dumb"], ["B", raw("$A!")]],
      prefixes: [sh`test -d .`],
    });
    const out = await run(c.text);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `${dir}|dumb|it's $(id)|it's $(id)!`);
    const failing = await run(compose(sh`echo no`, { prefixes: [sh`false`] }).text);
    assert.equal(failing.code, 1);
    assert.equal(failing.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compose: stdinNull keeps the command from reading stdin", async () => {
  const open = await run(compose(sh`cat`).text, { stdin: "data" });
  assert.equal(open.stdout, "data");
  const closed = await run(compose(sh`cat`, { stdinNull: true }).text, { stdin: "data" });
  assert.equal(closed.code, 0);
  assert.equal(closed.stdout, "");
});

Deno.test("compose: sandbox neither executes nor creates anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deployer-sandbox-" });
  const bin = await Deno.makeTempDir({ prefix: "deployer-sandbox-bin-" });
  try {
    const file = `${dir}/created`;
    await Deno.symlink("/bin/sh", `${bin}/sh`);
    const noBash = { env: { PATH: bin }, clearEnv: true };
    for (const options of [{}, noBash]) {
      const ok = compose(sh`echo ok > ${file}`, {
        sandbox: true,
        cwd: dir,
        env: [["X", raw(`$(touch ${quote(file)})`)]],
        prefixes: [sh`touch ${file}`],
      });
      const good = await run(ok.text, options);
      assert.equal(good.code, 0, good.stderr);
      assert.equal(good.stdout, "");
      await assert.rejects(Deno.lstat(file), Deno.errors.NotFound);

      const bad = await run(compose(sh`if then fi`, { sandbox: true }).text, options);
      assert.notEqual(bad.code, 0);
      const missing = await run(compose(sh`true`, { sandbox: true, cwd: `${dir}/nope` }).text);
      assert.equal(missing.code, 0, missing.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test({
  name: "compose: sudo -n runs as root and as another user",
  ignore: !(await sudoWorks()),
  async fn() {
    const root = await run(compose(sh`id -un`, { sudo: {}, stdinNull: true }).text);
    assert.equal(root.stdout, "root\n", root.stderr);
    const nobody = await run(compose(sh`id -un`, { sudo: { user: "nobody" }, cwd: "/" }).text);
    assert.equal(nobody.stdout, "nobody\n", nobody.stderr);
  },
});

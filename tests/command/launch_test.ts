// composeLaunch() against a real `sh` in its own session (as sshd starts commands): the
// script read over stdin comes back byte for byte, exit codes pass through, the command's
// own input follows the script, and the report names the shell's process group.
import assert from "node:assert/strict";
import { composeLaunch } from "../../src/command/compose.ts";
import { sh, toCommand } from "../../src/command/sh.ts";

const REPORT = "[launch-test]";

async function launch(
  command: ReturnType<typeof toCommand>,
  input = "",
  cwd?: string,
): Promise<{ stdout: string; stderr: string; code: number; pid: number }> {
  const composed = composeLaunch(command, { report: REPORT, cwd });
  const child = new Deno.Command("setsid", {
    args: ["sh", "-c", composed.text],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(composed.input + input));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { stdout: decode(out.stdout), stderr: decode(out.stderr), code: out.code, pid: child.pid };
}

Deno.test("composeLaunch: scripts with newlines, backslashes and blanks arrive unchanged", async () => {
  const texts = [
    "a\\nb",
    "  leading and trailing  ",
    "line1\nline2\n\n\nline5\n",
    "back\\\\slash\\",
    "\ttab\r\n",
    "%b %s \\0101",
    "",
  ];
  for (const text of texts) {
    const result = await launch(sh`printf '%s' ${text}`);
    assert.equal(result.stdout, text);
    assert.equal(result.code, 0);
  }
});

Deno.test("composeLaunch: multi-line scripts, here-documents, comments and `&` at the end", async () => {
  const heredoc = await launch(toCommand("cat <<'EOF'\n$HOME \\x\nEOF"));
  assert.equal(heredoc.stdout, "$HOME \\x\n");
  const comment = await launch(toCommand("echo one # a comment"));
  assert.equal(comment.stdout, "one\n");
  const background = await launch(toCommand("echo bg &"));
  assert.equal(background.stdout, "bg\n");
  const semicolon = await launch(toCommand("echo semi;"));
  assert.equal(semicolon.stdout, "semi\n");
});

Deno.test("composeLaunch: exit codes, cwd, and stdin after the script", async () => {
  assert.equal((await launch(toCommand("exit 7"))).code, 7);
  assert.equal((await launch(toCommand("false"))).code, 1);
  const dir = await launch(toCommand("pwd"), "", "/tmp");
  assert.equal(dir.stdout, "/tmp\n");
  const read = await launch(toCommand("cat"), "the input\nsecond line");
  assert.equal(read.stdout, "the input\nsecond line");
});

Deno.test("composeLaunch: the report is the process group of the command's shell", async () => {
  const result = await launch(toCommand(`ps -o pgid= -p $$`));
  assert.match(result.stderr, /^\[launch-test\]\d+;$/);
  assert.equal(result.stderr, `${REPORT}${result.stdout.trim()};`);
  assert.notEqual(result.stdout.trim(), "0");
});

Deno.test("composeLaunch: no input at all ends with 125 and runs nothing", async () => {
  const composed = composeLaunch(toCommand(`echo ran`), { report: REPORT });
  const out = await new Deno.Command("setsid", {
    args: ["sh", "-c", composed.text],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(out.code, 125);
  assert.equal(new TextDecoder().decode(out.stdout), "");
});

Deno.test("composeLaunch: shellProbe answers after the report whether /bin/sh started it", async () => {
  const probe = "[probe-test]";
  const composed = composeLaunch(toCommand("echo ran"), { report: REPORT, shellProbe: probe });
  const run = async (args: string[], shell: string) => {
    const child = new Deno.Command("setsid", {
      args,
      env: { SHELL: shell },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(composed.input));
    await writer.close();
    const out = await child.output();
    assert.equal(new TextDecoder().decode(out.stdout), "ran\n");
    return new TextDecoder().decode(out.stderr);
  };
  // As sshd runs it for a login shell that is /bin/sh: that shell runs the wrapper.
  const viaSh = ["/bin/sh", "-c", `${composed.text}; exit $?`];
  assert.match(await run(viaSh, "/bin/sh"), /^\[launch-test\]\d+;\[probe-test\]1;$/);
  assert.match(await run(viaSh, "/bin/bash"), /^\[launch-test\]\d+;\[probe-test\]0;$/);
  // $SHELL says /bin/sh, but another shell (bash, which waits here) runs the wrapper.
  const viaBash = ["/bin/bash", "-c", `${composed.text}; exit $?`];
  assert.match(await run(viaBash, "/bin/sh"), /^\[launch-test\]\d+;\[probe-test\]0;$/);
});

Deno.test("composeLaunch: no shellProbe with sudo or without the wrapper", () => {
  const probe = "[probe-test]";
  const sudo = composeLaunch(toCommand("true"), { report: REPORT, shellProbe: probe, sudo: {} });
  assert.ok(sudo.text.startsWith("sudo -n -- sh -c "));
  assert.ok(!sudo.text.includes("probe-test"));
  const bare = composeLaunch(toCommand("true"), { report: REPORT, shellProbe: probe, sh: true });
  assert.ok(!bare.text.startsWith("sh -c "));
  assert.ok(!bare.text.includes("probe-test"));
  const wrapped = composeLaunch(toCommand("true"), { report: REPORT, shellProbe: probe });
  assert.ok(wrapped.text.startsWith("sh -c ") && wrapped.text.includes("probe-test"));
});

Deno.test("composeLaunch: the bootstrap's own variables are gone when the command runs", async () => {
  const result = await launch(toCommand(`set | grep '^__dpl' || echo none`));
  assert.equal(result.stdout, "none\n");
  assert.equal(result.code, 0);
});

/**
 * Review of the second signal (`LocalConnection.killNow`) for an operator who is not root:
 * a local command run with sudo has processes owned by root below it, which the operator's
 * own `kill` may not signal. A program that exits right after `killNow` must not leave
 * them running. The operator is a throwaway user with passwordless sudo, running a small
 * Deno program (local modules only, no network).
 */
import assert from "node:assert/strict";
import { uniqueSeconds } from "../_support/procs.ts";

async function run(program: string, args: string[], stdin?: string) {
  const child = new Deno.Command(program, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** The live processes whose command line is exactly `cmdline` (arguments joined by spaces). */
async function pidsOf(cmdline: string): Promise<number[]> {
  const found: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const raw = await Deno.readFile(`/proc/${e.name}/cmdline`).catch(() => new Uint8Array());
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    if (stat.slice(stat.lastIndexOf(") ") + 2).startsWith("Z")) continue;
    if (new TextDecoder().decode(raw).replaceAll("\0", " ").trim() === cmdline) {
      found.push(Number(e.name));
    }
  }
  return found;
}

/** Resolves when none of `pids` is alive any more, or after `ms` (then false). */
async function gone(pids: number[], ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const alive = [];
    for (const pid of pids) {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
      if (stat && !stat.slice(stat.lastIndexOf(") ") + 2).startsWith("Z")) alive.push(pid);
    }
    if (alive.length === 0) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const PROGRAM = (local: string) => `
import { LocalConnection } from ${JSON.stringify(local)};
const connection = new LocalConnection("local1");
let out = "";
let ready = () => {};
const started = new Promise((resolve) => (ready = resolve));
await connection.exec(
  "sudo -n sh -c 'trap \\"\\" TERM; sleep " + Deno.args[0] + " & echo ready; wait'",
  { onStdout: (c) => ((out += new TextDecoder().decode(c)), out.includes("ready") && ready()) },
);
await started;
await connection.killNow();
Deno.exit(0);
`;

const isRoot = Deno.uid() === 0;

Deno.test(
  "review second signal: a sudo'd local command of a non-root operator is killed",
  { ignore: !isRoot },
  async () => {
    const user = `dpl-rev-${Deno.pid}-${crypto.randomUUID().slice(0, 6)}`;
    const sudoers = `/etc/sudoers.d/deployer-review-${user}`;
    const dir = await Deno.makeTempDir({ prefix: "deployer-review-" });
    const seconds = uniqueSeconds();
    let made = false;
    try {
      await Deno.chmod(dir, 0o755);
      await Deno.writeTextFile(
        `${dir}/kill_now.ts`,
        PROGRAM(new URL("../../src/host/local.ts", import.meta.url).pathname),
      );
      const added = await run("useradd", ["-M", "-s", "/bin/sh", user]);
      assert.equal(added.code, 0, added.stderr);
      made = true;
      await Deno.writeTextFile(sudoers, `${user} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
      const result = await run("runuser", [
        "-u",
        user,
        "--",
        "env",
        `HOME=${dir}`,
        `DENO_DIR=${dir}/.deno`,
        "deno",
        "run",
        "-A",
        "--no-lock",
        "--no-config",
        `${dir}/kill_now.ts`,
        String(seconds),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const left = await pidsOf(`sleep ${seconds}`);
      assert.equal(result.stdout, "", "the program printed nothing");
      assert.ok(await gone(left, 5000), `sleep ${seconds} (root) survived the second signal`);
    } finally {
      for (const pid of await pidsOf(`sleep ${seconds}`)) Deno.kill(pid, "SIGKILL");
      await Deno.remove(sudoers).catch(() => {});
      if (made) await run("userdel", [user]);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

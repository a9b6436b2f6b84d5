/**
 * Review of the stop script (`src/host/_stop.ts`) against process names that are hard to
 * parse in `/proc/<pid>/stat`: the name (comm) is free text of up to 15 bytes that a
 * process may set itself (`/proc/self/comm`), with `) `, spaces or a newline in it. A
 * process of the session must be stopped (or reported as left) whatever its name, under
 * awk (Debian's default is mawk) and under the shell loop used when there is no awk.
 */
import assert from "node:assert/strict";
import { stopScript } from "../../src/host/_stop.ts";
import { killAll, uniqueSeconds } from "../_support/procs.ts";

/** A session whose leader waits, with one more process in a group of its own, named `name`. */
async function sessionWith(name: string, seconds: number) {
  // perl: its own process group (in the same session), then its own name; no child.
  const perl = `setpgrp(0, 0); open(my $f, ">", "/proc/self/comm") or die; ` +
    `print $f $ARGV[0]; close $f; $| = 1; print "ready\\n"; sleep ${seconds}`;
  const child = new Deno.Command("setsid", {
    args: ["sh", "-c", `perl -e '${perl}' "$1" ${seconds} & wait`, "sh", name],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the session ended early");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return child;
}

/** The live (not zombie) processes of session `sid`, read from the end of `stat`. */
async function liveIn(sid: number): Promise<number[]> {
  const live: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const f = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
    if (f[0] !== "Z" && Number(f[3]) === sid) live.push(Number(e.name));
  }
  return live;
}

async function stopAndCheck(name: string, path?: string): Promise<void> {
  const seconds = uniqueSeconds();
  const child = await sessionWith(name, seconds);
  try {
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", stopScript(child.pid, 500)],
      env: path ? { PATH: path } : undefined,
      clearEnv: false,
      stdout: "piped",
    }).output();
    const report = new TextDecoder().decode(out.stdout);
    const left = (await liveIn(child.pid)).join(" ");
    // Either nothing is left, or what is left is reported.
    assert.ok(
      left === "" || report !== "left:\n",
      `name ${JSON.stringify(name)}: the script said ${
        JSON.stringify(report)
      } while ${left} still runs`,
    );
    assert.equal(left, "", `name ${JSON.stringify(name)}: ${left} survived the stop`);
  } finally {
    await killAll(`sleep ${seconds}`);
    await child.stdout.cancel().catch(() => {});
    await child.status;
  }
}

const NAMES = ["plain", "a) b c", ") R 1 2 3", "x\ny", "sp ace\n) S 1"];

for (const name of NAMES) {
  Deno.test(`review stop (awk): a process named ${JSON.stringify(name)} is stopped`, async () => {
    await stopAndCheck(name);
  });
}

Deno.test("review stop (no awk): every name is stopped by the shell loop", async () => {
  const bin = await Deno.makeTempDir();
  try {
    for (const tool of ["sleep", "ps"]) {
      const where = (await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] })
        .output()).stdout;
      await Deno.symlink(new TextDecoder().decode(where).trim(), `${bin}/${tool}`);
    }
    for (const name of NAMES) await stopAndCheck(name, bin);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

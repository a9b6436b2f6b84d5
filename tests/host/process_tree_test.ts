/**
 * The descendants of a local command are found with the permissions the README recommends
 * (no `--allow-all`, under which Deno refuses to read /proc), so stopping a command tree
 * reaches every process of it.
 */
import assert from "node:assert/strict";
import { uniqueSleep } from "../_support/procs.ts";

const MODULE = new URL("../../src/host/_process_tree.ts", import.meta.url).href;

/** Runs a probe in a child `deno run` with `flags`: how many descendants a tree of 3 shows. */
async function countWith(flags: string[], env?: Record<string, string>): Promise<number> {
  await using sleep = uniqueSleep();
  const n = sleep.seconds;
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      script,
      `import { descendants } from ${JSON.stringify(MODULE)};\n` +
        // sh -> (sleep, sh -> sleep): three descendants of the first sh.
        `const child = new Deno.Command("sh", {\n` +
        `  args: ["-c", "exec 2>/dev/null; sleep ${n} & sh -c 'sleep ${n}; :' & echo started; wait"],\n` +
        `  stdout: "piped",\n` +
        `}).spawn();\n` +
        `const reader = child.stdout.getReader();\n` +
        `await reader.read();\n` +
        `let found = await descendants(child.pid);\n` +
        `for (let i = 0; i < 100 && found.length < 3; i++) found = await descendants(child.pid);\n` +
        `for (const pid of found) { try { Deno.kill(pid, "SIGKILL"); } catch { /* gone */ } }\n` +
        `child.kill("SIGKILL");\n` +
        `await child.status;\n` +
        `console.log(found.length);\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, script],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      env,
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return Number(new TextDecoder().decode(out.stdout).trim());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("descendants are found with --allow-all", async () => {
  assert.equal(await countWith(["--allow-all"]), 3);
});

Deno.test("descendants are found with --allow-read --allow-run=sh (no /proc for Deno)", async () => {
  assert.equal(await countWith(["--allow-read", "--allow-run=sh"]), 3);
});

Deno.test("without ps, descendants come from /proc/<pid>/stat read by sed", async () => {
  await using bin = await binWith(["sh", "cat", "sed", "sleep"]);
  const found = await countWith(["--allow-read", "--allow-run=sh"], { PATH: bin.path });
  assert.equal(found, 3);
});

/** A directory holding links to only these programs (for a PATH without the others). */
async function binWith(programs: string[]): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir();
  for (const program of programs) {
    const which = await new Deno.Command("sh", { args: ["-c", `command -v ${program}`] }).output();
    await Deno.symlink(new TextDecoder().decode(which.stdout).trim(), `${path}/${program}`);
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

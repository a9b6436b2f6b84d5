/**
 * Runs `deno test` with the given arguments in a throwaway environment, and cleans up
 * after it (the `test` task of deno.json):
 *
 * - `HOME` is a fresh empty directory and `TMPDIR` a fresh temp directory, both inside one
 *   run directory `dpl-run-<pid>-…` that is removed at the end, also after a failure;
 *   `DENO_DIR` keeps pointing at the real Deno cache so nothing is downloaded again.
 * - Afterwards, anything the tests wrote into that `HOME` is listed and fails the run
 *   (a test that writes to the home directory would write to the user's real one when
 *   run on its own).
 * - Leftovers of runs whose processes are gone (test users, sudoers files, sshd, temp
 *   directories) are swept before and after the run.
 *
 * Usage: `deno run --allow-all src/testing/run_tests.ts [deno test arguments...]`.
 * Ctrl-C and SIGTERM are passed on to `deno test`; the exit code is its exit code (1 when
 * the tests left something in `HOME`).
 *
 * @module
 */
import { RUN_OWNERS_FILE, sweepLeftovers, type SweepReport } from "./_sweep.ts";

/** The Deno cache directory in use: `$DENO_DIR`, else what `deno info` reports. */
async function denoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const dir = out.success ? JSON.parse(new TextDecoder().decode(out.stdout)).denoDir : undefined;
  if (typeof dir !== "string" || !dir) {
    throw new Error("Cannot find Deno's cache: deno info failed");
  }
  return dir;
}

/** Every path below `dir`, relative to it (directories too), sorted. */
async function contents(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    found.push(path);
    if (entry.isDirectory) found.push(...await contents(dir, `${path}/`));
  }
  return found.sort();
}

function show(label: string, report: SweepReport): void {
  if (report.removed.length > 0) {
    console.error(`${label}: removed leftovers of earlier test runs: ${report.removed.join(", ")}`);
  }
  for (const error of report.errors) console.error(`${label}: could not remove ${error}`);
}

/** Runs `deno test <args>` in a fresh HOME and TMPDIR; resolves to its exit code. */
async function runTests(args: string[]): Promise<number> {
  const label = "run_tests";
  show(label, await sweepLeftovers());
  const cache = await denoDir();
  const run = await Deno.makeTempDir({ prefix: `dpl-run-${Deno.pid}-` });
  let code = 1;
  try {
    await Deno.chmod(run, 0o755); // test users must reach their files below tmp/
    const home = `${run}/home`;
    const tmp = `${run}/tmp`;
    await Deno.mkdir(home, { mode: 0o700 });
    await Deno.mkdir(tmp);
    await Deno.chmod(tmp, 0o1777);
    const env: Record<string, string> = { HOME: home, TMPDIR: tmp, DENO_DIR: cache };
    const child = new Deno.Command(Deno.execPath(), {
      args: ["test", ...args],
      env,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    await Deno.writeTextFile(`${run}/${RUN_OWNERS_FILE}`, `${child.pid}\n`);
    const forward = (signal: Deno.Signal) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    Deno.addSignalListener("SIGINT", onInt);
    Deno.addSignalListener("SIGTERM", onTerm);
    try {
      const status = await child.status;
      code = status.code;
    } finally {
      Deno.removeSignalListener("SIGINT", onInt);
      Deno.removeSignalListener("SIGTERM", onTerm);
    }
    const written = await contents(home);
    if (written.length > 0) {
      console.error(
        `${label}: the tests wrote into HOME (${home}), which would be the real home ` +
          `directory when they run on their own:\n  ${written.join("\n  ")}`,
      );
      if (code === 0) code = 1;
    }
  } finally {
    show(label, await sweepLeftovers()); // what the run left: users, sshd (by dead owner)
    await Deno.remove(run, { recursive: true }).catch((error) => {
      console.error(`${label}: cannot remove ${run}: ${error.message}`);
    });
  }
  return code;
}

if (import.meta.main) Deno.exit(await runTests(Deno.args));

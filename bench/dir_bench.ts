/**
 * Directory transfer benchmark (issue 12 item 3): 1000 files of 4 KiB to and from a
 * loopback sshd, as whole processes, side by side in one run: deployer's `putDir` /
 * `getDir` (a `deno run` child), `rsync -a` over ssh, and `tar | ssh`. Wall time and peak
 * RSS (`/usr/bin/time -f %M`) of each, medians with min/max, ratios of medians.
 *
 * A row module of `deno task bench` (`run(context)`, bench/_row.ts, on server 0 of the
 * shared fixture), and runnable on its own: `deno run --allow-all bench/dir_bench.ts [reps]`
 * (root: it starts sshd).
 *
 * @module
 */
import { createFixture, type Fixture } from "./_setup.ts";
import { commonOptions } from "./_openssh.ts";
import type { DirJob } from "./_dir_child.ts";
import type { Row } from "./_report.ts";
import { type BenchContext, failedRow, type RowReport } from "./_row.ts";
import { progress, summarize, type Summary, withTimeout } from "./_stats.ts";

const CHILD = new URL("./_dir_child.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;

function q(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Runs a command under /usr/bin/time: wall ms and peak RSS in MiB. */
async function measure(argv: string[]): Promise<{ ms: number; mib: number }> {
  const stats = await Deno.makeTempFile();
  try {
    const start = performance.now();
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%M", "-o", stats, ...argv],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const ms = performance.now() - start;
    if (!out.success) {
      throw new Error(`${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    const kib = Number((await Deno.readTextFile(stats)).trim().split("\n").at(-1));
    return { ms, mib: kib / 1024 };
  } finally {
    await Deno.remove(stats);
  }
}

function sshCommand(fx: Fixture): string {
  const target = fx.openssh(0, false);
  return ["ssh", ...commonOptions(target), "-p", String(target.port)].map(q).join(" ");
}

type Runner = (fx: Fixture) => Promise<{ ms: number; mib: number }>;

function job(
  fx: Fixture,
  direction: DirJob["direction"],
  from: string,
  to: string,
  via: "auto" | "sftp" = "auto",
): string {
  const j: DirJob = {
    direction,
    port: fx.ssh.servers[0].port,
    username: fx.ssh.keyUser.name,
    keyFile: fx.ssh.keyUser.keyFile!,
    knownHostsFile: fx.ssh.knownHostsFile,
    from,
    to,
    via,
  };
  return JSON.stringify(j);
}

const user = (fx: Fixture) => `${fx.ssh.keyUser.name}@127.0.0.1`;

const PUT: Record<string, Runner> = {
  deployer: async (fx) => {
    const to = `${await fx.remoteDir()}/site`;
    return await measure([
      Deno.execPath(),
      "run",
      "--allow-all",
      CHILD,
      job(fx, "put", fx.smallDir, to),
    ]);
  },
  "deployer: connect + true only (baseline)": async (fx) => {
    const argv = [Deno.execPath(), "run", "--allow-all", CHILD, job(fx, "connect", "", "")];
    return await measure(argv);
  },
  "deployer: putFile x 1000, 32 at once": async (fx) => {
    const to = await fx.remoteDir();
    const argv = [Deno.execPath(), "run", "--allow-all", CHILD, job(fx, "files", fx.smallDir, to)];
    return await measure(argv);
  },
  "deployer (SFTP, no tar)": async (fx) => {
    const to = `${await fx.remoteDir()}/site`;
    const argv = [
      Deno.execPath(),
      "run",
      "--allow-all",
      CHILD,
      job(fx, "put", fx.smallDir, to, "sftp"),
    ];
    return await measure(argv);
  },
  "rsync -a": async (fx) => {
    const to = `${await fx.remoteDir()}/site`;
    return await measure([
      "rsync",
      "-a",
      "-e",
      sshCommand(fx),
      `${fx.smallDir}/`,
      `${user(fx)}:${to}/`,
    ]);
  },
  "tar | ssh": async (fx) => {
    const to = `${await fx.remoteDir()}/site`;
    const remote = `mkdir ${q(to)} && tar -x -f - -C ${q(to)}`;
    const line = `tar -C ${q(fx.smallDir)} -c -f - . | ${sshCommand(fx)} ${q(user(fx))} ${
      q(remote)
    }`;
    return await measure(["sh", "-c", line]);
  },
};

async function localTarget(fx: Fixture): Promise<string> {
  const base = `${fx.dir}/down`;
  await Deno.remove(base, { recursive: true }).catch(() => {});
  await Deno.mkdir(base);
  return `${base}/site`;
}

function getRunners(source: string): Record<string, Runner> {
  return {
    deployer: async (fx) =>
      await measure([
        Deno.execPath(),
        "run",
        "--allow-all",
        CHILD,
        job(fx, "get", source, await localTarget(fx)),
      ]),
    "rsync -a": async (fx) => {
      const to = await localTarget(fx);
      return await measure([
        "rsync",
        "-a",
        "-e",
        sshCommand(fx),
        `${user(fx)}:${source}/`,
        `${to}/`,
      ]);
    },
    "tar | ssh": async (fx) => {
      const to = await localTarget(fx);
      const line = `mkdir ${q(to)} && ${sshCommand(fx)} ${q(user(fx))} ${
        q(`tar -C ${q(source)} -c -f - .`)
      } | tar -x -f - -C ${q(to)}`;
      return await measure(["sh", "-c", line]);
    },
  };
}

type Results = Record<string, { time: Summary; rss: Summary }>;

/** Every runner `warmup + reps` times, interleaved; the last `reps` wall times and peaks. */
async function scenario(
  fx: Fixture,
  name: string,
  runners: Record<string, Runner>,
  options: { reps: number; warmup: number },
): Promise<Results> {
  const times: Record<string, number[]> = {};
  const rss: Record<string, number[]> = {};
  for (let i = 0; i < options.warmup + options.reps; i++) {
    const parts: string[] = [];
    const counted = i >= options.warmup;
    for (const [key, run] of Object.entries(runners)) {
      const what = `${name}: ${key} (repetition ${i + 1})`;
      const r = await withTimeout(run(fx), 120_000, what);
      if (counted) {
        (times[key] ??= []).push(r.ms);
        (rss[key] ??= []).push(r.mib);
      }
      parts.push(`${key} ${r.ms.toFixed(0)} ms ${r.mib.toFixed(0)} MiB`);
    }
    const tag = counted ? `rep ${i - options.warmup + 1}/${options.reps}` : "warm-up";
    progress(`${name} ${tag}: ${parts.join(", ")}`);
  }
  return Object.fromEntries(
    Object.keys(runners).map((k) => [k, { time: summarize(times[k]), rss: summarize(rss[k]) }]),
  );
}

function report(name: string, results: Results): string {
  const base = results["rsync -a"].time.median;
  const lines = [
    `### ${name}`,
    "",
    "| tool | wall ms min / median / max | ratio of medians to rsync | peak RSS MiB min / median / max |",
    "|---|---|---|---|",
  ];
  for (const [key, r] of Object.entries(results)) {
    const t = r.time;
    const m = r.rss;
    lines.push(
      `| ${key.replaceAll("|", "\\|")} | ${t.min.toFixed(0)} / ${t.median.toFixed(0)} / ${
        t.max.toFixed(0)
      } | ` +
        `${(t.median / base).toFixed(2)}x | ${m.min.toFixed(0)} / ${m.median.toFixed(0)} / ${
          m.max.toFixed(0)
        } |`,
    );
  }
  return lines.join("\n");
}

async function command(program: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(program, { args, stderr: "piped" }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${program} ${args.join(" ")} failed: ${text}`);
  }
}

/** A copy of the small files on the server side, owned by the login user (the getDir source). */
async function downloadSource(fx: Fixture): Promise<string> {
  const source = `${fx.dir}/source`;
  await Deno.remove(source, { recursive: true }).catch(() => {});
  await command("cp", ["-a", fx.smallDir, source]);
  await command("chown", ["-R", fx.ssh.keyUser.name, source]);
  return source;
}

const TARGET_RATIO = 1.2;
const RSS_LIMIT_MB = 100;
const MIB_TO_MB = 1.048576;

/**
 * The rows of one direction: wall time against rsync, peak RSS, then the other variants
 * (their scenario starts with `label`).
 */
function rowsOf(what: string, label: string, results: Results, issue?: string): Row[] {
  const deployer = results.deployer;
  const rsync = results["rsync -a"];
  const tar = results["tar | ssh"];
  const rssMet = deployer.rss.median * MIB_TO_MB <= RSS_LIMIT_MB;
  const rows: Row[] = [
    {
      scenario: `${what}, whole process`,
      issue,
      reference: "openssh",
      unit: "ms",
      framework: deployer.time,
      openssh: rsync.time,
      target: `≤ ${TARGET_RATIO}× \`rsync -a\` (OpenSSH column)`,
      met: deployer.time.median <= TARGET_RATIO * rsync.time.median,
      note: `\`tar \\| ssh\` median ${tar.time.median.toFixed(0)} ms (deployer / tar ${
        (deployer.time.median / tar.time.median).toFixed(2)
      }×)`,
    },
    {
      scenario: `${what}: peak RSS (\`/usr/bin/time -f %M\`)`,
      issue,
      reference: "openssh",
      unit: "MiB",
      framework: deployer.rss,
      openssh: rsync.rss,
      target: `≤ ${RSS_LIMIT_MB} MB`,
      met: rssMet,
      note: `median ${(deployer.rss.median * MIB_TO_MB).toFixed(1)} MB; \`tar \\| ssh\` median ${
        tar.rss.median.toFixed(0)
      } MiB`,
    },
  ];
  for (const [key, r] of Object.entries(results)) {
    if (key === "deployer" || key === "rsync -a" || key === "tar | ssh") continue;
    rows.push({
      scenario: `${label}: ${key.replaceAll("|", "\\|")}`,
      unit: "ms",
      framework: r.time,
      openssh: rsync.time,
      target: "—",
      note: `peak RSS median ${r.rss.median.toFixed(0)} MiB`,
    });
  }
  return rows;
}

/**
 * The directory rows (issue 12 item 3): putDir and getDir of the fixture's small files
 * against `rsync -a` and `tar | ssh`, whole processes, with peak RSS.
 *
 * @example Usage
 * ```ts ignore
 * import { run } from "./dir_bench.ts";
 * const { rows } = await run(context);
 * ```
 */
export async function run(context: BenchContext): Promise<RowReport> {
  const fx = await context.fixture();
  const options = { reps: context.reps, warmup: context.warmup };
  const n = fx.smallNames.length;
  const kib = (await Deno.stat(`${fx.smallDir}/${fx.smallNames[0]}`)).size / 1024;
  const rows: Row[] = [];
  const up = `putDir ${n} files of ${kib} KiB`;
  const down = `getDir ${n} files of ${kib} KiB`;
  const target = `≤ ${TARGET_RATIO}× rsync -a, peak RSS ≤ ${RSS_LIMIT_MB} MB`;
  try {
    rows.push(
      ...rowsOf(
        up,
        `upload ${n} files of ${kib} KiB`,
        await scenario(fx, up, PUT, options),
        "upload 1000 files of 4 KiB",
      ),
    );
  } catch (error) {
    progress(`${up} FAILED: ${error instanceof Error ? error.message : error}`);
    rows.push(failedRow(up, target, error));
  }
  try {
    const source = await downloadSource(fx);
    rows.push(
      ...rowsOf(
        down,
        `download ${n} files of ${kib} KiB`,
        await scenario(fx, down, getRunners(source), options),
      ),
    );
  } catch (error) {
    progress(`${down} FAILED: ${error instanceof Error ? error.message : error}`);
    rows.push(failedRow(down, target, error));
  }
  return {
    rows,
    method: [
      `Directories (item 3): ${n} files of ${kib} KiB to and from server 0, each transfer a ` +
      "whole process under GNU time (`/usr/bin/time -f %M`: wall time from the spawn to the " +
      "exit, peak RSS), interleaved in every repetition: deployer's `putDir` / `getDir` in a " +
      "`deno run` child (bench/_dir_child.ts: `SshHost`, `new Env`, one call), `rsync -a -e " +
      "'ssh …'` and `tar -c | ssh … tar -x` (OpenSSH options as above, no ControlMaster). " +
      "The OpenSSH column holds `rsync -a`; `tar | ssh` is in the note. Extra upload rows: " +
      "the child connecting and running `true` only (its start-up floor), `putFile` of every " +
      "file with 32 in flight, and `putDir` forced to SFTP (no tar). The peak RSS target is " +
      "checked on the median (MiB × 1.048576 = MB).",
    ],
  };
}

if (import.meta.main) {
  const reps = Number(Deno.args[0] ?? 5);
  const options = { reps, warmup: 1 };
  const fx = await createFixture({ servers: 1, bigMiB: 0, smallCount: 1000, smallBytes: 4096 });
  try {
    const put = await scenario(fx, "putDir 1000 x 4 KiB", PUT, options);
    const source = await downloadSource(fx);
    const get = await scenario(fx, "getDir 1000 x 4 KiB", getRunners(source), options);
    console.log(report("Upload a directory of 1000 files of 4 KiB (whole processes)", put));
    console.log();
    console.log(report("Download a directory of 1000 files of 4 KiB (whole processes)", get));
  } finally {
    await fx.cleanup();
  }
}

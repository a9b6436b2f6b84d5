/**
 * Directory transfer benchmark (issue 12 item 3): 1000 files of 4 KiB to and from a
 * loopback sshd, as whole processes, side by side in one run: deployer's `putDir` /
 * `getDir` (a `deno run` child), `rsync -a` over ssh, and `tar | ssh`. Wall time and peak
 * RSS (`/usr/bin/time -f %M`) of each, medians with min/max, ratios of medians.
 *
 * Run: `deno run --allow-all bench/dir_bench.ts [reps]` (root: it starts sshd).
 *
 * @module
 */
import { createFixture, type Fixture } from "./_setup.ts";
import { commonOptions } from "./_openssh.ts";
import type { DirJob } from "./_dir_child.ts";
import { progress, summarize, type Summary } from "./_stats.ts";

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

async function scenario(
  fx: Fixture,
  name: string,
  runners: Record<string, Runner>,
  reps: number,
): Promise<Record<string, { time: Summary; rss: Summary }>> {
  const times: Record<string, number[]> = {};
  const rss: Record<string, number[]> = {};
  for (let i = 0; i < reps + 1; i++) {
    const parts: string[] = [];
    for (const [key, run] of Object.entries(runners)) {
      const r = await run(fx);
      if (i > 0) {
        (times[key] ??= []).push(r.ms);
        (rss[key] ??= []).push(r.mib);
      }
      parts.push(`${key} ${r.ms.toFixed(0)} ms ${r.mib.toFixed(0)} MiB`);
    }
    progress(`${name} ${i === 0 ? "warm-up" : `rep ${i}/${reps}`}: ${parts.join(", ")}`);
  }
  return Object.fromEntries(
    Object.keys(runners).map((k) => [k, { time: summarize(times[k]), rss: summarize(rss[k]) }]),
  );
}

function report(name: string, results: Record<string, { time: Summary; rss: Summary }>): string {
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

if (import.meta.main) {
  const reps = Number(Deno.args[0] ?? 5);
  const fx = await createFixture({ servers: 1, bigMiB: 0, smallCount: 1000, smallBytes: 4096 });
  try {
    const put = await scenario(fx, "putDir 1000 x 4 KiB", PUT, reps);
    // A source on the server for the downloads: the tree, owned by the login user.
    const source = `${fx.dir}/source`;
    await new Deno.Command("cp", { args: ["-a", fx.smallDir, source] }).output();
    await new Deno.Command("chown", { args: ["-R", fx.ssh.keyUser.name, source] }).output();
    const get = await scenario(fx, "getDir 1000 x 4 KiB", getRunners(source), reps);
    console.log(report("Upload a directory of 1000 files of 4 KiB (whole processes)", put));
    console.log();
    console.log(report("Download a directory of 1000 files of 4 KiB (whole processes)", get));
  } finally {
    await fx.cleanup();
  }
}

/**
 * Upload benchmark: one 100 MiB `putFile` against `scp`, and 1000 `putFile`s of 4 KiB (32 at
 * once) against `rsync -a` and `tar | ssh`, all to the same throwaway loopback sshd, in one run.
 * Every transfer runs in its own process, so each has a peak RSS: the framework child reads
 * its own `VmHWM`; the OpenSSH tools run under `/usr/bin/time -f %M`. The framework child
 * connects before timing; OpenSSH uses a ControlMaster opened before timing.
 *
 * A row module of `deno task bench` (exports `run(context)`, bench/_row.ts), or on its own as
 * root: `deno run --allow-all bench/upload_bench.ts` (`BENCH_REPS`, default 5, after
 * `BENCH_WARMUP`, default 1). Prints medians with min / max and the ratios of medians.
 *
 * @module
 */
import process from "node:process";
import { Env, SshHost } from "../mod.ts";
import { sh } from "../src/command/sh.ts";
import { openNativeChaChaPoly } from "../src/host/ssh/openssl_chacha.ts";
import { commonOptions, type OpenSshTarget, sshRun } from "./_openssh.ts";
import type { Row } from "./_report.ts";
import type { BenchContext, RowReport } from "./_row.ts";
import { createFixture, type Fixture } from "./_setup.ts";
import { summarize, type Summary } from "./_stats.ts";

const REPS = Number(Deno.env.get("BENCH_REPS") ?? 5);
const WARMUP = Number(Deno.env.get("BENCH_WARMUP") ?? 1);
const BIG_MIB = Number(Deno.env.get("BENCH_BIG_MIB") ?? 100);
const SMALL_COUNT = 1000;
const SMALL_BYTES = 4096;
const SMALL_CONCURRENCY = 32;
const ONLY = Deno.env.get("BENCH_ONLY"); // "big" or "small"
const V8_FLAGS = Deno.env.get("BENCH_V8_FLAGS"); // for the framework child, to study memory

/** What a child process does, passed as JSON. */
interface Job {
  mode: "big" | "small";
  port: number;
  username: string;
  keyFile: string;
  knownHostsFile: string;
  source: string;
  names: string[];
  remote: string;
  /** Small mode: how many times the files are uploaded (under new names each time). */
  rounds?: number;
  /**
   * Give up the FFI permission first (the cipher of the default `deno run` flags). Deno then
   * refuses /proc, so the server's CPU is not measured and the parent takes the peak RSS
   * from `/usr/bin/time`.
   */
  noFfi?: boolean;
}

/**
 * One measured transfer: seconds, peak RSS in MiB, CPU seconds of the client side (the
 * framework process; for scp, scp plus the ControlMaster's ssh) and of the server side
 * (the login user's processes: sshd's session process, which runs internal-sftp, and
 * `cat`).
 */
interface Sample {
  s: number;
  mib: number;
  cpu?: number;
  serverCpu?: number;
  /** Framework child: whether chacha20-poly1305 ran through OpenSSL (FFI allowed). */
  openssl?: boolean;
}

/** CPU seconds (user + system) of every process of `uid`, by PID. */
function cpuByPid(uid: number): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.statSync(`/proc/${entry.name}`).uid !== uid) continue;
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      seconds.set(entry.name, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // gone meanwhile
    }
  }
  return seconds;
}

/** CPU seconds the processes of `uid` used since `before` (new processes count whole). */
function cpuSince(uid: number, before: Map<string, number>): number {
  let total = 0;
  for (const [pid, seconds] of cpuByPid(uid)) total += seconds - (before.get(pid) ?? 0);
  return total;
}

function uidOf(user: string): number {
  return Deno.statSync(`/home/${user}`).uid!;
}

function vmHwmKiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)![1]);
}

async function child(job: Job): Promise<void> {
  if (job.noFfi) Deno.permissions.revokeSync({ name: "ffi" });
  const host = new SshHost({
    slug: "bench",
    address: "127.0.0.1",
    port: job.port,
    username: job.username,
    keyFile: job.keyFile,
    knownHostsFiles: [job.knownHostsFile],
    configFile: false,
    agent: false,
    hostKeyPolicy: "strict",
  });
  await using env = new Env({ interactive: false });
  const h = env.host(host);
  await h.run(sh`true`);
  const uid = uidOf(job.username);
  const server = job.noFfi ? undefined : cpuByPid(uid);
  const start = performance.now();
  const cpu = process.cpuUsage();
  if (job.mode === "big") {
    await h.putFile(job.source, `${job.remote}/big.bin`);
  } else {
    const count = job.names.length * (job.rounds ?? 1);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const name = job.names[i % job.names.length];
        const round = Math.floor(i / job.names.length);
        await h.putFile(
          `${job.source}/${name}`,
          `${job.remote}/${round ? `${round}-` : ""}${name}`,
        );
      }
    };
    await Promise.all(Array.from({ length: SMALL_CONCURRENCY }, worker));
  }
  const s = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const serverCpu = server && cpuSince(uid, server);
  console.log(JSON.stringify({
    s,
    mib: job.noFfi ? undefined : vmHwmKiB() / 1024,
    cpu: (used.user + used.system) / 1e6,
    serverCpu,
    openssl: openNativeChaChaPoly() !== undefined,
  }));
}

async function framework(job: Job): Promise<Sample> {
  const deno = [
    Deno.execPath(),
    "run",
    "--allow-all",
    ...(V8_FLAGS ? [`--v8-flags=${V8_FLAGS}`] : []),
    new URL(import.meta.url).pathname,
    "--child",
    JSON.stringify(job),
  ];
  // Without FFI the child cannot read its own VmHWM: `/usr/bin/time` reports the peak.
  const [command, ...args] = job.noFfi ? ["/usr/bin/time", "-f", "%M", ...deno] : deno;
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`child failed: ${stderr}`);
  const sample = JSON.parse(new TextDecoder().decode(out.stdout)) as Sample;
  if (job.noFfi) sample.mib = Number(/(\d+)\s*$/.exec(stderr)![1]) / 1024;
  return sample;
}

/** CPU seconds (user + system) one process has used so far. */
function cpuOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs `sh -c script` under `/usr/bin/time`; the peak RSS is the largest of its processes.
 * With `uid`, the CPU time of that user's processes (the server side) is measured too, and
 * with `master` (the ControlMaster's PID), the client's CPU includes the master's.
 */
async function timedShell(script: string, uid?: number, master?: number): Promise<Sample> {
  const server = uid === undefined ? undefined : cpuByPid(uid);
  const masterBefore = master === undefined ? 0 : cpuOf(master);
  const start = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%U %S %M", "sh", "-c", script],
    stdout: "null",
    stderr: "piped",
  }).output();
  const s = (performance.now() - start) / 1000;
  const err = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) throw new Error(`${script} failed: ${err}`);
  const [user, system, kib] = err.split("\n").pop()!.split(" ").map(Number);
  const masterCpu = master === undefined ? 0 : cpuOf(master) - masterBefore;
  return {
    s,
    mib: kib / 1024,
    cpu: user + system + masterCpu,
    serverCpu: server && cpuSince(uid!, server),
  };
}

/** The PID of the ControlMaster of `target` (`ssh -O check`). */
async function masterPid(target: OpenSshTarget): Promise<number | undefined> {
  const out = await new Deno.Command("ssh", {
    args: [
      ...commonOptions(target),
      "-p",
      String(target.port),
      "-O",
      "check",
      `${target.username}@127.0.0.1`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  const pid = /pid=(\d+)/.exec(text)?.[1];
  return pid ? Number(pid) : undefined;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

function sshCommand(t: OpenSshTarget): string {
  return ["ssh", ...commonOptions(t), "-p", String(t.port)].map(quote).join(" ");
}

function line(name: string, unit: string, v: Summary): string {
  const f = (x: number) => x.toFixed(2);
  return `${name.padEnd(28)} median ${f(v.median)} ${unit} (min ${f(v.min)}, max ${f(v.max)})`;
}

function report(title: string, rows: Record<string, Sample[]>, ours: string, refs: string[]) {
  console.log(`\n## ${title}`);
  const time = Object.fromEntries(
    Object.entries(rows).map(([k, v]) => [k, summarize(v.map((x) => x.s))]),
  );
  for (const [k, v] of Object.entries(rows)) {
    console.log(line(`${k} time`, "s", time[k]));
    console.log(line(`${k} peak RSS`, "MiB", summarize(v.map((x) => x.mib))));
    const cpu = v.filter((x) => x.cpu !== undefined).map((x) => x.cpu!);
    if (cpu.length) console.log(line(`${k} CPU (user+sys)`, "s", summarize(cpu)));
    if (v.some((x) => x.openssl !== undefined)) {
      const through = v.every((x) => x.openssl) ? "OpenSSL (FFI)" : "node:crypto + WebAssembly";
      console.log(`${k} chacha20-poly1305 through ${through}`);
    }
    const server = v.filter((x) => x.serverCpu !== undefined).map((x) => x.serverCpu!);
    if (server.length) console.log(line(`${k} server CPU`, "s", summarize(server)));
  }
  for (const ref of refs) {
    console.log(
      `${ours} / ${ref} (ratio of medians): ${(time[ours].median / time[ref].median).toFixed(2)}x` +
        ` time, ${(time[ref].median / time[ours].median).toFixed(2)}x throughput`,
    );
  }
}

/** The samples of each tool, per scenario (a scenario left out by `only` is missing). */
interface Measured {
  big?: Record<string, Sample[]>;
  small?: Record<string, Sample[]>;
}

/** How many times the small files are uploaded in the memory check (4000 files). */
const MANY_ROUNDS = 4;

async function measure(fx: Fixture, reps: number, warmup: number, only?: string) {
  const WARMUP = warmup;
  const REPS = reps;
  const measured: Measured = {};
  {
    const ssh = fx.openssh(0, true);
    await sshRun(ssh, "true"); // opens the ControlMaster
    const base = {
      port: fx.ssh.servers[0].port,
      username: fx.ssh.keyUser.name,
      keyFile: fx.ssh.keyUser.keyFile!,
      knownHostsFile: fx.ssh.knownHostsFile,
    };
    const dest = `${ssh.username}@127.0.0.1`;
    const uid = uidOf(ssh.username);
    const master = await masterPid(ssh);
    if (only !== "small") {
      // `ssh … 'cat > file'` (OpenSSH's client with the framework's server side): tells the
      // server's share of the time from the client's.
      const rows: Record<string, Sample[]> = {
        putFile: [],
        "putFile, no FFI": [],
        scp: [],
        "ssh cat": [],
      };
      for (let i = 0; i < WARMUP + REPS; i++) {
        const job: Job = {
          ...base,
          mode: "big",
          source: fx.bigFile,
          names: [],
          remote: await fx.remoteDir(),
        };
        const a = await framework(job);
        const d = await framework({ ...job, remote: await fx.remoteDir(), noFfi: true });
        const scpArgs = ["scp", "-q", ...commonOptions(ssh), "-P", String(ssh.port)];
        const b = await timedShell(
          `${scpArgs.map(quote).join(" ")} ${quote(fx.bigFile)} ${
            quote(`${dest}:${await fx.remoteDir()}/big.bin`)
          }`,
          uid,
          master,
        );
        const c = await timedShell(
          `${sshCommand(ssh)} ${quote(dest)} ${
            quote(`cat > ${quote(`${await fx.remoteDir()}/big.bin`)}`)
          } < ${quote(fx.bigFile)}`,
          uid,
          master,
        );
        console.error(
          `big ${i < WARMUP ? "warm-up" : `rep ${i - WARMUP + 1}`}: putFile ` +
            `${a.s.toFixed(2)} s (CPU ${a.cpu?.toFixed(2)} s, server ${
              a.serverCpu?.toFixed(2)
            } s) ${a.mib.toFixed(0)} MiB, scp ${b.s.toFixed(2)} s (CPU ${
              b.cpu?.toFixed(2)
            } s, server ${b.serverCpu?.toFixed(2)} s) ${b.mib.toFixed(0)} MiB, ssh cat ${
              c.s.toFixed(2)
            } s (CPU ${c.cpu?.toFixed(2)} s, server ${c.serverCpu?.toFixed(2)} s)`,
        );
        if (i >= WARMUP) {
          rows.putFile.push(a), rows.scp.push(b), rows["ssh cat"].push(c);
          rows["putFile, no FFI"].push(d);
        }
      }
      measured.big = rows;
    }
    if (only !== "big") {
      const rows: Record<string, Sample[]> = {
        putFile: [],
        [`putFile ×${MANY_ROUNDS}`]: [],
        "rsync -a": [],
        "tar | ssh": [],
      };
      for (let i = 0; i < WARMUP + REPS; i++) {
        const a = await framework({
          ...base,
          mode: "small",
          source: fx.smallDir,
          names: fx.smallNames,
          remote: await fx.remoteDir(),
        });
        // The same files 4 times over (new names each time): does memory grow with the count?
        const many = await framework({
          ...base,
          mode: "small",
          source: fx.smallDir,
          names: fx.smallNames,
          remote: await fx.remoteDir(),
          rounds: MANY_ROUNDS,
        });
        const b = await timedShell(
          `rsync -a -e ${quote(sshCommand(ssh))} ${quote(`${fx.smallDir}/`)} ${
            quote(`${dest}:${await fx.remoteDir()}/small/`)
          }`,
        );
        const to = `${await fx.remoteDir()}/small`;
        const c = await timedShell(
          `tar -C ${quote(fx.smallDir)} -cf - . | ${sshCommand(ssh)} ${dest} ${
            quote(`mkdir ${quote(to)} && tar -C ${quote(to)} -xf -`)
          }`,
        );
        console.error(
          `small ${i < WARMUP ? "warm-up" : `rep ${i - WARMUP + 1}`}: putFile ` +
            `${a.s.toFixed(2)} s ${a.mib.toFixed(0)} MiB (×${MANY_ROUNDS}: ${many.s.toFixed(2)} s ${
              many.mib.toFixed(0)
            } MiB), rsync ${b.s.toFixed(2)} s, tar ${c.s.toFixed(2)} s`,
        );
        if (i >= WARMUP) {
          rows.putFile.push(a);
          rows[`putFile ×${MANY_ROUNDS}`].push(many);
          rows["rsync -a"].push(b);
          rows["tar | ssh"].push(c);
        }
      }
      measured.small = rows;
    }
  }
  return measured;
}

const median = (v: Sample[], key: "s" | "mib" | "cpu" | "serverCpu") =>
  summarize(v.map((x) => x[key] ?? 0));

/**
 * The rows of `deno task bench` (bench/ssh_bench.ts): the big upload against scp, the small
 * ones against `rsync -a`, each with peak RSS and CPU in the note.
 */
export async function run(context: BenchContext): Promise<RowReport> {
  const fx = await context.fixture();
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const m = await measure(fx, context.reps, context.warmup, ONLY);
  const rows: Row[] = [];
  const mb = (s: Summary) => `${(s.median * 1.048576).toFixed(0)} MB`;
  const sec = (v: Sample[], key: "cpu" | "serverCpu") => median(v, key).median.toFixed(2);
  const big = m.big;
  if (big) {
    const ratio = median(big.scp, "s").median / median(big.putFile, "s").median;
    const rss = median(big.putFile, "mib");
    rows.push({
      scenario: `upload one ${BIG_MIB} MiB file (\`putFile\`, own process)`,
      issue: "upload one 100 MiB file",
      unit: "s",
      framework: median(big.putFile, "s"),
      openssh: median(big.scp, "s"),
      reference: "openssh",
      target: "throughput ≥ 0.8× scp, peak RSS ≤ 100 MB",
      met: ratio >= 0.8 && rss.max * 1.048576 <= 100,
      note: `${ratio.toFixed(2)}× scp; chacha20-poly1305 through ${
        big.putFile.every((x) => x.openssl) ? "OpenSSL (FFI)" : "node:crypto + WebAssembly"
      }; peak RSS ${mb(rss)} (max ${(rss.max * 1.048576).toFixed(0)} MB), scp ${
        mb(median(big.scp, "mib"))
      }; CPU s (median) deployer ${sec(big.putFile, "cpu")} + sshd ${
        sec(big.putFile, "serverCpu")
      }, scp ${sec(big.scp, "cpu")} + sshd ${sec(big.scp, "serverCpu")}, \`ssh … cat\` ${
        sec(big["ssh cat"], "cpu")
      } + sshd ${sec(big["ssh cat"], "serverCpu")} (${
        median(big["ssh cat"], "s").median.toFixed(2)
      } s); load ${load}`,
    });
  }
  const noFfi = big?.["putFile, no FFI"];
  if (big && noFfi?.length) {
    const ratio = median(big.scp, "s").median / median(noFfi, "s").median;
    const rss = median(noFfi, "mib");
    rows.push({
      scenario:
        `upload one ${BIG_MIB} MiB file (\`putFile\`, own process, without \`--allow-ffi\`)`,
      unit: "s",
      framework: median(noFfi, "s"),
      openssh: median(big.scp, "s"),
      reference: "openssh",
      target: "throughput ≥ 0.8× scp, peak RSS ≤ 100 MB",
      met: ratio >= 0.8 && rss.max * 1.048576 <= 100,
      note: `${ratio.toFixed(2)}× scp; chacha20-poly1305 through ${
        noFfi.every((x) => x.openssl)
          ? "OpenSSL (FFI)"
          : "node:crypto + WebAssembly"
      }; peak RSS ${mb(rss)} (max ${(rss.max * 1.048576).toFixed(0)} MB); CPU s (median) ` +
        `deployer ${sec(noFfi, "cpu")} + sshd ${sec(noFfi, "serverCpu")}`,
    });
  }
  const small = m.small;
  if (small) {
    const one = median(small.putFile, "mib");
    const many = median(small[`putFile ×${MANY_ROUNDS}`], "mib");
    rows.push({
      scenario: `upload ${SMALL_COUNT} files of 4 KiB (\`putFile\`, ${SMALL_CONCURRENCY} at once)`,
      issue: "upload 1000 files of 4 KiB",
      unit: "s",
      framework: median(small.putFile, "s"),
      openssh: median(small["rsync -a"], "s"),
      reference: "openssh",
      target: "memory stops growing (peak RSS of 4000 files ≤ 1.1× that of 1000)",
      met: many.median <= 1.1 * one.median,
      note: `peak RSS ${mb(one)}, ${SMALL_COUNT * MANY_ROUNDS} files ${mb(many)}; \`tar | ssh\` ${
        median(small["tar | ssh"], "s").median.toFixed(2)
      } s; CPU s (median) deployer ${sec(small.putFile, "cpu")} + sshd ${
        sec(small.putFile, "serverCpu")
      }`,
    });
  }
  return {
    rows,
    method: [
      "Uploads (bench/upload_bench.ts): each framework transfer runs in its own `deno run` " +
      "process, connected before timing, reporting its VmHWM and CPU time; scp, `rsync -a` " +
      "and `tar | ssh` run under `/usr/bin/time -f %M` over a ControlMaster opened before " +
      "timing (their peak RSS excludes the master). CPU: deployer's process, or scp plus the " +
      "ControlMaster's ssh; sshd: every process of the login user during the transfer (its " +
      "session process, which runs internal-sftp, and `cat`). The 4000-file run uploads the " +
      "1000 files four times under new names. `BENCH_ONLY=big|small` measures one of them. " +
      "The framework child runs with `--allow-all`, so its chacha20-poly1305 uses the " +
      "system's OpenSSL through FFI (src/host/ssh/openssl_chacha.ts); without FFI it uses " +
      "node:crypto and ssh2's WebAssembly Poly1305 (~0.1 s more CPU for 100 MiB).",
    ],
  };
}

async function main(): Promise<void> {
  const fx = await createFixture({
    servers: 1,
    bigMiB: BIG_MIB,
    smallCount: SMALL_COUNT,
    smallBytes: SMALL_BYTES,
  });
  try {
    const m = await measure(fx, REPS, WARMUP, ONLY);
    if (m.big) report(`upload one ${BIG_MIB} MiB file`, m.big, "putFile", ["scp", "ssh cat"]);
    if (m.small) {
      report(
        `upload ${SMALL_COUNT} files of ${SMALL_BYTES} B (putFile, ${SMALL_CONCURRENCY} at once)`,
        m.small,
        "putFile",
        ["rsync -a", "tar | ssh"],
      );
    }
  } finally {
    await fx.cleanup();
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") await child(JSON.parse(Deno.args[1]) as Job);
  else await main();
}

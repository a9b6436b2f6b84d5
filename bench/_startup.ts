/**
 * Row module of the SSH benchmark (private): start-up, from `deno run cli.ts run SCRIPT --
 * ACTION` to the first command on the host, against `LocalHost` and against one sshd.
 *
 * Each run spawns a whole process; the time is from just before the spawn until the clock
 * reading the host's first command (`date +%s%N`, same machine, same clock) printed. The
 * floors: a bare `deno run` script that runs the same command with `Deno.Command` or a bare
 * ssh2 client (bench/_startup_bare.ts), and OpenSSH's `ssh HOST date +%s%N`.
 *
 * @module
 */
import { commonOptions, type OpenSshTarget } from "./_openssh.ts";
import { cell, type Row } from "./_report.ts";
import type { BenchContext, RowReport } from "./_row.ts";
import { compare, type Runner, summarize, type Summary } from "./_stats.ts";
import { startSshServers } from "../src/testing/sshd.ts";

const TARGET_MS = 250;
const ROOT = new URL("..", import.meta.url).pathname;

const TIME = "/usr/bin/time";

/**
 * Spawns `program args`, returns ms from the spawn to the stamp it prints (ns clock). With
 * `cpu`, the process runs under GNU time and its user + system CPU ms are pushed there.
 */
function stampRunner(
  program: string,
  args: string[],
  env: Record<string, string>,
  cpu?: number[],
): Runner {
  return async () => {
    const times = cpu ? await Deno.makeTempFile({ prefix: "deployer-bench-time-" }) : "";
    const command = cpu ? TIME : program;
    const start = Date.now();
    const out = await new Deno.Command(command, {
      args: cpu ? ["-f", "%U %S", "-o", times, program, ...args] : args,
      env,
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const stamp = /\b(\d{19})\b/.exec(text)?.[1];
    if (!out.success || !stamp) {
      throw new Error(
        `${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).trim() || text}`,
      );
    }
    if (cpu) {
      const [user, system] = (await Deno.readTextFile(times)).trim().split(/\s+/).map(Number);
      await Deno.remove(times);
      cpu.push((user + system) * 1000);
    }
    return Number(BigInt(stamp) / 1_000_000n) - start;
  };
}

/** Spawns `program args`, returns its whole wall time in ms. */
function wallRunner(program: string, args: string[], env: Record<string, string>): Runner {
  return async () => {
    const start = performance.now();
    const out = await new Deno.Command(program, {
      args,
      env,
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim());
    return performance.now() - start;
  };
}

const CLI = ["run", "--allow-all", "cli.ts", "run", "--non-interactive"];
const SCRIPT = "bench/_startup_script.ts";
const BARE = ["run", "--allow-all", "bench/_startup_bare.ts"];

/**
 * The start-up rows.
 *
 * @example Usage
 * ```ts ignore
 * import { run } from "./_startup.ts";
 * const { rows } = await run({ reps: 5, warmup: 1, fixture: () => Promise.reject() });
 * ```
 */
export async function run(context: BenchContext): Promise<RowReport> {
  const deno = Deno.execPath();
  const options = { reps: context.reps, warmup: context.warmup, unit: "ms" };
  const local = {};
  const hasTime = await Deno.stat(TIME).then(() => true, () => false);
  const cpu = { local: [] as number[], remote: [] as number[] };
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const localFirst = await compare("start-up, LocalHost", {
    framework: stampRunner(
      deno,
      [...CLI, SCRIPT, "--", "stamp"],
      local,
      hasTime ? cpu.local : undefined,
    ),
    bare: stampRunner(deno, BARE, local),
  }, options);
  const localWall = await compare("start-up, LocalHost, whole process", {
    framework: wallRunner(deno, [...CLI, SCRIPT, "--", "stamp"], local),
    bare: wallRunner(deno, BARE, local),
  }, options);
  await using ssh = await startSshServers(1, { passwordAuth: false });
  const server = ssh.servers[0];
  const remote = {
    BENCH_SSH_PORT: String(server.port),
    BENCH_SSH_USER: ssh.keyUser.name,
    BENCH_SSH_KEY: ssh.keyUser.keyFile!,
    BENCH_SSH_KNOWN_HOSTS: ssh.knownHostsFile,
  };
  const target: OpenSshTarget = {
    port: server.port,
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile!,
    knownHostsFile: ssh.knownHostsFile,
  };
  const openssh = [
    ...commonOptions(target),
    "-p",
    String(target.port),
    `${target.username}@127.0.0.1`,
    "date +%s%N",
  ];
  const sshFirst = await compare("start-up, one sshd", {
    framework: stampRunner(
      deno,
      [...CLI, SCRIPT, "--", "stamp"],
      remote,
      hasTime ? cpu.remote : undefined,
    ),
    bare: stampRunner(deno, BARE, remote),
    openssh: stampRunner("ssh", openssh, {}),
  }, options);
  const sshWall = await compare("start-up, one sshd, whole process", {
    framework: wallRunner(deno, [...CLI, SCRIPT, "--", "stamp"], remote),
    bare: wallRunner(deno, BARE, remote),
    openssh: wallRunner("ssh", openssh, {}),
  }, options);
  const row = (
    scenario: string,
    r: Record<string, Summary>,
    target: string,
    met?: boolean,
    cpuMs?: number[],
  ): Row => ({
    scenario,
    issue: met === undefined ? undefined : "start-up to the first remote command",
    unit: "ms",
    framework: r.framework,
    bare: r.bare,
    openssh: r.openssh,
    target,
    met,
    note: cpuMs?.length && hasTime
      ? `framework process CPU (user + system) min / median / max ${
        cell(summarize(cpuMs.slice(-context.reps)), "ms")
      }; load average at the start ${load}`
      : undefined,
  });
  const goal = `≤ ${TARGET_MS} ms (warm)`;
  return {
    rows: [
      row(
        "start-up: `cli.ts run SCRIPT -- ACTION` to the first command, LocalHost",
        localFirst,
        goal,
        localFirst.framework.median <= TARGET_MS,
        cpu.local,
      ),
      row(
        "start-up: `cli.ts run SCRIPT -- ACTION` to the first remote command, one sshd",
        sshFirst,
        goal,
        sshFirst.framework.median <= TARGET_MS,
        cpu.remote,
      ),
      row("start-up: the same, whole process, LocalHost", localWall, "—"),
      row("start-up: the same, whole process, one sshd", sshWall, "—"),
    ],
    method: [
      "Start-up: `deno run --allow-all cli.ts run --non-interactive bench/_startup_script.ts " +
      "-- stamp`, whose one host runs `date +%s%N`; the time runs from just before the " +
      "process is spawned until the clock value that command printed (same machine, same " +
      "clock), then the whole process's wall time in a second series. Warm: Deno's module " +
      "and code caches are filled by the warm-up run. Bare: `deno run " +
      "bench/_startup_bare.ts` (the same command through `Deno.Command`, or through one bare " +
      "ssh2 client). OpenSSH: `ssh … HOST date +%s%N` (no ControlMaster, default key exchange). " +
      "The framework's runs of the first series run under GNU time (`/usr/bin/time -f '%U %S'`): " +
      "its CPU time (user + system, the whole process) is in the note; on a shared machine " +
      "the wall time stretches with the load average while the CPU time does not.",
    ],
  };
}

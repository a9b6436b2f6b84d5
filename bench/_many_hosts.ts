/**
 * Row module of the SSH benchmark (private): `echo hi` fanned out to 500 hosts from one
 * process, framework (default `parallel` and `parallel` = hosts) against bare ssh2, each
 * run in its own `deno run` child that reports its time and peak RSS.
 *
 * The hosts: `SERVERS` sshd servers, each listening on `ADDRESSES` loopback addresses
 * (127.0.0.1 and 127.1.0.1 ... 127.1.0.15; sshd takes at most 16 listen addresses) on its
 * own port. Every host is one distinct address:port pair, so every host is its own SSH
 * connection with its own host-key lookup, while the machine runs 32 sshd listeners
 * instead of 500.
 *
 * @module
 */
import type { FanOutTarget } from "./_bare.ts";
import type { FanOutJob, FanOutMemory } from "./_fanout_rss.ts";
import type { Row } from "./_report.ts";
import type { BenchContext, RowReport } from "./_row.ts";
import { compare, progress, summarize, type Summary } from "./_stats.ts";
import { startSshServers, type TestServers } from "../src/testing/sshd.ts";

const HOSTS = Number(Deno.env.get("BENCH_MANY_HOSTS") ?? 500);
const ADDRESSES = 16;
const SERVERS = Math.ceil(HOSTS / ADDRESSES);
const NOFILE = 4 * HOSTS + 256;
const RSS_LIMIT_MB = 300;
/** The loopback address number `k` of a server (0: 127.0.0.1). */
function address(k: number): string {
  return k === 0 ? "127.0.0.1" : `127.1.0.${k}`;
}

function extraAddresses(): string[] {
  return Array.from({ length: ADDRESSES - 1 }, (_, k) => `ListenAddress ${address(k + 1)}`);
}

/** Host `i`: server `i % SERVERS`, address `floor(i / SERVERS)`. */
function targets(ssh: TestServers): { address: string; port: number }[] {
  return Array.from({ length: HOSTS }, (_, i) => ({
    address: address(Math.floor(i / SERVERS)),
    port: ssh.servers[i % SERVERS].port,
  }));
}

async function knownHosts(ssh: TestServers, list: { address: string; port: number }[]) {
  const keyOf = new Map(ssh.servers.map((s) => [s.port, s.hostPublicKey]));
  const path = `${ssh.dir}/known_hosts_many`;
  await Deno.writeTextFile(
    path,
    list.map((t) => `[${t.address}]:${t.port} ${keyOf.get(t.port)}\n`).join(""),
  );
  return path;
}

/**
 * Runs one fan-out child. The child raises its soft RLIMIT_NOFILE to `NOFILE` first (a
 * connection needs a socket, and the framework a few more descriptors per host).
 */
async function child(job: FanOutJob): Promise<FanOutMemory> {
  const script = new URL("./_fanout_rss.ts", import.meta.url).pathname;
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      `[ "$(ulimit -n)" -ge ${NOFILE} ] || ulimit -n ${NOFILE}; exec "$0" "$@"`,
      Deno.execPath(),
      "run",
      "--allow-all",
      script,
      JSON.stringify(job),
    ],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!out.success) throw new Error(`fan-out child failed: ${text.decode(out.stderr).trim()}`);
  return JSON.parse(text.decode(out.stdout)) as FanOutMemory;
}

function mib(values: number[]): Summary {
  return summarize(values.map((kib) => kib / 1024));
}

/**
 * `echo hi` on 500 hosts: time against bare ssh2 and peak RSS, with the default
 * `parallel` (32) and with `parallel` = 500.
 *
 * @example Usage
 * ```ts ignore
 * import { run } from "./_many_hosts.ts";
 * const { rows } = await run({ reps: 3, warmup: 1, fixture: () => Promise.reject() });
 * ```
 */
export async function run(context: BenchContext): Promise<RowReport> {
  progress(`many hosts: starting ${SERVERS} sshd servers, ${ADDRESSES} addresses each`);
  await using ssh = await startSshServers(SERVERS, {
    passwordAuth: false,
    config: ["MaxStartups 2000:30:4000", "MaxSessions 16", ...extraAddresses()],
  });
  const list: FanOutTarget[] = targets(ssh);
  const base = {
    ports: list,
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile!,
    knownHostsFile: await knownHosts(ssh, list as { address: string; port: number }[]),
  };
  const memory = { framework: [] as number[], wide: [] as number[], bare: [] as number[] };
  const before: number[] = [];
  const measure = (mode: "framework" | "bare", parallel: number | undefined, into: number[]) => {
    return async () => {
      const r = await child({ ...base, mode, parallel });
      into.push(r.peakKiB);
      if (mode === "framework" && parallel === undefined) before.push(r.rssBeforeKiB);
      return r.ms / 1000;
    };
  };
  const r = await compare(`fan-out ${HOSTS}`, {
    framework: measure("framework", undefined, memory.framework),
    wide: measure("framework", HOSTS, memory.wide),
    bare: measure("bare", undefined, memory.bare),
  }, { reps: context.reps, warmup: context.warmup, unit: "s", timeoutMs: 180_000 });
  // The warm-up's memory is dropped like its time.
  for (const values of Object.values(memory)) values.splice(0, context.warmup);
  before.splice(0, context.warmup);
  const rss = { framework: mib(memory.framework), wide: mib(memory.wide), bare: mib(memory.bare) };
  const perHost = (peak: Summary) =>
    ((peak.median - summarize(before).median / 1024) * 1024 / HOSTS).toFixed(0);
  const timeRow = (name: string, s: Summary, peak: Summary): Row => ({
    scenario: `\`echo hi\` fanned out to ${HOSTS} hosts, ${name}`,
    issue: "500 hosts",
    unit: "s",
    framework: s,
    bare: r.bare,
    target: `≤ 1.15× bare, no error, peak RSS ≤ ${RSS_LIMIT_MB} MB`,
    note: `peak RSS median ${peak.median.toFixed(0)} MiB (max ${peak.max.toFixed(0)}), ` +
      `≈ ${perHost(peak)} KiB per host above the ${
        (summarize(before).median / 1024).toFixed(0)
      } MiB after imports; bare ssh2 ${rss.bare.median.toFixed(0)} MiB`,
    met: s.median <= 1.15 * r.bare.median && peak.max * 1.048576 <= RSS_LIMIT_MB,
  });
  return {
    rows: [
      timeRow("default `parallel` (32)", r.framework, rss.framework),
      timeRow(`\`parallel: ${HOSTS}\`, default \`connectTimeout\``, r.wide, rss.wide),
    ],
    method: [
      `${HOSTS} hosts: ${SERVERS} throwaway sshd servers, each listening on ${ADDRESSES} ` +
      `loopback addresses (127.0.0.1, 127.1.0.1 … 127.1.0.${ADDRESSES - 1}) on its own port ` +
      "(`MaxStartups 2000:30:4000`); host i is address ⌊i / " +
      `${SERVERS}⌋ on server i mod ${SERVERS}, so each of the ${HOSTS} hosts is a distinct ` +
      "address:port with its own known_hosts line, its own TCP connection, key exchange, " +
      "authentication and `exec`.",
      `${HOSTS} hosts: every run is its own \`deno run\` child (bench/_fanout_rss.ts) that ` +
      `raises its soft RLIMIT_NOFILE to ${NOFILE} when lower (\`ulimit -n\`), times ` +
      "the fan-out from before the first connection until every connection has closed, and " +
      "reads its peak RSS (VmHWM) at the end; framework with the `Env`'s default `parallel` " +
      `(32 commands at once), framework with \`new Env({ parallel: ${HOSTS} })\`, and bare ` +
      "ssh2 (all clients at once) alternate within every repetition. Memory per host = " +
      "(peak RSS − RSS after the imports) / hosts.",
      `${HOSTS} hosts, \`parallel: ${HOSTS}\`: both framework variants use the default ` +
      "`connectTimeout` (10 s). It bounds reaching a server (TCP connect until its SSH " +
      "banner), like OpenSSH's; the key exchange and authentication after it, which queue " +
      "behind every other handshake on the 2 cores, have their own bound (`handshakeTimeout`, " +
      "60 s).",
    ],
  };
}

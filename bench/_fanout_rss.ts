/**
 * Child process of the SSH benchmark (private): runs one `echo hi` fan-out (framework or
 * bare ssh2) and prints its peak memory as JSON (`VmHWM` of /proc/self/status, KiB).
 *
 * Usage: `deno run --allow-all bench/_fanout_rss.ts '<json FanOutJob>'`
 *
 * @module
 */
import { Env, sh, SshHost } from "../mod.ts";
import { bareFanOut, type FanOutTarget } from "./_bare.ts";

/** What the child is asked to do. */
export interface FanOutJob {
  /** `framework` (Env + HostSet.run) or `bare` (ssh2 clients). */
  mode: "framework" | "bare";
  /** The servers: ports on 127.0.0.1, or loopback addresses and ports (one host each). */
  ports: FanOutTarget[];
  /** The Env's `parallel` (default: the Env's default, 32). */
  parallel?: number;
  /** The hosts' `connectTimeout` in ms (default: the framework's, 10 s). */
  connectTimeout?: number;
  /** The login user. */
  username: string;
  /** The private key file. */
  keyFile: string;
  /** The known_hosts file. */
  knownHostsFile: string;
}

/** What the child prints. */
export interface FanOutMemory {
  /** Resident set size after the imports, before the fan-out (KiB). */
  rssBeforeKiB: number;
  /** Peak resident set size of the process (KiB). */
  peakKiB: number;
  /** How long the fan-out took (ms). */
  ms: number;
}

function statusKiB(field: string): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status);
  return match ? Number(match[1]) : NaN;
}

async function main(job: FanOutJob): Promise<FanOutMemory> {
  const rssBeforeKiB = statusKiB("VmRSS");
  const start = performance.now();
  if (job.mode === "framework") {
    const hosts = job.ports.map((target, i) =>
      new SshHost({
        slug: `sshd${i + 1}`,
        address: typeof target === "number" ? "127.0.0.1" : target.address,
        port: typeof target === "number" ? target : target.port,
        username: job.username,
        keyFile: job.keyFile,
        knownHostsFiles: [job.knownHostsFile],
        configFile: false,
        agent: false,
        hostKeyPolicy: "strict",
        connectTimeout: job.connectTimeout,
      })
    );
    await using env = new Env({ interactive: false, parallel: job.parallel });
    const result = await env.hostSet({ web: hosts }).run(sh`echo hi`);
    if (result.values().some((r) => r.stdout !== "hi\n")) throw new Error("bad output");
  } else {
    const key = await Deno.readFile(job.keyFile);
    const { outputs, closed } = await bareFanOut(job.ports, job.username, key, "echo hi");
    if (outputs.some((o) => o !== "hi\n")) throw new Error("bad output");
    await closed;
  }
  const ms = performance.now() - start;
  return { rssBeforeKiB, peakKiB: statusKiB("VmHWM"), ms };
}

if (import.meta.main) {
  const job = JSON.parse(Deno.args[0]) as FanOutJob;
  console.log(JSON.stringify(await main(job)));
}

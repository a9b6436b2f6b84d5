/**
 * How long a dead link takes to fail a running command: an SSH host whose sshd (the
 * listener and its session processes) is stopped with SIGSTOP, as a silent network
 * would. Runs `samples` servers at once, each stopped at a random point of the
 * keepalive cycle, and prints the time from SIGSTOP to the command's ConnectionError.
 *
 *   deno run --allow-all bench/link_down.ts [samples=4] [keepaliveInterval ms=15000]
 */
import { Env, sh } from "../mod.ts";
import { startSshServers } from "../src/testing/mod.ts";
import { descendants } from "../src/host/_process_tree.ts";
import { keyHost } from "../tests/ssh/_setup.ts";

const samples = Number(Deno.args[0] ?? 4);
const interval = Number(Deno.args[1] ?? 15_000);

function signalAll(pids: number[], signal: Deno.Signal): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

async function sample(): Promise<number> {
  await using ssh = await startSshServers(1);
  await using env = new Env({ interactive: false });
  const host = env.host(keyHost(ssh, 0, { keepaliveInterval: interval }));
  await host.run(sh`true`);
  const running = host.run(sh`sleep 100000`).then(() => "finished", (e) => e);
  await new Promise((r) => setTimeout(r, Math.random() * interval));
  const pids = [ssh.servers[0].pid, ...await descendants(ssh.servers[0].pid)];
  signalAll(pids, "SIGSTOP");
  const start = performance.now();
  const outcome = await running;
  const elapsed = performance.now() - start;
  signalAll(pids, "SIGCONT");
  console.log(`${(elapsed / 1000).toFixed(1)} s: ${outcome}`);
  return elapsed;
}

const times = await Promise.all(Array.from({ length: samples }, sample));
const s = times.map((t) => t / 1000).sort((a, b) => a - b);
console.log(
  `keepaliveInterval ${interval} ms, ${samples} samples: min ${s[0].toFixed(1)} s, ` +
    `max ${s.at(-1)!.toFixed(1)} s`,
);

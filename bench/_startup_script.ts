/**
 * The deploy script the start-up row of the SSH benchmark runs through the CLI (private):
 * `deno run --allow-all cli.ts run --non-interactive bench/_startup_script.ts -- stamp`.
 * Its one host is `LocalHost`, or the `SshHost` that `BENCH_SSH_PORT`, `BENCH_SSH_USER`,
 * `BENCH_SSH_KEY` and `BENCH_SSH_KNOWN_HOSTS` describe. The action prints the host's clock
 * (`date +%s%N`) when its first command runs.
 *
 * @module
 */
import { LocalHost, Node, sh, SshHost } from "../mod.ts";

function host(): LocalHost | SshHost {
  const port = Deno.env.get("BENCH_SSH_PORT");
  if (!port) return new LocalHost();
  return new SshHost({
    slug: "sshd",
    address: "127.0.0.1",
    port: Number(port),
    username: Deno.env.get("BENCH_SSH_USER"),
    keyFile: Deno.env.get("BENCH_SSH_KEY"),
    knownHostsFiles: [Deno.env.get("BENCH_SSH_KNOWN_HOSTS")!],
    configFile: false,
    agent: false,
    hostKeyPolicy: "strict",
  });
}

/** One host, one action. */
export default class StartUp extends Node {
  static override hosts = { host: [host()] };

  /** Runs `date +%s%N` on the host and returns what it printed. */
  async stamp(): Promise<string> {
    const [result] = await this.hosts.run(sh`date +%s%N`);
    return result.stdout.trim();
  }
}

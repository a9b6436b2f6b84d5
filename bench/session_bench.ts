/**
 * Session benchmark: `echo hi` on 50 SSH hosts through a warm session (`deployer
 * connect -- hi` on a `deployer listen` that already holds the 50 connections) against
 * a cold `deployer run` (a new process that opens 50 connections). The 50 hosts are
 * `SshHost` slugs spread over a few loopback sshd servers.
 *
 * ```sh
 * deno run --allow-all bench/session_bench.ts   # as root: the servers switch to test users
 * ```
 *
 * Environment: `BENCH_REPS` (default 7) repetitions after one warm-up, `BENCH_HOSTS`
 * (default 50), `BENCH_SERVERS` (default 5). Prints a markdown table: min / median / max
 * per way and the ratio of the medians.
 *
 * @module
 */
import { querySession, SessionClient } from "../src/cli/session/mod.ts";
import { startSshServers } from "../src/testing/sshd.ts";
import { progress, summarize, type Summary, timed } from "./_stats.ts";

const REPS = Number(Deno.env.get("BENCH_REPS") ?? 7);
const HOSTS = Number(Deno.env.get("BENCH_HOSTS") ?? 50);
const SERVERS = Number(Deno.env.get("BENCH_SERVERS") ?? 5);
const REPO = new URL("../", import.meta.url).pathname;
const SCRIPT = `${REPO}tests/session/fixtures/ssh_tree.ts`;

function cli(args: string[], env: Record<string, string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", "--allow-all", `${REPO}cli.ts`, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function ok(command: Deno.Command, what: string): Promise<void> {
  const out = await command.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success || !text.includes(`${HOSTS}\n`)) {
    throw new Error(
      `${what} failed (${out.code}):\n${text}${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

function ms(s: Summary): string {
  return `${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  progress(`starting ${SERVERS} sshd servers for ${HOSTS} hosts`);
  await using ssh = await startSshServers(SERVERS, {
    config: ["MaxStartups 200", "MaxSessions 100"],
  });
  const setup = {
    hosts: Array.from({ length: HOSTS }, (_, i) => {
      const server = ssh.servers[i % SERVERS];
      return { slug: `h${i + 1}`, address: server.address, port: server.port };
    }),
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFile: ssh.knownHostsFile,
  };
  const place = await Deno.makeTempDir({ prefix: "deployer-session-bench-" });
  await Deno.mkdir(`${place}/run`, { mode: 0o700 });
  const env = {
    ...Deno.env.toObject(),
    XDG_RUNTIME_DIR: `${place}/run`,
    DPL_TEST_SSH: JSON.stringify(setup),
    NO_COLOR: "1",
  };
  const socket = `${place}/run/bench.sock`;
  const server = cli(["listen", SCRIPT, "--socket", socket], env).spawn();
  try {
    while (!(await querySession(socket).then(() => true, () => false))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const ways: Record<string, () => Promise<number>> = {
      "cold `deployer run -- hi`": () =>
        timed(() => ok(cli(["run", SCRIPT, "--non-interactive", "--", "hi"], env), "run")),
      "warm session, `deployer connect -- hi`": () =>
        timed(() => ok(cli(["connect", "--socket", socket, "--", "hi"], env), "connect")),
      "warm session, in-process client": () =>
        timed(async () => {
          const client = await SessionClient.open(socket, { action: ["hi"] });
          await client.ended();
          if (client.code !== 0 || !client.text.includes(`${HOSTS}\n`)) {
            throw new Error(`session client failed:\n${client.text}`);
          }
        }),
      "deno start-up only (`deployer --version`)": () =>
        timed(() => cli(["--version"], env).output()),
    };
    const values: Record<string, number[]> = {};
    for (let rep = 0; rep <= REPS; rep++) {
      for (const [name, run] of Object.entries(ways)) {
        const value = await run();
        if (rep > 0) (values[name] ??= []).push(value);
      }
      progress(
        rep === 0 ? "warm-up done (the session now holds the connections)" : `rep ${rep}/${REPS}`,
      );
    }
    const summaries = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, summarize(v)]));
    const cold = summaries["cold `deployer run -- hi`"];
    const lines = [
      `\`echo hi\` on ${HOSTS} SSH hosts (${SERVERS} loopback sshd), ${REPS} reps after 1 warm-up:`,
      "",
      "| way | min / median / max | cold median / this median |",
      "|---|---|---|",
      ...Object.entries(summaries).map(([name, s]) =>
        `| ${name} | ${ms(s)} | ${(cold.median / s.median).toFixed(2)}× |`
      ),
      "",
    ];
    console.log(lines.join("\n"));
  } finally {
    try {
      server.kill("SIGTERM");
    } catch {
      // ended
    }
    await server.status;
    await server.stdout.cancel();
    await server.stderr.cancel();
    await Deno.remove(place, { recursive: true });
  }
}

if (import.meta.main) await main();

// Usage: deno run --allow-all bench/command_bench.ts  (as root; BENCH_REPS, BENCH_WARMUP, BENCH_COMMANDS)
/**
 * Per-command cost of `HostHandle.run()` against bare ssh2 `exec` on an open connection
 * (issue 12 item 1), in one run on one throwaway loopback sshd: sequential `true`, ms per
 * command, min / median / max of the repetitions (interleaved), and the ratio of medians.
 * Extra rows split the framework's cost by layer: bare `sh -c true` (the floor while
 * commands run under the host's `sh`), the framework's `Connection.exec` of `true`, and of
 * the launch text `run()` sends (bootstrap + script over stdin). The same per-command row
 * is measured for a second user whose login shell is `/bin/sh` (own sshd, same run),
 * against bare `exec("true")` for that user: there `run()` sends the bootstrap without
 * the `sh -c` wrapper once the connection knows its login shell.
 *
 * A row module of `deno task bench` (`run(context)`, bench/_row.ts), and runnable on its
 * own with its own sshd.
 *
 * @module
 */
import { Env, sh, SshHost } from "../mod.ts";
import { composeLaunch } from "../src/command/compose.ts";
import { toCommand } from "../src/command/sh.ts";
import { startSshServers } from "../src/testing/sshd.ts";
import { bareClose, bareConnect, bareExec, type BareTarget, CHACHA } from "./_bare.ts";
import type { Row } from "./_report.ts";
import type { BenchContext, RowReport } from "./_row.ts";
import { createFixture, type Fixture } from "./_setup.ts";
import { progress, summarize, type Summary, withTimeout } from "./_stats.ts";

const TARGET = 1.15;
const ISSUE = "200 sequential `true` on one connection";

/** The variants measured, in table order: key and what it runs. */
const VARIANTS = [
  ["bare", 'bare ssh2 `exec("true")` (default cipher)'],
  ["bareChacha", 'bare ssh2 `exec("true")`, chacha20-poly1305'],
  ["bareSh", 'bare ssh2 `exec("sh -c true")` (the POSIX `sh` layer alone)'],
  ["connTrue", 'framework `Connection.exec("true")`'],
  ["connLaunch", "framework `Connection.exec(<launch>)` + script on stdin"],
  ["run", "framework ``HostHandle.run(sh`true`)``"],
  ["shBare", 'login shell /bin/sh: bare ssh2 `exec("true")`'],
  ["shConnLaunch", "login shell /bin/sh: framework `Connection.exec(<launch without wrapper>)`"],
  ["shRun", "login shell /bin/sh: framework ``HostHandle.run(sh`true`)``"],
] as const;

type Variant = typeof VARIANTS[number][0];

/** A server whose test users log in with `/bin/sh` (the fixture's users have bash). */
interface ShLogin {
  host: SshHost;
  bare: BareTarget;
  stop(): Promise<void>;
}

async function startShLogin(): Promise<ShLogin> {
  const ssh = await startSshServers(1, { passwordAuth: false, shell: "/bin/sh" });
  try {
    const [server] = ssh.servers;
    return {
      host: new SshHost({
        slug: "sh-login",
        address: server.address,
        port: server.port,
        username: ssh.keyUser.name,
        keyFile: ssh.keyUser.keyFile,
        knownHostsFiles: [ssh.knownHostsFile],
        configFile: false,
        agent: false,
        hostKeyPolicy: "strict",
      }),
      bare: {
        port: server.port,
        username: ssh.keyUser.name,
        privateKey: await Deno.readFile(ssh.keyUser.keyFile!),
      },
      stop: () => ssh.stop(),
    };
  } catch (error) {
    await ssh.stop();
    throw error;
  }
}

/** How many commands of one variant run before the next variant's turn. */
const BLOCK = 20;

/**
 * ms per command of every variant: every repetition runs `commands` sequential commands of
 * each variant, in blocks of {@linkcode BLOCK} taken in turn (a, b, c, a, b, c, ...), so that
 * a burst of load from elsewhere on the machine falls on every variant alike.
 */
async function interleaved<K extends string>(
  runners: Record<K, () => Promise<unknown>>,
  options: { reps: number; warmup: number; commands: number },
): Promise<Record<K, Summary>> {
  const names = Object.keys(runners) as K[];
  const values = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let rep = 0; rep < options.warmup + options.reps; rep++) {
    const spent = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
    for (let done = 0; done < options.commands; done += BLOCK) {
      const count = Math.min(BLOCK, options.commands - done);
      for (const name of names) {
        const start = performance.now();
        const block = async () => {
          for (let i = 0; i < count; i++) await runners[name]();
        };
        await withTimeout(block(), 60_000, `command: ${name} (repetition ${rep + 1})`);
        spent[name] += performance.now() - start;
      }
    }
    const perCommand = names.map((n) => [n, spent[n] / options.commands] as const);
    if (rep >= options.warmup) { for (const [n, ms] of perCommand) values[n].push(ms); }
    const tag = rep < options.warmup
      ? "warm-up"
      : `rep ${rep - options.warmup + 1}/${options.reps}`;
    progress(
      `command ${tag}: ${perCommand.map(([n, ms]) => `${n} ${ms.toFixed(2)}ms`).join(", ")}`,
    );
  }
  return Object.fromEntries(names.map((n) => [n, summarize(values[n])])) as Record<K, Summary>;
}

/** ms per command of every variant, `commands` sequential commands per repetition. */
async function measure(
  fx: Fixture,
  shLogin: ShLogin,
  options: { reps: number; warmup: number; commands: number },
): Promise<Record<Variant, Summary>> {
  const aes = await bareConnect(fx.bare(0));
  const chacha = await bareConnect({ ...fx.bare(0), cipher: CHACHA });
  const shAes = await bareConnect(shLogin.bare);
  try {
    await using env = new Env({ interactive: false });
    const h = env.host(fx.host(0));
    await h.run(sh`true`);
    const connection = await h.services.connection(fx.host(0));
    const launch = composeLaunch(toCommand("true"), { report: "[bench-report]" });
    const shH = env.host(shLogin.host);
    await shH.run(sh`true`); // the connection finds out that its login shell is /bin/sh
    const shConnection = await shH.services.connection(shLogin.host);
    if (shConnection.loginShellIsSh !== true) {
      throw new Error("the /bin/sh login user's connection did not find out its login shell");
    }
    const shLaunch = composeLaunch(toCommand("true"), { report: "[bench-report]", sh: true });
    const perCommand = (once: () => Promise<unknown>) => once;
    const exec = (text: string, input: string, on = connection) => async () => {
      const proc = await on.exec(text, { onStderr: () => {} });
      if (input) await proc.write(input);
      await proc.closeStdin();
      await proc.status;
    };
    return await interleaved({
      bare: perCommand(() => bareExec(aes, "true")),
      bareChacha: perCommand(() => bareExec(chacha, "true")),
      bareSh: perCommand(() => bareExec(aes, "sh -c true")),
      connTrue: perCommand(exec("true", "")),
      connLaunch: perCommand(exec(launch.text, launch.input)),
      run: perCommand(() => h.run(sh`true`)),
      shBare: perCommand(() => bareExec(shAes, "true")),
      shConnLaunch: perCommand(exec(shLaunch.text, shLaunch.input, shConnection)),
      shRun: perCommand(() => shH.run(sh`true`)),
    }, options);
  } finally {
    await Promise.all([bareClose(aes), bareClose(chacha), bareClose(shAes)]);
  }
}

/** The table rows: the item-1 row first, then the layers, each against bare `exec`. */
function rowsOf(r: Record<Variant, Summary>, commands: number): Row[] {
  const main: Row = {
    scenario: 'per command: ``HostHandle.run(sh`true`)`` vs bare ssh2 `exec("true")`, ' +
      `${commands} sequential on one open connection`,
    issue: ISSUE,
    unit: "ms",
    framework: r.run,
    bare: r.bare,
    target: `≤ ${TARGET}× bare`,
    met: r.run.median <= TARGET * r.bare.median,
    note: `run / bare chacha20-poly1305 ${(r.run.median / r.bareChacha.median).toFixed(2)}×`,
  };
  const shMain: Row = {
    scenario: "per command, login shell /bin/sh: ``HostHandle.run(sh`true`)`` vs bare ssh2 " +
      `\`exec("true")\` for the same user, ${commands} sequential on one open connection`,
    unit: "ms",
    framework: r.shRun,
    bare: r.shBare,
    target: `≤ ${TARGET}× bare`,
    met: r.shRun.median <= TARGET * r.shBare.median,
  };
  const layerOf = ([key, name]: typeof VARIANTS[number], bare: Summary): Row => ({
    scenario: `per command, layer: ${name}`,
    unit: "ms",
    framework: r[key],
    bare,
    target: "—",
  });
  const bashLayers = VARIANTS.filter(([key]) =>
    !["bare", "run"].includes(key) && !key.startsWith("sh")
  ).map((v) => layerOf(v, r.bare));
  const shLayers = VARIANTS.filter(([key]) => key === "shConnLaunch").map((v) =>
    layerOf(v, r.shBare)
  );
  return [main, ...bashLayers, shMain, ...shLayers];
}

/**
 * The per-command rows (issue 12 item 1) on server 0 of the shared fixture.
 *
 * @example Usage
 * ```ts ignore
 * import { run } from "./command_bench.ts";
 * const { rows } = await run(context);
 * ```
 */
export async function run(context: BenchContext): Promise<RowReport> {
  const commands = 200;
  const fx = await context.fixture();
  const shLogin = await startShLogin();
  let r: Record<Variant, Summary>;
  try {
    r = await measure(fx, shLogin, { reps: context.reps, warmup: context.warmup, commands });
  } finally {
    await shLogin.stop();
  }
  return {
    rows: rowsOf(r, commands),
    method: [
      `Per command (item 1): one connection each, opened and used once before timing; ` +
      `${commands} sequential \`true\` per repetition, the cell is ms per command; bare ssh2 ` +
      '`exec` (aes128-gcm and chacha20-poly1305), bare `exec("sh -c true")`, the framework\'s ' +
      "`Connection.exec` of `true` and of the launch text `run()` composes (with the script " +
      "on stdin), and ``HostHandle.run(sh`true`)``, interleaved in every repetition in " +
      `blocks of ${BLOCK} commands taken in turn (load from elsewhere falls on all alike). The ` +
      'layer rows have no target; their ratio is against bare `exec("true")`. The fixture\'s ' +
      "users log in with bash, so `run()` keeps the `sh -c` wrapper there; the login shell " +
      "/bin/sh rows use a second sshd whose user logs in with /bin/sh (same run, " +
      'interleaved), against bare `exec("true")` for that user; there `run()` and the ' +
      "layer row send the bootstrap without the wrapper.",
    ],
  };
}

if (import.meta.main) {
  const reps = Number(Deno.env.get("BENCH_REPS") ?? 7);
  const warmup = Number(Deno.env.get("BENCH_WARMUP") ?? 1);
  const commands = Number(Deno.env.get("BENCH_COMMANDS") ?? 200);
  const fx = await createFixture({ servers: 1, bigMiB: 0, smallCount: 0, smallBytes: 0 });
  const shLogin = await startShLogin().catch(async (error) => {
    await fx.cleanup();
    throw error;
  });
  try {
    const r = await measure(fx, shLogin, { reps, warmup, commands });
    const f = (x: number) => x.toFixed(3);
    console.log(
      `${commands} sequential \`true\` per repetition, ${reps} repetitions, ms per command`,
    );
    console.log("\n| variant | min | median | max | median / bare |\n|---|---|---|---|---|");
    for (const [key, name] of VARIANTS) {
      const s = r[key];
      const bare = key.startsWith("sh") ? r.shBare : r.bare;
      console.log(
        `| ${name} | ${f(s.min)} | ${f(s.median)} | ${f(s.max)} | ${
          (s.median / bare.median).toFixed(2)
        }× |`,
      );
    }
    console.log(
      `\nrun / bare: ${(r.run.median / r.bare.median).toFixed(2)}× (ratio of medians; ` +
        `min ${(r.run.min / r.bare.median).toFixed(2)}×, max ${
          (r.run.max / r.bare.median).toFixed(2)
        }× of the bare median); run / bare chacha: ${
          (r.run.median / r.bareChacha.median).toFixed(2)
        }×`,
    );
    console.log(
      `login shell /bin/sh, run / bare: ${(r.shRun.median / r.shBare.median).toFixed(2)}× ` +
        `(min ${(r.shRun.min / r.shBare.median).toFixed(2)}×, max ${
          (r.shRun.max / r.shBare.median).toFixed(2)
        }× of the bare median)`,
    );
  } finally {
    await shLogin.stop();
    await fx.cleanup();
  }
}

// Usage: deno run --allow-all bench/command_bench.ts  (as root; BENCH_REPS, BENCH_WARMUP, BENCH_COMMANDS)
/**
 * Per-command cost of `HostHandle.run()` against bare ssh2 `exec` on an open connection
 * (issue 12 item 1), in one run on one throwaway loopback sshd: sequential `true`, ms per
 * command, min / median / max of the repetitions (interleaved), and the ratio of medians.
 * Extra rows split the framework's cost by layer: bare `sh -c true` (the floor while
 * commands run under the host's `sh`), the framework's `Connection.exec` of `true`, and of
 * the launch text `run()` sends (bootstrap + script over stdin).
 *
 * A row module of `deno task bench` (`run(context)`, bench/_row.ts), and runnable on its
 * own with its own sshd.
 *
 * @module
 */
import { Env, sh } from "../mod.ts";
import { composeLaunch } from "../src/command/compose.ts";
import { toCommand } from "../src/command/sh.ts";
import { bareClose, bareConnect, bareExec, CHACHA } from "./_bare.ts";
import type { Row } from "./_report.ts";
import type { BenchContext, RowReport } from "./_row.ts";
import { createFixture, type Fixture } from "./_setup.ts";
import { compare, type Summary, timed } from "./_stats.ts";

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
] as const;

type Variant = typeof VARIANTS[number][0];

/** ms per command of every variant, `commands` sequential commands per repetition. */
async function measure(
  fx: Fixture,
  options: { reps: number; warmup: number; commands: number },
): Promise<Record<Variant, Summary>> {
  const aes = await bareConnect(fx.bare(0));
  const chacha = await bareConnect({ ...fx.bare(0), cipher: CHACHA });
  try {
    await using env = new Env({ interactive: false });
    const h = env.host(fx.host(0));
    await h.run(sh`true`);
    const connection = await h.services.connection(fx.host(0));
    const launch = composeLaunch(toCommand("true"), { report: "[bench-report]" });
    const perCommand = (once: () => Promise<unknown>) => async () =>
      await timed(async () => {
        for (let i = 0; i < options.commands; i++) await once();
      }) / options.commands;
    const exec = (text: string, input: string) => async () => {
      const proc = await connection.exec(text, { onStderr: () => {} });
      if (input) await proc.write(input);
      await proc.closeStdin();
      await proc.status;
    };
    return await compare("command", {
      bare: perCommand(() => bareExec(aes, "true")),
      bareChacha: perCommand(() => bareExec(chacha, "true")),
      bareSh: perCommand(() => bareExec(aes, "sh -c true")),
      connTrue: perCommand(exec("true", "")),
      connLaunch: perCommand(exec(launch.text, launch.input)),
      run: perCommand(() => h.run(sh`true`)),
    }, { reps: options.reps, warmup: options.warmup, unit: "ms" });
  } finally {
    await Promise.all([bareClose(aes), bareClose(chacha)]);
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
  const layers = VARIANTS.filter(([key]) => key !== "bare" && key !== "run").map((
    [key, name],
  ): Row => ({
    scenario: `per command, layer: ${name}`,
    unit: "ms",
    framework: r[key],
    bare: r.bare,
    target: "—",
  }));
  return [main, ...layers];
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
  const r = await measure(fx, { reps: context.reps, warmup: context.warmup, commands });
  return {
    rows: rowsOf(r, commands),
    method: [
      `Per command (item 1): one connection each, opened and used once before timing; ` +
      `${commands} sequential \`true\` per repetition, the cell is ms per command; bare ssh2 ` +
      '`exec` (aes128-gcm and chacha20-poly1305), bare `exec("sh -c true")`, the framework\'s ' +
      "`Connection.exec` of `true` and of the launch text `run()` composes (with the script " +
      "on stdin), and ``HostHandle.run(sh`true`)``, interleaved in every repetition. The " +
      'layer rows have no target; their ratio is against bare `exec("true")`.',
    ],
  };
}

if (import.meta.main) {
  const reps = Number(Deno.env.get("BENCH_REPS") ?? 7);
  const warmup = Number(Deno.env.get("BENCH_WARMUP") ?? 1);
  const commands = Number(Deno.env.get("BENCH_COMMANDS") ?? 200);
  const fx = await createFixture({ servers: 1, bigMiB: 0, smallCount: 0, smallBytes: 0 });
  try {
    const r = await measure(fx, { reps, warmup, commands });
    const f = (x: number) => x.toFixed(3);
    console.log(
      `${commands} sequential \`true\` per repetition, ${reps} repetitions, ms per command`,
    );
    console.log("\n| variant | min | median | max | median / bare |\n|---|---|---|---|---|");
    for (const [key, name] of VARIANTS) {
      const s = r[key];
      console.log(
        `| ${name} | ${f(s.min)} | ${f(s.median)} | ${f(s.max)} | ${
          (s.median / r.bare.median).toFixed(2)
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
  } finally {
    await fx.cleanup();
  }
}

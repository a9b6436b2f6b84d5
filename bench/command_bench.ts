// Usage: deno run --allow-all bench/command_bench.ts  (as root; BENCH_REPS, BENCH_WARMUP, BENCH_COMMANDS)
/**
 * Per-command cost of `HostHandle.run()` against bare ssh2 `exec` on an open connection,
 * in one run on one throwaway loopback sshd: sequential `true`, ms per command, min /
 * median / max of the repetitions (interleaved), and the ratio of medians. Extra rows
 * split the framework's cost by layer: bare `sh -c true` (the floor while commands run
 * under the host's `sh`), the framework's `Connection.exec` of `true`, and of the launch
 * text `run()` sends (bootstrap + script over stdin).
 *
 * @module
 */
import { Env, sh } from "../mod.ts";
import { composeLaunch } from "../src/command/compose.ts";
import { toCommand } from "../src/command/sh.ts";
import { bareClose, bareConnect, bareExec, CHACHA } from "./_bare.ts";
import { createFixture } from "./_setup.ts";
import { compare, type Summary, timed } from "./_stats.ts";

const REPS = Number(Deno.env.get("BENCH_REPS") ?? 7);
const WARMUP = Number(Deno.env.get("BENCH_WARMUP") ?? 1);
const COMMANDS = Number(Deno.env.get("BENCH_COMMANDS") ?? 200);

const fx = await createFixture({ servers: 1, bigMiB: 0, smallCount: 0, smallBytes: 0 });
try {
  const aes = await bareConnect(fx.bare(0));
  const chacha = await bareConnect({ ...fx.bare(0), cipher: CHACHA });
  await using env = new Env({ interactive: false });
  const h = env.host(fx.host(0));
  await h.run(sh`true`);
  const connection = await h.services.connection(fx.host(0));
  const launch = composeLaunch(toCommand("true"), { report: "[bench-report]" });
  const perCommand = (once: () => Promise<unknown>) => async () =>
    await timed(async () => {
      for (let i = 0; i < COMMANDS; i++) await once();
    }) / COMMANDS;
  const exec = (text: string, input: string) => async () => {
    const proc = await connection.exec(text, { onStderr: () => {} });
    if (input) await proc.write(input);
    await proc.closeStdin();
    await proc.status;
  };
  let r: Record<string, Summary>;
  try {
    r = await compare("command", {
      bare: perCommand(() => bareExec(aes, "true")),
      bareChacha: perCommand(() => bareExec(chacha, "true")),
      bareSh: perCommand(() => bareExec(aes, "sh -c true")),
      connTrue: perCommand(exec("true", "")),
      connLaunch: perCommand(exec(launch.text, launch.input)),
      run: perCommand(() => h.run(sh`true`)),
    }, { reps: REPS, warmup: WARMUP, unit: "ms" });
  } finally {
    await Promise.all([bareClose(aes), bareClose(chacha)]);
  }
  const f = (x: number) => x.toFixed(3);
  const rows: [string, Summary][] = [
    ['bare ssh2 `exec("true")` (default cipher)', r.bare],
    ['bare ssh2 `exec("true")`, chacha20-poly1305', r.bareChacha],
    ['bare ssh2 `exec("sh -c true")` (the POSIX `sh` layer alone)', r.bareSh],
    ['framework `Connection.exec("true")`', r.connTrue],
    ["framework `Connection.exec(<launch>)` + script on stdin", r.connLaunch],
    ["framework ``HostHandle.run(sh`true`)``", r.run],
  ];
  console.log(
    `${COMMANDS} sequential \`true\` per repetition, ${REPS} repetitions, ms per command`,
  );
  console.log("\n| variant | min | median | max | median / bare |\n|---|---|---|---|---|");
  for (const [name, s] of rows) {
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

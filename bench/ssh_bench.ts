/**
 * SSH benchmark: the framework against a bare ssh2 script and the OpenSSH tools, on
 * throwaway loopback sshd servers. Prints a markdown table and writes `bench/RESULTS.md`.
 *
 * Run with `deno task bench` (as root: the servers switch to test users); `deno task bench
 * NAME...` runs only the row modules whose file name contains a NAME and prints their
 * table without writing `bench/RESULTS.md`. Environment: `BENCH_REPS` (default 5)
 * repetitions after `BENCH_WARMUP` (default 1) warm-ups.
 *
 * Every row module exports `run(context): Promise<RowReport>` (bench/_row.ts); adding rows
 * is one line in {@linkcode ROWS}.
 *
 * @module
 */
import { machineFacts, type Row, summaryTable, table, writeResults } from "./_report.ts";
import { type BenchContext, failedRow, type RowModule, type RowReport } from "./_row.ts";
import { createFixture, type Fixture } from "./_setup.ts";
import { progress } from "./_stats.ts";

/** The row modules in table order, each with what it measures (issue 12 item). */
const ROWS: readonly (readonly [file: string, what: string])[] = [
  ["./_classic.ts", "connect, 200 sequential `true`, fan-out to 10 and 50 hosts, uploads"],
  ["./command_bench.ts", "per-command overhead against bare ssh2 `exec` (item 1)"],
  ["./upload_bench.ts", "one 100 MiB upload against scp, with peak RSS (item 2)"],
  ["./dir_bench.ts", "putDir / getDir of 1000 files of 4 KiB against rsync -a (item 3)"],
  ["./_many_hosts.ts", "500 hosts from one process (item 4)"],
  ["./_startup.ts", "start-up to the first remote command (item 5)"],
];

const FIXTURE = { servers: 50, bigMiB: 100, smallCount: 1000, smallBytes: 4096 };

async function exists(url: URL): Promise<boolean> {
  try {
    return (await Deno.stat(url)).isFile;
  } catch {
    return false;
  }
}

/** Runs one row module; `undefined` when the file exists but exports no `run`. */
async function runRow(file: string, context: BenchContext): Promise<RowReport | undefined> {
  try {
    const module = await import(new URL(file, import.meta.url).href) as Partial<RowModule>;
    if (typeof module.run !== "function") return undefined;
    return await module.run(context);
  } catch (error) {
    progress(`${file} FAILED: ${error instanceof Error ? error.message : error}`);
    return { rows: [failedRow(file, "—", error)] };
  }
}

async function main(names: string[]): Promise<void> {
  const started = performance.now();
  const facts = await machineFacts();
  let fixture: Promise<Fixture> | undefined;
  const context: BenchContext = {
    reps: Number(Deno.env.get("BENCH_REPS") ?? 5),
    warmup: Number(Deno.env.get("BENCH_WARMUP") ?? 1),
    fixture: () =>
      fixture ??=
        (progress(`starting ${FIXTURE.servers} sshd servers, writing test files`),
          createFixture(FIXTURE)),
  };
  const cleanup = async () => {
    if (fixture) await (await fixture.catch(() => undefined))?.cleanup();
  };
  const onSignal = () => {
    progress("interrupted: cleaning up");
    cleanup().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const rows: Row[] = [];
  const method = [
    `${context.reps} repetitions after ${context.warmup} warm-up per scenario unless a row ` +
    "says otherwise.",
  ];
  const appendix: string[] = [];
  const pending: string[] = [];
  try {
    for (const [file, what] of ROWS) {
      if (names.length && !names.some((n) => file.includes(n))) continue;
      if (!(await exists(new URL(file, import.meta.url)))) {
        pending.push(`\`bench/${file.slice(2)}\`: ${what}`);
        progress(`${file} is not in this tree: skipped`);
        continue;
      }
      progress(`${file}: ${what}`);
      const report = await runRow(file, context);
      if (!report) {
        pending.push(
          `\`bench/${file.slice(2)}\`: ${what} — the file is here but exports no ` +
            "`run(context)` (bench/_row.ts); run it on its own meanwhile",
        );
        progress(`${file} exports no run(context): skipped`);
        continue;
      }
      rows.push(...report.rows);
      method.push(...report.method ?? []);
      if (report.appendix) appendix.push(report.appendix);
    }
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  const text = table(rows);
  console.log(summaryTable(rows));
  console.log();
  console.log(text);
  for (const a of appendix) console.log(`\n${a}`);
  const took = `${((performance.now() - started) / 1000).toFixed(0)} s`;
  if (names.length) return progress(`done in ${took}; bench/RESULTS.md left as it was`);
  const results = new URL("./RESULTS.md", import.meta.url).pathname;
  await writeResults(results, facts, { table: text, rows, method, appendix, pending });
  progress(`done in ${took}; wrote ${results}`);
}

if (import.meta.main) await main(Deno.args);

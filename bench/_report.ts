/**
 * The report of the SSH benchmark (private): machine facts, the markdown table and
 * `bench/RESULTS.md`.
 *
 * @module
 */
import type { Summary } from "./_stats.ts";

/** One row of the results table. */
export interface Row {
  /** What was measured. */
  scenario: string;
  /** The unit the cells are shown in (`ms`, `s`, `MB`). */
  unit: string;
  /** The framework's measurements (in `unit`); missing when the scenario failed. */
  framework?: Summary;
  /** The bare ssh2 baseline (in `unit`), if measured. */
  bare?: Summary;
  /** The OpenSSH baseline (in `unit`), if measured. */
  openssh?: Summary;
  /** The target, in words. */
  target: string;
  /** Whether the target is met (`undefined`: no target). */
  met?: boolean;
  /** A note shown after the target (e.g. a throughput). */
  note?: string;
  /** Why the scenario could not be measured. */
  failed?: string;
  /** The line of issue 12's table this row answers (the summary table lists it). */
  issue?: string;
  /** Which column the summary compares with (default `bare`). */
  reference?: "bare" | "openssh";
}

/** The lines of issue 12's table, in order. */
export const ISSUE_LINES: readonly string[] = [
  "200 sequential `true` on one connection",
  "upload one 100 MiB file",
  "upload 1000 files of 4 KiB",
  "50-host fan-out",
  "500 hosts",
  "start-up to the first remote command",
];

/**
 * The summary table: one line per line of issue 12's table, with the median of the row
 * that answers it, its reference, the ratio and whether the target is met; lines no row
 * answered say so.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryTable } from "./_report.ts";
 * assert.match(summaryTable([]), /not measured in this run/);
 * ```
 */
export function summaryTable(rows: Row[]): string {
  const lines = [
    "| work | deployer (median) | reference (median) | deployer / reference | target | met? |",
    "|---|---|---|---|---|---|",
  ];
  for (const line of ISSUE_LINES) {
    const answers = rows.filter((r) => r.issue === line);
    if (!answers.length) {
      lines.push(`| ${line} | not measured in this run | | | | |`);
      continue;
    }
    for (const r of answers) {
      const which = r.reference ?? "bare";
      const ref = r[which];
      const name = which === "bare" ? "bare" : "OpenSSH";
      const value = (s?: Summary) => s ? `${cell(s, r.unit).split(" / ")[1]} ${r.unit}` : "n/a";
      const met = r.failed ? "**failed**" : r.met === undefined ? "—" : r.met ? "yes" : "**no**";
      lines.push(
        `| ${r.scenario} | ${r.failed ? "FAILED" : value(r.framework)} | ${name} ${value(ref)} | ${
          ratio(r.framework, ref)
        } | ${r.target} | ${met} |`,
      );
    }
  }
  return lines.join("\n");
}

/** Facts about the machine the benchmark ran on. */
export interface MachineFacts {
  /** ISO date and time. */
  date: string;
  /** Number of processors (`nproc`). */
  nproc: number;
  /** CPU model from /proc/cpuinfo. */
  cpu: string;
  /** `deno --version`, first line. */
  deno: string;
  /** `ssh -V`. */
  openssh: string;
  /** `uname -sr`. */
  kernel: string;
  /** The 1, 5 and 15 minute load averages (/proc/loadavg). */
  load: string;
}

async function output(program: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" })
      .output();
    const decoder = new TextDecoder();
    return (decoder.decode(out.stdout) + decoder.decode(out.stderr)).trim();
  } catch {
    return "unknown";
  }
}

/**
 * Collects the machine facts.
 *
 * @example Usage
 * ```ts ignore
 * import { machineFacts } from "./_report.ts";
 * console.log((await machineFacts()).cpu);
 * ```
 */
export async function machineFacts(): Promise<MachineFacts> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: Number(await output("nproc", [])) || navigator.hardwareConcurrency,
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    openssh: await output("ssh", ["-V"]),
    kernel: await output("uname", ["-sr"]),
    load: (await Deno.readTextFile("/proc/loadavg").catch(() => "unknown")).split(" ")
      .slice(0, 3).join(" "),
  };
}

function digits(value: number): number {
  return value >= 100 ? 0 : value >= 10 ? 1 : 2;
}

/**
 * `min / median / max unit` with sensible precision.
 *
 * @example Usage
 * ```ts
 * import { cell } from "./_report.ts";
 * console.assert(cell({ min: 1, median: 2, max: 3, values: [] }, "ms") === "1.00 / 2.00 / 3.00 ms");
 * ```
 */
export function cell(summary: Summary | undefined, unit: string): string {
  if (!summary) return "n/a";
  const d = digits(summary.median);
  const f = (v: number) => v.toFixed(d);
  return `${f(summary.min)} / ${f(summary.median)} / ${f(summary.max)} ${unit}`;
}

/**
 * `a / b` of the medians, as `1.07×`.
 *
 * @example Usage
 * ```ts
 * import { ratio } from "./_report.ts";
 * const s = (median: number) => ({ min: median, median, max: median, values: [] });
 * console.assert(ratio(s(2), s(1)) === "2.00×");
 * ```
 */
export function ratio(a: Summary | undefined, b: Summary | undefined): string {
  return a && b ? `${(a.median / b.median).toFixed(2)}×` : "n/a";
}

/**
 * The markdown table of the results.
 *
 * @example Usage
 * ```ts
 * import { table } from "./_report.ts";
 * console.assert(table([]).startsWith("| scenario"));
 * ```
 */
export function table(rows: Row[]): string {
  const head = [
    "scenario",
    "framework min / median / max",
    "bare (ssh2, or plain Deno) min / median / max",
    "OpenSSH min / median / max",
    "ratio framework/bare (median)",
    "ratio framework/OpenSSH (median)",
    "target",
    "met?",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const met = r.failed ? "**failed**" : r.met === undefined ? "—" : r.met ? "yes" : "**no**";
    const note = r.failed
      ? `FAILED: ${r.failed.replaceAll("|", "/").replaceAll("\n", " ")}`
      : r.note;
    const target = note ? `${r.target}; ${note}` : r.target;
    lines.push(
      `| ${
        [
          r.scenario,
          cell(r.framework, r.unit),
          cell(r.bare, r.unit),
          cell(r.openssh, r.unit),
          ratio(r.framework, r.bare),
          ratio(r.framework, r.openssh),
          target,
          met,
        ].join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}

/** What `bench/RESULTS.md` holds besides the machine facts. */
export interface ResultsText {
  /** The markdown table. */
  table: string;
  /** The rows of the table (for the summary of issue 12's lines). */
  rows: Row[];
  /** Lines of the "Method" section. */
  method: string[];
  /** Sections appended at the end (profiles, breakdowns), markdown. */
  appendix: string[];
  /** Row modules listed in bench/ssh_bench.ts but absent from this tree, with what they measure. */
  pending: string[];
}

/**
 * Writes `bench/RESULTS.md`: the date, machine facts, the table and the notes.
 *
 * @example Usage
 * ```ts ignore
 * import { writeResults } from "./_report.ts";
 * await writeResults(path, facts, { table, method: ["note"], appendix: [], pending: [] });
 * ```
 */
export async function writeResults(
  path: string,
  facts: MachineFacts,
  results: ResultsText,
): Promise<void> {
  const pending = results.pending.length
    ? [
      "Not measured in this run (the row module is not in this tree yet, or does not export " +
      "`run(context)` yet; `deno task bench` runs it once it does):",
      "",
      ...results.pending.map((p) => `- ${p}`),
      "",
    ]
    : [];
  const text = [
    "# SSH benchmark results",
    "",
    `Generated by \`deno task bench\` (bench/ssh_bench.ts) on ${facts.date}.`,
    "",
    "## Machine",
    "",
    `- nproc: ${facts.nproc}`,
    `- CPU: ${facts.cpu}`,
    `- Kernel: ${facts.kernel}`,
    `- Deno: ${facts.deno}`,
    `- OpenSSH: ${facts.openssh}`,
    `- Load average when the run started: ${facts.load}`,
    "",
    "## Issue 12's table",
    "",
    summaryTable(results.rows),
    "",
    "## Results",
    "",
    "Each cell is min / median / max over the repetitions (after the warm-up); the",
    "implementations are run interleaved in every repetition, and the ratios compare medians",
    'of the same run. "met?" compares the medians with the target of issue 12.',
    "",
    results.table,
    "",
    ...pending,
    "## Method",
    "",
    ...results.method.map((m) => `- ${m}`),
    "",
    ...results.appendix.flatMap((a) => [a, ""]),
  ].join("\n");
  await Deno.writeTextFile(path, text);
}

/**
 * The contract between the benchmark driver (bench/ssh_bench.ts) and its row modules
 * (private): a row module exports `run(context)` and returns its table rows, method notes
 * and an optional appendix (a profile, a per-host breakdown).
 *
 * @module
 */
import type { Row } from "./_report.ts";
import type { Fixture } from "./_setup.ts";

/** What the driver hands every row module. */
export interface BenchContext {
  /** Counted repetitions per measurement (`BENCH_REPS`, default 5). */
  reps: number;
  /** Warm-up runs before the counted ones (`BENCH_WARMUP`, default 1). */
  warmup: number;
  /**
   * The shared fixture (50 sshd servers, the upload files), started on first use and
   * stopped by the driver at the end.
   */
  fixture(): Promise<Fixture>;
}

/** What a row module returns. */
export interface RowReport {
  /** Rows of the results table, in order. */
  rows: Row[];
  /** Lines of the "Method" section (how the rows were measured). */
  method?: string[];
  /** Markdown appended after the method (a profile, a breakdown). */
  appendix?: string;
}

/** A row module: `export async function run(context: BenchContext): Promise<RowReport>`. */
export interface RowModule {
  /** Measures the rows. */
  run(context: BenchContext): Promise<RowReport>;
}

/**
 * A row that could not be measured, with the reason (shown as FAILED in the table).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedRow } from "./_row.ts";
 * assert.equal(failedRow("x", "—", new Error("boom")).failed, "boom");
 * ```
 */
export function failedRow(scenario: string, target: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { scenario, unit: "", target, failed: message };
}

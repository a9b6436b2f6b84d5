/**
 * Timing helpers of the SSH benchmark (private): repeated, interleaved measurements and
 * their min / median / max.
 *
 * @module
 */

/** min / median / max of repeated measurements (in the unit the runner returned). */
export interface Summary {
  /** The smallest value. */
  min: number;
  /** The median value. */
  median: number;
  /** The largest value. */
  max: number;
  /** Every measured value, in order. */
  values: number[];
}

/** One implementation's measurement: returns the measured value (ms, MB/s, ...). */
export type Runner = () => Promise<number>;

/**
 * The min / median / max of `values`.
 *
 * @example Usage
 * ```ts
 * import { summarize } from "./_stats.ts";
 * console.assert(summarize([3, 1, 2]).median === 2);
 * ```
 */
export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted.at(-1)!, values };
}

/**
 * Milliseconds `task` takes.
 *
 * @example Usage
 * ```ts
 * import { timed } from "./_stats.ts";
 * console.assert((await timed(() => Promise.resolve())) >= 0);
 * ```
 */
export async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return performance.now() - start;
}

/** Writes one progress line to stderr. */
export function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[bench] ${text}\n`));
}

/**
 * Rejects when `promise` has not settled within `ms` (the benchmark must end even when an
 * operation hangs; the hung operation is left behind).
 *
 * @example Usage
 * ```ts
 * import { withTimeout } from "./_stats.ts";
 * console.assert((await withTimeout(Promise.resolve(1), 1000, "one")) === 1);
 * ```
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every runner `warmup + reps` times, interleaved (a, b, c, a, b, c, ...) so that
 * drift of the machine affects each alike, and summarizes the last `reps` values. A run
 * that takes longer than `timeoutMs` (default 60 s) rejects the whole comparison.
 *
 * @example Usage
 * ```ts
 * import { compare } from "./_stats.ts";
 * const r = await compare("noop", { a: () => Promise.resolve(1) }, { reps: 3, warmup: 1 });
 * console.assert(r.a.median === 1);
 * ```
 */
export async function compare<K extends string>(
  scenario: string,
  runners: Record<K, Runner>,
  options: { reps: number; warmup: number; unit?: string; timeoutMs?: number },
): Promise<Record<K, Summary>> {
  const names = Object.keys(runners) as K[];
  const values = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const total = options.warmup + options.reps;
  for (let i = 0; i < total; i++) {
    const parts: string[] = [];
    for (const name of names) {
      const what = `${scenario}: ${name} (repetition ${i + 1})`;
      const value = await withTimeout(runners[name](), options.timeoutMs ?? 60_000, what);
      if (i >= options.warmup) values[name].push(value);
      parts.push(`${name} ${value.toFixed(2)}${options.unit ?? ""}`);
    }
    const tag = i < options.warmup ? "warm-up" : `rep ${i - options.warmup + 1}/${options.reps}`;
    progress(`${scenario} ${tag}: ${parts.join(", ")}`);
  }
  return Object.fromEntries(names.map((n) => [n, summarize(values[n])])) as Record<K, Summary>;
}

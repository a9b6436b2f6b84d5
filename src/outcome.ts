/**
 * Running one task per host and keeping every host's outcome: {@linkcode settleEach} runs
 * them all to the end, then resolves to a {@linkcode ParallelResult} or rejects with a
 * `ParallelError` that holds every outcome. `HostSet` (commands on many hosts) and parallel
 * actions (one isolation per host) both use it.
 *
 * @module
 */
import { type Outcome, ParallelError } from "./errors.ts";

/** One isolation's value in a {@linkcode ParallelResult}. */
export interface ParallelEntry<T> {
  /** The slug of the isolation's host. */
  readonly host: string;
  /** The value the action returned there. */
  readonly value: T;
}

function show(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Per-host results of a parallel action, in isolation order. Iterating yields the
 * values (as python-deployer's `ParallelActionResult` does); `entries()` pairs them with
 * host slugs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelResult } from "./outcome.ts";
 * const result = new ParallelResult([{ host: "web1", value: 1 }, { host: "web2", value: 2 }]);
 * assert.equal([...result].join(","), "1,2");
 * assert.equal(result.get("web2"), 2);
 * ```
 */
export class ParallelResult<T> implements Iterable<T> {
  readonly #entries: readonly ParallelEntry<T>[];

  /** Creates a result from per-host entries. */
  constructor(entries: readonly ParallelEntry<T>[]) {
    this.#entries = [...entries];
  }

  /** The number of isolations. */
  get size(): number {
    return this.#entries.length;
  }

  /** The value of the isolation on host `slug`. */
  get(slug: string): T | undefined {
    return this.#entries.find((e) => e.host === slug)?.value;
  }

  /** Whether an isolation on host `slug` is part of the result. */
  has(slug: string): boolean {
    return this.#entries.some((e) => e.host === slug);
  }

  /** The host slugs, in order. */
  hosts(): string[] {
    return this.#entries.map((e) => e.host);
  }

  /** The values, in order. */
  values(): T[] {
    return this.#entries.map((e) => e.value);
  }

  /** `[slug, value]` pairs, in order. */
  entries(): [string, T][] {
    return this.#entries.map((e) => [e.host, e.value]);
  }

  /** Iterates over the values. */
  [Symbol.iterator](): Iterator<T> {
    return this.values()[Symbol.iterator]();
  }

  /** An object keyed by host slug. */
  toJSON(): Record<string, T> {
    return Object.fromEntries(this.entries());
  }

  /** `{ <web1>: 'a', <web2>: 'b' }`, as python-deployer prints it. */
  toString(): string {
    return `{ ${this.#entries.map((e) => `<${e.host}>: ${show(e.value)}`).join(", ")} }`;
  }
}

/**
 * Runs `task` on every item at once and waits for all of them. When every task succeeds it
 * resolves to their values by host, in item order; when any fails it rejects with a
 * `ParallelError` (named `what`) that keeps every host's outcome, the successful ones too.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelError } from "./errors.ts";
 * import { settleEach } from "./outcome.ts";
 * const hosts = ["web1", "web2"];
 * const ok = await settleEach("echo", hosts, (h) => h, async (h) => h.toUpperCase());
 * assert.deepEqual(ok.toJSON(), { web1: "WEB1", web2: "WEB2" });
 * const failed = await settleEach("check", hosts, (h) => h, async (h) => {
 *   if (h === "web2") throw new Error("disk full");
 *   return h;
 * }).catch((e) => e);
 * assert.ok(failed instanceof ParallelError);
 * assert.deepEqual(failed.outcomes.map((o: { ok: boolean }) => o.ok), [true, false]);
 * ```
 */
export async function settleEach<I, T>(
  what: string,
  items: readonly I[],
  hostOf: (item: I, index: number) => string,
  task: (item: I) => Promise<T>,
): Promise<ParallelResult<T>> {
  const settled = await Promise.allSettled(items.map((item) => task(item)));
  const outcomes: Outcome<T>[] = settled.map((s, i) =>
    s.status === "fulfilled"
      ? { host: hostOf(items[i], i), ok: true, value: s.value }
      : { host: hostOf(items[i], i), ok: false, error: s.reason }
  );
  if (outcomes.some((o) => !o.ok)) throw new ParallelError(what, outcomes);
  return new ParallelResult(
    outcomes.map((o) => ({ host: o.host, value: (o as { value: T }).value })),
  );
}

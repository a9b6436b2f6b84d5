/**
 * The result of an action that ran on every isolation of a parallel node.
 *
 * @module
 */

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
 * import { ParallelResult } from "./result.ts";
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

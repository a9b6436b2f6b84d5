/**
 * The recap at the end of a run: one line per host (ok, failed, stopped or skipped; how
 * long; the value or the first line of the error), in host definition order. The same
 * facts make the `hosts` of the `--json` document.
 *
 * @module
 */
import { type JsonError, jsonError, jsonValue } from "./json_values.ts";
import type { LogEvent, Logger } from "./logger.ts";

/** One host's line of the recap (and entry of the `--json` document's `hosts`). */
export interface HostRecap {
  /** Host slug. */
  host: string;
  /** Whether it succeeded. */
  ok: boolean;
  /** `ok`, `failed`, `stopped` or `skipped`. */
  status: "ok" | "failed" | "stopped" | "skipped";
  /** Seconds it was busy, or `null` when nothing ran there. */
  duration: number | null;
  /** The isolation's value (parallel actions that succeeded there). */
  value?: unknown;
  /** Why it failed, was stopped or skipped. */
  error?: JsonError;
}

/**
 * Notes when each host was busy and which hosts had commands stopped by an interrupt.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostTimes } from "./recap.ts";
 * const times = new HostTimes();
 * times.log({ type: "command.start", id: 1, host: "web1", command: "true", sudo: false,
 *   sandbox: false, interactive: false });
 * assert.deepEqual(times.hosts(), ["web1"]);
 * ```
 */
export class HostTimes implements Logger {
  readonly #first = new Map<string, number>();
  readonly #last = new Map<string, number>();
  readonly #stopped = new Set<string>();
  /** Notes the event's host and time. */
  log(event: LogEvent): void {
    const host = "host" in event ? event.host : undefined;
    if (typeof host !== "string") return;
    if (event.type === "message") return;
    const now = performance.now();
    if (!this.#first.has(host)) this.#first.set(host, now);
    this.#last.set(host, now);
    if (
      event.type === "command.end" && event.code === null && event.reason?.startsWith("aborted")
    ) {
      this.#stopped.add(host);
    }
  }
  /** The hosts seen, in the order they were first seen. */
  hosts(): string[] {
    return [...this.#first.keys()];
  }
  /** Seconds the host was busy, or `null`. */
  duration(host: string): number | null {
    const first = this.#first.get(host);
    if (first === undefined) return null;
    return Math.round(this.#last.get(host)! - first) / 1000;
  }
  /** Whether a command on the host was stopped by the interrupt. */
  stopped(host: string): boolean {
    return this.#stopped.has(host);
  }
}

interface OutcomeLike {
  host: string;
  ok: boolean;
  value?: unknown;
  error?: unknown;
}

function parallelOutcomes(error: unknown): OutcomeLike[] | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; depth++) {
    const outcomes = (e as { outcomes?: unknown }).outcomes;
    if (e.name === "ParallelError" && Array.isArray(outcomes)) return outcomes as OutcomeLike[];
    e = e.cause;
  }
  return undefined;
}

function resultEntries(value: unknown): [string, unknown][] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (value.constructor?.name !== "ParallelResult") return undefined;
  const entries = (value as { entries?: () => [string, unknown][] }).entries;
  return typeof entries === "function" ? entries.call(value) : undefined;
}

/** What {@linkcode buildRecap} needs to know about the run. */
export interface RecapInput {
  /** The action's value, when it succeeded. */
  readonly value?: unknown;
  /** Its error, when it failed. */
  readonly error?: unknown;
  /** Whether it was interrupted. */
  readonly interrupted: boolean;
  /** When each host was busy. */
  readonly times: HostTimes;
  /** Every host slug of the tree in definition order (sorts the recap). */
  readonly order: readonly string[];
}

/**
 * Every host's outcome: from the per-host outcomes of a parallel action (values too), else
 * from what ran on each host (the host named by the error failed).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelError } from "../errors.ts";
 * import { buildRecap, HostTimes } from "./recap.ts";
 * const error = new ParallelError("Root.web.check", [
 *   { host: "web2", ok: false, error: new Error("disk full") },
 *   { host: "web1", ok: true, value: "fine" },
 * ]);
 * const recap = buildRecap({
 *   error, interrupted: false, times: new HostTimes(), order: ["web1", "web2"],
 * });
 * assert.deepEqual(recap.map((r) => [r.host, r.status, r.value]), [
 *   ["web1", "ok", "fine"],
 *   ["web2", "failed", undefined],
 * ]);
 * ```
 */
export function buildRecap(input: RecapInput): HostRecap[] {
  const { times } = input;
  const byHost = new Map<string, HostRecap>();
  const direct = resultEntries(input.value);
  const outcomes: OutcomeLike[] | undefined = direct
    ? direct.map(([host, value]) => ({ host, ok: true, value }))
    : parallelOutcomes(input.error);
  // Values only when the action itself was parallel (not commands of a nested HostSet).
  const showValues = direct !== undefined || isParallelError(input.error);
  for (const o of outcomes ?? []) {
    const duration = times.duration(o.host);
    const entry: HostRecap = { host: o.host, ok: o.ok, status: "ok", duration };
    if (o.ok) {
      if (showValues) entry.value = jsonValue(o.value);
    } else {
      const error = jsonError(o.error);
      entry.error = error;
      entry.status = error.name === "SkippedError"
        ? "skipped"
        : times.stopped(o.host) || (input.interrupted && isStop(o.error))
        ? "stopped"
        : "failed";
    }
    byHost.set(o.host, entry);
  }
  const failedHost = input.error === undefined ? undefined : jsonError(input.error).host;
  for (const host of times.hosts()) {
    if (byHost.has(host)) continue;
    const entry: HostRecap = { host, ok: true, status: "ok", duration: times.duration(host) };
    if (times.stopped(host)) {
      entry.ok = false;
      entry.status = "stopped";
    } else if (host === failedHost) {
      entry.ok = false;
      entry.status = "failed";
      entry.error = jsonError(input.error);
    }
    byHost.set(host, entry);
  }
  const rank = (slug: string) => {
    const i = input.order.indexOf(slug);
    return i < 0 ? input.order.length : i;
  };
  return [...byHost.values()].sort((a, b) => rank(a.host) - rank(b.host));
}

function isParallelError(error: unknown): boolean {
  return error instanceof Error && error.name === "ParallelError";
}

function isStop(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; depth++) {
    if ((e as { code?: unknown }).code === null) return true;
    e = e.cause;
  }
  return false;
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return firstLine(text).slice(0, 100);
}

/**
 * The recap as text, one aligned line per host.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRecap } from "./recap.ts";
 * const text = formatRecap("Root.deploy", [
 *   { host: "web1", ok: true, status: "ok", duration: 1.5, value: "v2" },
 *   { host: "web2", ok: false, status: "skipped", duration: null,
 *     error: { name: "SkippedError", message: "Not started" } },
 * ]);
 * assert.equal(text, [
 *   "Recap of Root.deploy:",
 *   "  web1  ok        1.5 s  v2",
 *   "  web2  skipped       -  Not started",
 *   "",
 * ].join("\n"));
 * ```
 */
export function formatRecap(action: string, recap: readonly HostRecap[]): string {
  const width = Math.max(...recap.map((r) => r.host.length));
  const lines = recap.map((r) => {
    const time = r.duration === null ? "-" : `${r.duration.toFixed(1)} s`;
    const detail = r.error ? firstLine(r.error.message) : show(r.value);
    return `  ${r.host.padEnd(width)}  ${r.status.padEnd(8)}${time.padStart(7)}  ${detail}`
      .trimEnd();
  });
  return `Recap of ${action}:\n${lines.join("\n")}\n`;
}

/**
 * What the CLI prints: an action's result for people, the `--json` document, the
 * sandbox plan and error messages.
 *
 * @module
 */
import type { PlanEntry } from "../exec/env.ts";
import { formatError } from "../shell/format.ts";

/** One host's outcome in the `--json` document. */
export type JsonHostOutcome =
  | { host: string; ok: true; value: unknown }
  | { host: string; ok: false; error: JsonError };

/** An error in the `--json` document. */
export interface JsonError {
  /** The error class name (`ActionError`, `UsageError`, ...). */
  name: string;
  /** The message (secrets are already masked by the framework). */
  message: string;
  /** The host, when the error names one. */
  host?: string;
  /** The masked command, for a failed command. */
  command?: string;
  /** The exit code, for a failed command. */
  code?: number | null;
}

/** The one document `run --json` prints on stdout. */
export interface JsonReport {
  /** Whether the action succeeded. */
  ok: boolean;
  /** The full path of the action (or the words given, when they did not resolve). */
  action: string | null;
  /** The arguments given. */
  args: string[];
  /** The action's value (`{ slug: value }` for a parallel result). */
  result?: unknown;
  /** Why it failed. */
  error?: JsonError;
  /** Every host's outcome, for a parallel result or a parallel error. */
  hosts?: JsonHostOutcome[];
  /** The sandbox plan, in sandbox mode. */
  plan?: PlanEntry[];
  /** Whether the run was interrupted (by which signal), which hosts had commands stopped. */
  interrupted?: { signal?: string; stoppedHosts: string[]; unconfirmedHosts?: string[] };
}

/** Whether a value looks like a `ParallelResult` of any copy of deployer. */
function isParallelResult(value: unknown): value is {
  entries(): [string, unknown][];
  toJSON(): Record<string, unknown>;
} {
  return typeof value === "object" && value !== null &&
    value.constructor?.name === "ParallelResult" &&
    typeof (value as { entries?: unknown }).entries === "function" &&
    typeof (value as { toJSON?: unknown }).toJSON === "function";
}

/** The `ParallelError` in an error or its causes, found by shape (any copy). */
function findParallelError(error: unknown): { outcomes: readonly unknown[] } | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; depth++) {
    const outcomes = (e as { outcomes?: unknown }).outcomes;
    if (e.name === "ParallelError" && Array.isArray(outcomes)) return { outcomes };
    e = e.cause;
  }
  return undefined;
}

/**
 * Turns a value into something `JSON.stringify` accepts (`toJSON` is honoured,
 * `undefined` becomes `null`, unserialisable values become their text).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonValue } from "./output.ts";
 * assert.equal(jsonValue(undefined), null);
 * assert.equal(jsonValue(1n), "1");
 * ```
 */
export function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return String(value);
  }
}

/**
 * An error as the `--json` document shows it: name, message and, when known, host,
 * command and exit code (found on the error or its causes).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonError } from "./output.ts";
 * assert.equal(jsonError(new TypeError("x")).name, "TypeError");
 * ```
 */
export function jsonError(error: unknown): JsonError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const out: JsonError = { name: error.name, message: error.message };
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; depth++) {
    const fields = e as { host?: unknown; command?: unknown; code?: unknown };
    if (out.host === undefined && typeof fields.host === "string") out.host = fields.host;
    if (out.command === undefined && typeof fields.command === "string") {
      out.command = fields.command;
      if (typeof fields.code === "number" || fields.code === null) out.code = fields.code;
    }
    e = e.cause;
  }
  return out;
}

/**
 * The per-host outcomes of a parallel result or of a parallel error (in its causes).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostOutcomes } from "./output.ts";
 * import { ParallelResult } from "../outcome.ts";
 * const hosts = hostOutcomes(new ParallelResult([{ host: "a", value: 1 }]), undefined);
 * assert.equal(hosts?.[0].host, "a");
 * ```
 */
export function hostOutcomes(result: unknown, error: unknown): JsonHostOutcome[] | undefined {
  if (error !== undefined) {
    const parallel = findParallelError(error);
    if (!parallel) return undefined;
    return parallel.outcomes.map((o) => {
      const outcome = o as { host: string; ok: boolean; value?: unknown; error?: unknown };
      return outcome.ok
        ? { host: outcome.host, ok: true, value: jsonValue(outcome.value) }
        : { host: outcome.host, ok: false, error: jsonError(outcome.error) };
    });
  }
  if (!isParallelResult(result)) return undefined;
  return result.entries().map(([host, value]) => ({ host, ok: true, value: jsonValue(value) }));
}

/**
 * The message printed for a failure, as the shell prints it (a parallel error lists
 * every failed host), plus the stacks when `debug` (`DEPLOYER_DEBUG=1`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorText } from "./output.ts";
 * assert.equal(errorText(new Error("boom"), false), "Error: boom\n");
 * ```
 */
export function errorText(error: unknown, debug: boolean): string {
  const body = formatError(error);
  const head = /^\w*Error: /.test(body) ? body : `Error: ${body}`;
  if (!debug || !(error instanceof Error) || !error.stack) return head;
  let text = `${head}${error.stack}\n`;
  for (let e = error.cause, depth = 0; e instanceof Error && depth < 10; depth++) {
    text += `Caused by: ${e.stack ?? e.message}\n`;
    e = e.cause;
  }
  return text;
}

/**
 * Whether `DEPLOYER_DEBUG=1` is set (false when the environment may not be read).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { debugEnabled } from "./output.ts";
 * assert.equal(debugEnabled(), Deno.env.get("DEPLOYER_DEBUG") === "1");
 * ```
 */
export function debugEnabled(): boolean {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "DEPLOYER_DEBUG" });
    return state.state === "granted" && Deno.env.get("DEPLOYER_DEBUG") === "1";
  } catch {
    return false;
  }
}

/**
 * How the shell prints what actions return and how they fail: per-host tables for
 * parallel results, every failed host of a parallel error, and the sandbox plan. What
 * these functions return is safe for a terminal: control characters (but line feeds
 * and tabs) are shown as escapes, whatever hosts, values or messages contain.
 *
 * @module
 */
import { escapeControl } from "../console/control.ts";
import type { PlanEntry } from "../exec/env.ts";

/** Multi-line text made safe for a terminal. */
function safe(text: string): string {
  return escapeControl(text, { newlines: true });
}

/** A parallel result from any copy of deployer (recognised by shape, not `instanceof`). */
interface ParallelLike {
  entries(): [string, unknown][];
  hosts(): string[];
}

/**
 * Whether a value is a per-host result (`ParallelResult`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelResult } from "../outcome.ts";
 * import { isParallelResult } from "./format.ts";
 * assert.ok(isParallelResult(new ParallelResult([])));
 * assert.ok(!isParallelResult([]));
 * ```
 */
export function isParallelResult(value: unknown): value is ParallelLike {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as ParallelLike).entries === "function" &&
    typeof (value as ParallelLike).hosts === "function";
}

/**
 * One value as text: strings as they are, other values inspected on one line when short.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./format.ts";
 * assert.equal(formatValue("a"), "a");
 * assert.equal(formatValue({ x: 1 }), "{ x: 1 }");
 * ```
 */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value.replace(/\n$/, "");
  if (value === undefined) return "undefined";
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const own = (value as { toString?: unknown }).toString;
    if (typeof own === "function" && own !== Object.prototype.toString) return String(value);
  }
  if (typeof value !== "object" || value === null) return String(value);
  return Deno.inspect(value, { colors: false, depth: 6, breakLength: 100 });
}

function table(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([key, text]) => {
    const [first, ...more] = text.split("\n");
    const pad = " ".repeat(width + 2);
    return [`${key.padEnd(width)}  ${first}`, ...more.map((l) => pad + l)].join("\n");
  }).join("\n") + "\n";
}

/**
 * An action's result as the shell prints it: nothing for `undefined`/`null`, one line
 * per item for an array, a `slug  value` table for a parallel result (nothing when every
 * host returned nothing), `String()` otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelResult } from "../outcome.ts";
 * import { formatResult } from "./format.ts";
 * const result = new ParallelResult([{ host: "a", value: "x" }, { host: "bb", value: "y" }]);
 * const text = formatResult(result);
 * assert.equal(text, "a   x\nbb  y\n");
 * ```
 */
export function formatResult(value: unknown): string {
  return safe(resultText(value));
}

function resultText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((item) => resultText(item)).join("");
  if (isParallelResult(value)) {
    const entries = value.entries();
    if (entries.every(([, v]) => v === undefined || v === null)) return "";
    return table(entries.map(([host, v]) => [host, formatValue(v)]));
  }
  return `${formatValue(value)}\n`;
}

interface OutcomeLike {
  host: string;
  ok: boolean;
  error?: unknown;
}

const OWN_ERRORS: readonly string[] = [
  "DeployerError",
  "CommandError",
  "ConnectionError",
  "HostKeyError",
  "QueryError",
  "ActionError",
  "UsageError",
  "ParallelError",
];

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return OWN_ERRORS.includes(error.name) ? error.message : `${error.name}: ${error.message}`;
}

/**
 * A failure as the shell prints it. A parallel error lists every failed host with its
 * full error (command, exit code, output tail); other errors print their message.
 * deployer's own errors show the message alone; any other error is prefixed with its
 * name (`Error: boom`, `TypeError: ...`) so that a bug is not mistaken for a failure.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelError } from "../errors.ts";
 * import { formatError } from "./format.ts";
 * const text = formatError(new ParallelError("Root.p.go", [
 *   { host: "a", ok: false, error: new Error("boom") },
 *   { host: "b", ok: true, value: 1 },
 * ]));
 * assert.equal(text, "Root.p.go failed on 1 of 2 hosts (a)\n[a] Error: boom\n");
 * ```
 */
export function formatError(error: unknown): string {
  return safe(errorText(error));
}

function errorText(error: unknown): string {
  const outcomes = (error as { outcomes?: OutcomeLike[] } | null)?.outcomes;
  if (error instanceof Error && Array.isArray(outcomes)) {
    const failed = outcomes.filter((o) => !o.ok);
    const header = error.message.split("\n")[0];
    const lines = failed.map((o) => `[${o.host}] ${messageOf(o.error)}`);
    return `${header}\n${lines.join("\n")}\n`;
  }
  return `${messageOf(error)}\n`;
}

/**
 * The sandbox plan: per host, the masked commands that would have run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPlan } from "./format.ts";
 * assert.ok(formatPlan([{ host: "a", command: "echo hi" }]).includes("  a:\n    echo hi\n"));
 * ```
 */
export function formatPlan(plan: readonly PlanEntry[]): string {
  return safe(planText(plan));
}

function planText(plan: readonly PlanEntry[]): string {
  if (plan.length === 0) return "Sandbox plan: no commands would have run.\n";
  const byHost = new Map<string, string[]>();
  for (const { host, command } of plan) {
    if (!byHost.has(host)) byHost.set(host, []);
    byHost.get(host)!.push(command);
  }
  let text = `Sandbox plan (nothing was run):\n`;
  for (const [host, commands] of byHost) {
    text += `  ${host}:\n`;
    for (const command of commands) text += `    ${command.replace(/\n/g, "\n    ")}\n`;
  }
  return text;
}

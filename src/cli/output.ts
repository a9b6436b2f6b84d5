/**
 * What the CLI prints: an action's result for people, the `--json` document, the
 * sandbox plan and error messages.
 *
 * @module
 */
import type { PlanEntry } from "../exec/env.ts";
import type { JsonError } from "../exec/json_values.ts";
import type { HostRecap } from "../exec/recap.ts";
import { formatError } from "../shell/format.ts";
import { fullStack, whereText } from "../shell/user_code.ts";

export { type JsonError, jsonError, jsonValue } from "../exec/json_values.ts";

/** One host's outcome in the `--json` document (the same as a recap line). */
export type JsonHostOutcome = HostRecap;

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
  /**
   * Every host the action used, in host definition order: `ok`, `status` (`ok`,
   * `failed`, `stopped`, `skipped`), `duration` in seconds, and the isolation's `value`
   * (parallel actions) or the `error`.
   */
  hosts?: HostRecap[];
  /** Seconds the action took. */
  duration?: number;
  /** The sandbox plan, in sandbox mode. */
  plan?: PlanEntry[];
  /** Whether the run was interrupted (by which signal), which hosts had commands stopped. */
  interrupted?: { signal?: string; stoppedHosts: string[]; unconfirmedHosts?: string[] };
}

/**
 * The message printed for a failure, as the shell prints it (a parallel error lists
 * every failed host), then where the user's code threw it, or the full stacks when
 * `debug` (`--debug`, `DEPLOYER_DEBUG=1`).
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
  if (!debug || !(error instanceof Error) || !error.stack) {
    return head + whereText(error, "(run with --debug for the full stack)");
  }
  return head + fullStack(error);
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

/**
 * How actions run: one isolation with logging and error wrapping (and Retry / Skip /
 * Abort when a person is there), or all isolations of a parallel node at once with
 * every outcome kept.
 *
 * @module
 */
import type { Console } from "../console/mod.ts";
import { ActionError, CommandError, DeployerError, ParallelError } from "../errors.ts";
import { ParallelResult, settleEach } from "../outcome.ts";
import type { ActionCall } from "../node/runtime.ts";
import { nodePath, stateOf } from "../node/state.ts";
import type { LogEvent } from "./logger.ts";

/** What the action runner needs from its environment. */
export interface ActionHost {
  /** The console (choices, progress). */
  readonly console: Console;
  /** Reports an event. */
  emit(event: LogEvent): void;
  /** A new id. */
  nextId(): number;
  /** Whether to offer Retry / Skip / Abort after a failed command. */
  readonly askOnFailure: boolean;
  /** Serialises questions from parallel isolations. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
}

function showArg(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

function failures(error: ParallelError): unknown[] {
  return error.outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
}

function named(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * Errors that already say which action failed pass through unchanged: an `ActionError`,
 * or a `ParallelError` of a nested parallel action (whose failures are action errors).
 */
function isWrapped(error: unknown): boolean {
  if (error instanceof ActionError || named(error, "ActionError")) return true;
  return error instanceof ParallelError && failures(error).every(isWrapped);
}

/** Failed commands (also on several hosts at once): the failures a person may retry. */
function isCommandFailure(error: unknown): error is CommandError | ParallelError {
  if (error instanceof CommandError || named(error, "CommandError")) return true;
  return error instanceof ParallelError && failures(error).every(isCommandFailure);
}

/**
 * Runs one action on one node. A method that returns a promise gives a promise; a
 * synchronous method stays synchronous (its type is kept), without the Retry prompt.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Console } from "../console/console.ts";
 * import type { LogEvent } from "./logger.ts";
 * import { type ActionHost, runAction } from "./actions.ts";
 * const events: LogEvent[] = [];
 * const env: ActionHost = {
 *   console: Console.fromProcess({ interactive: false }), emit: (e) => void events.push(e),
 *   nextId: () => events.length, askOnFailure: false, exclusive: (task) => task(),
 * };
 * class Calc {
 *   add(a: number, b: number): number { return a + b; }
 *   fail(): never { throw new Error("boom"); }
 * }
 * const calc = new Calc();
 * const add = calc.add as (...args: unknown[]) => unknown;
 * const call = { node: calc, name: "add", method: add, args: [1, 2], flags: {} };
 * assert.equal(runAction(env, call), 3); // synchronous stays synchronous
 * assert.deepEqual(events.map((e) => e.type), ["action.start", "action.end"]);
 * assert.throws(() => runAction(env, { ...call, name: "fail", method: calc.fail }), {
 *   name: "ActionError",
 *   message: "Action Calc.fail failed: boom",
 * });
 * ```
 */
export function runAction(env: ActionHost, call: ActionCall): unknown {
  const path = `${nodePath(call.node)}.${call.name}`;
  const host = isolationHost(call.node);
  const id = env.nextId();
  const started = performance.now();
  env.emit({ type: "action.start", id, path, host, args: call.args.map(showArg) });
  const end = (ok: boolean, error?: unknown) =>
    env.emit({
      type: "action.end",
      id,
      path,
      host,
      ok,
      duration: performance.now() - started,
      error: error instanceof Error
        ? error.message
        : error === undefined
        ? undefined
        : String(error),
    });
  const fail = (error: unknown): never => {
    end(false, error);
    throw isWrapped(error) ? error : new ActionError(path, host, { cause: error });
  };
  const invoke = () => call.method.apply(call.node, call.args as unknown[]);
  let value: unknown;
  try {
    value = invoke();
  } catch (error) {
    return fail(error);
  }
  if (!isThenable(value)) {
    end(true);
    return value;
  }
  return (async () => {
    for (let attempt: unknown = value;;) {
      try {
        const result = await attempt;
        end(true);
        return result;
      } catch (error) {
        if (isWrapped(error)) return fail(error);
        if (isCommandFailure(error) && env.askOnFailure && env.console.isInteractive) {
          const answer = await env.exclusive(() => askWhatNext(env.console, path, error));
          if (answer === "retry") {
            try {
              attempt = invoke();
            } catch (again) {
              attempt = Promise.reject(again);
            }
            continue;
          }
          if (answer === "skip") {
            end(true);
            return undefined;
          }
        }
        return fail(error);
      }
    }
  })();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

async function askWhatNext(
  console: Console,
  path: string,
  error: Error,
): Promise<"retry" | "skip" | "abort"> {
  console.write(`\n${error.message}\n`);
  try {
    return await console.choice<"retry" | "skip" | "abort">(`${path} failed. Continue?`, [
      ["Retry", "retry"],
      ["Skip (the action returns nothing)", "skip"],
      ["Abort", "abort"],
    ], { default: "abort" });
  } catch {
    return "abort";
  }
}

function isolationHost(node: object): string | undefined {
  for (let n: object | undefined = node; n; n = stateOf(n)?.parent) {
    const id = stateOf(n)?.isolationId;
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * Runs an action on every isolation at once and collects per-host results. With
 * `isolateOneOnly`, one isolation is chosen (asked, or at random when nobody is there).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Console } from "../console/console.ts";
 * import { ParallelError } from "../errors.ts";
 * import { type ActionHost, runParallel } from "./actions.ts";
 * const env: ActionHost = {
 *   console: Console.fromProcess({ interactive: false }), emit: () => {}, nextId: () => 0,
 *   askOnFailure: false, exclusive: (task) => task(),
 * };
 * class Probe {
 *   constructor(readonly up: boolean) {}
 *   check(): Promise<string> {
 *     return this.up ? Promise.resolve("up") : Promise.reject(new Error("down"));
 *   }
 * }
 * const check = Probe.prototype.check;
 * const call = { node: new Probe(true), name: "check", method: check, args: [], flags: {} };
 * const result = await runParallel(env, call, [new Probe(true), new Probe(true)]);
 * assert.deepEqual([...result], ["up", "up"]);
 * // One failure fails the call, and every outcome is kept:
 * await assert.rejects(runParallel(env, call, [new Probe(true), new Probe(false)]), (error) => {
 *   assert.ok(error instanceof ParallelError);
 *   assert.deepEqual(error.outcomes.map((o) => o.ok), [true, false]);
 *   return true;
 * });
 * ```
 */
export async function runParallel(
  env: ActionHost,
  call: ActionCall,
  isolations: readonly object[],
): Promise<ParallelResult<unknown>> {
  const path = `${nodePath(call.node)}.${call.name}`;
  if (isolations.length === 0) {
    env.emit({ type: "message", level: "warning", text: `Nothing to do: no hosts in ${path}` });
    return new ParallelResult([]);
  }
  let chosen = isolations;
  if (call.flags.isolateOneOnly && isolations.length > 1) {
    const options = isolations.map((n) => [labelOf(n), n] as const);
    chosen = [
      await env.exclusive(() =>
        env.console.choice("Choose a host", options, { allowRandom: true })
      ),
    ];
  }
  const progress = chosen.length > 1 && env.console.isInteractive
    ? env.console.parallelProgress(chosen.length, path)
    : undefined;
  try {
    return await settleEach(
      path,
      chosen,
      (iso, i) => isolationHost(iso) ?? String(i),
      async (iso) => {
        const host = isolationHost(iso) ?? "?";
        progress?.start(host);
        try {
          const value = await (iso as Record<string, (...a: unknown[]) => Promise<unknown>>)
            [call.name](
              ...call.args,
            );
          progress?.finish(host, true);
          return value;
        } catch (error) {
          progress?.finish(host, false);
          throw error;
        }
      },
    );
  } finally {
    progress?.close();
  }
}

function labelOf(node: object): string {
  const host = isolationHost(node);
  if (host === undefined) throw new DeployerError(`${nodePath(node)} is not an isolation`);
  const state = stateOf(node);
  const def = state?.roles.get("host")?.[0];
  return def ? `${host}    [${def.address}]` : host;
}

/**
 * Running one action from the shell: the tree is bound again in a fork of the
 * environment (same connections and loggers) that carries an abort signal, so Ctrl-C
 * stops the action's commands and not the shell; sandbox runs use a sandboxed fork.
 *
 * @module
 */
import { type Env, runtimeOf } from "../exec/env.ts";
import type { ActionInfo } from "../node/action.ts";
import { childOf } from "../node/isolation.ts";
import { rebindRoot } from "../node/root.ts";
import { parameterNames } from "../node/parameters.ts";
import { stateOf, unwrapView } from "../node/state.ts";
import { isolationChoices } from "./paths.ts";

interface Step {
  name: string;
  id: string | undefined;
}

function stepsOf(node: object): Step[] {
  const steps: Step[] = [];
  for (let n: object | undefined = node; n; n = stateOf(n)?.parent) {
    const state = stateOf(n)!;
    steps.unshift({ name: state.name, id: state.isolationId });
  }
  return steps;
}

function enter(node: object, id: string | undefined): object {
  if (id === undefined || stateOf(node)?.isolationId === id) return node;
  const found = isolationChoices(node).find(([slug]) => slug === id);
  if (!found) throw new Error(`Cannot find isolation "${id}" of ${stateOf(node)?.name}`);
  return found[1];
}

/**
 * The node at the same place as `node` in a copy of its tree bound to `env` (a fork):
 * the root class is bound again with the same hosts and field values, then the path
 * (child names and isolations) is walked.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { rebind } from "./execute.ts";
 * class B extends Node {}
 * class A extends Node { b = child(B); }
 * await using env = new Env({ interactive: false });
 * const b = env.bind(A).b;
 * const again = rebind(b, env.fork({ sandbox: true }));
 * assert.notEqual(again, b);
 * assert.ok((again as B).env.sandbox);
 * ```
 */
export function rebind(node: object, env: Env): object {
  const steps = stepsOf(unwrapView(node));
  let root: object = unwrapView(node);
  while (stateOf(root)?.parent) root = stateOf(root)!.parent!;
  let current = enter(rebindRoot(root, runtimeOf(env)), steps[0].id);
  for (const step of steps.slice(1)) {
    const next = childOf(current, step.name);
    if (!next) throw new Error(`Cannot find "${step.name}" in the rebound tree`);
    current = enter(next, step.id);
  }
  return current;
}

/**
 * The most arguments an action takes: its parameters, or `Infinity` with a rest
 * parameter (or when its parameters cannot be read).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxArguments } from "./execute.ts";
 * assert.equal(maxArguments((a: string, b = "x") => a + b), 2);
 * assert.equal(maxArguments((...words: string[]) => words.join()), Infinity);
 * ```
 */
export function maxArguments(fn: (...args: never[]) => unknown): number {
  const params = parameterNames(fn);
  if (params.some((p) => p.startsWith("..."))) return Infinity;
  if (params.length === 0 && fn.length > 0) return Infinity;
  return params.length;
}

/**
 * Why an action cannot be called with `args` (fewer than its parameters before the
 * first default, or more than it has), as a usage line naming the parameters;
 * `undefined` when it can.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { argumentsProblem } from "./execute.ts";
 * const pair = { name: "pair", fn: (first: string, second: string) => first + second };
 * assert.equal(
 *   argumentsProblem(pair, ["a"]),
 *   "Usage: pair first second (needs 2 arguments: first, second; got 1)",
 * );
 * assert.equal(
 *   argumentsProblem(pair, ["a", "b", "c"]),
 *   "Usage: pair first second (takes at most 2 arguments: first, second; got 3)",
 * );
 * assert.equal(argumentsProblem(pair, ["a", "b"]), undefined);
 * ```
 */
export function argumentsProblem(
  action: { readonly name: string; readonly fn: ActionInfo["fn"] | ((...a: never[]) => unknown) },
  args: readonly string[],
): string | undefined {
  const expected = action.fn.length;
  const most = maxArguments(action.fn);
  if (args.length >= expected && args.length <= most) return undefined;
  const params = parameterNames(action.fn);
  const usage = [action.name, ...params].join(" ");
  const few = args.length < expected;
  const count = few ? expected : most;
  const named = params.length ? `: ${params.slice(0, count).join(", ")}` : "";
  const what = few ? "needs" : count === 0 ? "takes no" : "takes at most";
  const number = count === 0 ? "" : `${count} `;
  return `Usage: ${usage} (${what} ${number}argument${count === 1 ? "" : "s"}${named}; ` +
    `got ${args.length})`;
}

/** How {@linkcode runInterruptible} reports. */
export interface InterruptibleResult {
  /** Whether the action finished (with `value` or `error`). */
  readonly settled: boolean;
  /** Whether Ctrl-C was pressed. */
  readonly interrupted: boolean;
  /** Whether it failed (then `error` is set). */
  readonly failed: boolean;
  /** The value, when it succeeded. */
  readonly value?: unknown;
  /** The error, when it failed. */
  readonly error?: unknown;
}

function listenSigint(handler: () => void): () => void {
  try {
    Deno.addSignalListener("SIGINT", handler);
    return () => Deno.removeSignalListener("SIGINT", handler);
  } catch {
    return () => {};
  }
}

/**
 * Runs `task` with a fresh abort signal. The first Ctrl-C (SIGINT) aborts the signal,
 * which stops the action's commands, and waits for the action to end; a second one
 * stops waiting. The SIGINT listener exists only while the task runs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runInterruptible } from "./execute.ts";
 * const result = await runInterruptible(() => Promise.resolve(42));
 * assert.equal(result.value, 42);
 * assert.ok(!result.interrupted);
 * ```
 */
export async function runInterruptible(
  task: (signal: AbortSignal) => unknown,
  interrupts: (handler: () => void) => () => void = listenSigint,
): Promise<InterruptibleResult> {
  const controller = new AbortController();
  let interrupted = false;
  let giveUp: () => void = () => {};
  const gaveUp = new Promise<"gave-up">((resolve) => (giveUp = () => resolve("gave-up")));
  const stop = interrupts(() => {
    if (interrupted) return giveUp();
    interrupted = true;
    controller.abort(new Error("Interrupted (Ctrl-C)"));
  });
  try {
    const running = Promise.resolve().then(() => task(controller.signal)).then(
      (value) => ({ settled: true, failed: false, value }),
      (error) => ({ settled: true, failed: true, error }),
    );
    const outcome = await Promise.race([running, gaveUp]);
    if (outcome === "gave-up") return { settled: false, failed: false, interrupted };
    return { ...outcome, interrupted };
  } finally {
    stop();
  }
}

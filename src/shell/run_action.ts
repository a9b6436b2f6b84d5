/**
 * Running an action from the shell: resolving the typed path to an action, applying the
 * shell's options (`set-option limit|serial|fail-fast|ask-on-failure|debug`) to the
 * environment it runs in, and printing its result, error, recap or sandbox plan.
 *
 * @module
 */
import type { Env, EnvOptions } from "../exec/env.ts";
import { buildRecap, formatRecap, HostTimes } from "../exec/recap.ts";
import { planInTreeOrder, treeHosts } from "../exec/tree_hosts.ts";
import { type ActionInfo, defaultActionOf } from "../node/action.ts";
import { Inspector } from "../node/inspect.ts";
import { isNode, unwrapView } from "../node/state.ts";
import { argumentsProblem, rebind, runInterruptible } from "./execute.ts";
import { formatError, formatPlan, formatResult } from "./format.ts";
import { resolveWords } from "./paths.ts";
import type { LineOutcome, ShellSession } from "./session.ts";
import { fullStack, whereText } from "./user_code.ts";
import type { Word } from "./words.ts";

/** What the shell's options change in the environment an action runs in (unset: as run). */
function runOptions(options: ShellSession["options"]): Pick<
  EnvOptions,
  "limit" | "serial" | "failFast"
> {
  const limit = options.get("limit");
  const serial = options.get("serial");
  const failFast = options.get("fail-fast");
  return {
    ...(typeof limit === "string" ? { limit } : {}),
    ...(typeof serial === "string" ? { serial: Number(serial) } : {}),
    ...(typeof failFast === "boolean" ? { failFast } : {}),
  };
}

/**
 * Tells the user that `word` is not a command (in red).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import type { ShellSession } from "./session.ts";
 * import { notFound } from "./run_action.ts";
 * class Root extends Node {}
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * let out = "";
 * const session: ShellSession = {
 *   env, console: env.console, location: { root, current: root }, options: new Map(),
 *   write: (text) => void (out += text), page: async (text) => void (out += text),
 *   columns: (names) => `${names.join(" ")}\n`, paint: (text) => text,
 *   name: "demo", version: "0.1.0",
 * };
 * notFound(session, "nope");
 * assert.equal(out, "Command not found: nope\n");
 * ```
 */
export function notFound(session: ShellSession, word: string): void {
  session.write(session.paint(`Command not found: ${word}\n`, "red"));
}

/**
 * Runs the action (or a node's default action) that `words` name, relative to the current
 * node; the words after the path are its arguments. `sandbox` makes it a dry run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import type { ShellSession } from "./session.ts";
 * import { runAction } from "./run_action.ts";
 * import { splitWords } from "./words.ts";
 * class Root extends Node {
 *   hello(name: string): string { return `hi ${name}`; }
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * let out = "";
 * const session: ShellSession = {
 *   env, console: env.console, location: { root, current: root }, options: new Map(),
 *   write: (text) => void (out += text), page: async (text) => void (out += text),
 *   columns: (names) => `${names.join(" ")}\n`, paint: (text) => text,
 *   name: "demo", version: "0.1.0",
 * };
 * assert.equal(await runAction(session, splitWords("hello 'big world'").words, false), undefined);
 * assert.equal(out, "hi big world\n");
 * ```
 */
export async function runAction(
  session: ShellSession,
  words: Word[],
  sandbox: boolean,
): Promise<LineOutcome> {
  const resolved = resolveWords(session.location, words, "action");
  if (!resolved.ok) return void notFound(session, resolved.word);
  // A path to a node runs its default action (python's callable nodes).
  const action = resolved.action ?? defaultActionOf(resolved.node);
  if (!action) return void session.write("Incomplete command\n");
  return await runResolved(session, resolved.node, action, resolved.args, sandbox);
}

/**
 * Runs `action` of `target` with `args` in a fork of the session's environment (with the
 * shell's options), and prints what came of it; a returned node starts a sub-shell.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { Inspector } from "../node/inspect.ts";
 * import type { ShellSession } from "./session.ts";
 * import { runResolved } from "./run_action.ts";
 * class Root extends Node {
 *   hello(name: string): string { return `hi ${name}`; }
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * let out = "";
 * const session: ShellSession = {
 *   env, console: env.console, location: { root, current: root }, options: new Map(),
 *   write: (text) => void (out += text), page: async (text) => void (out += text),
 *   columns: (names) => `${names.join(" ")}\n`, paint: (text) => text,
 *   name: "demo", version: "0.1.0",
 * };
 * const action = new Inspector(root).action("hello");
 * assert.equal(await runResolved(session, root, action, ["you"], false), undefined);
 * assert.equal(out, "hi you\n");
 * ```
 */
export async function runResolved(
  session: ShellSession,
  target: object,
  action: ActionInfo,
  args: string[],
  sandbox: boolean,
): Promise<LineOutcome> {
  const problem = argumentsProblem(action, args);
  if (problem) return void session.write(session.paint(`${problem}\n`, "red"));
  const askOnFailure = session.options.get("ask-on-failure") === true;
  let fork: Env | undefined;
  const times = new HostTimes();
  session.env.addLogger(times);
  const outcome = await runInterruptible((signal) => {
    const more = runOptions(session.options);
    fork = session.env.fork({
      signal,
      sandbox: sandbox || session.env.sandbox,
      askOnFailure,
      ...more,
    });
    const node = rebind(target, fork) as Record<string, (...a: string[]) => unknown>;
    return node[action.name](...args);
  }, session.interrupts).finally(() => session.env.removeLogger(times));
  if (!outcome.settled) {
    session.write(session.paint("Interrupted; the action may still be finishing\n", "yellow"));
  } else if (outcome.failed) {
    if (outcome.interrupted) session.write(session.paint("Interrupted\n", "yellow"));
    session.write(session.paint(formatError(outcome.error), "red"));
    session.write(
      session.options.get("debug")
        ? fullStack(outcome.error)
        : whereText(outcome.error, "(`set-option debug on` prints the full stack)"),
    );
    const order = treeHosts(unwrapView(session.location.root));
    const recap = buildRecap({ ...outcome, times, order, interrupted: outcome.interrupted });
    const path = `${new Inspector(target).fullPath()}.${action.name}`;
    if (recap.length > 1 || (outcome.interrupted && recap.length)) {
      session.write(formatRecap(path, recap));
    }
  } else if (isNode(outcome.value) && !sandbox) {
    session.write("\nStarting subshell ...\n");
    return { subshell: outcome.value };
  } else if (!action.flags.suppressResult) {
    session.write(formatResult(outcome.value));
  }
  // The `sandbox` command, or every action of a shell started with --sandbox.
  if ((sandbox || session.env.sandbox) && fork) {
    const order = treeHosts(unwrapView(session.location.root));
    session.write(formatPlan(planInTreeOrder(fork.plan(), order)));
  }
  return undefined;
}

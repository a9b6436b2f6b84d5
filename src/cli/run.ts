/**
 * The `run` command: bind the root in an `Env`, then run one action (printing its result,
 * the `--json` document or the sandbox plan) or open the interactive shell. SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT abort the environment, stop the hosts' commands (their whole
 * process sessions, checked on each host) and exit with 128 + the signal's number; a
 * second signal exits at once, after sending `KILL` to the local commands.
 *
 * @module
 */
import process from "node:process";
import { Console } from "../console/mod.ts";
import { Env, runtimeOf } from "../exec/env.ts";
import { HostFilter } from "../exec/host_filter.ts";
import { JsonLinesLogger, type Logger } from "../exec/logger.ts";
import { TerminalLogger } from "../exec/terminal_logger.ts";
import { UsageError } from "../errors.ts";
import type { NodeClass } from "../node/markers.ts";
import { Inspector } from "../node/inspect.ts";
import { formatPlan, formatResult } from "../shell/format.ts";
import { debugEnabled, errorText, jsonError, type JsonReport, jsonValue } from "./output.ts";
import { buildRecap, formatRecap, HostTimes } from "../exec/recap.ts";
import { callAction, resolveAction, resolveNode } from "./resolve.ts";
import { checkLimit, planInTreeOrder, treeHosts } from "../exec/tree_hosts.ts";
import { listenForStop, STOP_SIGNALS, StopTracker, tryWrite } from "./stop.ts";

/** Where the CLI writes. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
}

/** The options of `run`. */
export interface RunOptions {
  /** Dotted node path: where the shell starts, and what ACTION is relative to. */
  path?: string;
  /** Nobody answers questions; failed commands abort. */
  nonInteractive?: boolean;
  /** Dry run: print the plan instead of running commands. */
  sandbox?: boolean;
  /** How many commands run at once. */
  parallel?: number;
  /** Append JSON-lines events to this file. */
  log?: string;
  /** Print one JSON document on stdout (everything else goes to stderr). */
  json?: boolean;
  /** Print the full stack of an error. */
  debug?: boolean;
  /** Only the hosts whose slug matches these globs (`web*,!web2`), in every role. */
  limit?: string;
  /** Parallel actions start their isolations in batches of this many. */
  serial?: number;
  /** After a failed isolation, start no more (the rest are reported as skipped). */
  failFast?: boolean;
  /** Open the SCP shell on a host of the start node instead of the shell. */
  scp?: boolean;
}

/** Everything `executeRun` needs. */
export interface RunRequest {
  /** The root node class. */
  readonly root: NodeClass;
  /** The program name (shell prompt, messages). */
  readonly name: string;
  /** The options. */
  readonly options: RunOptions;
  /** `ACTION ARG...`; empty to open the shell. */
  readonly words: readonly string[];
  /** Extra loggers (python's `extra_loggers`). */
  readonly loggers?: readonly Logger[];
  /** Output. */
  readonly io: CliIo;
}

/** How long an interrupted action may take to stop before the CLI gives up on it. */
const STOP_GRACE_MS = 6_000;

/** The console of a `--json` run: questions and everything printed go to stderr. */
function jsonConsole(nonInteractive: boolean | undefined): Console {
  const interactive = !nonInteractive && Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
  return new Console({ input: process.stdin, output: process.stderr, interactive });
}

function openLog(path: string): JsonLinesLogger {
  try {
    return JsonLinesLogger.open(path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(`Cannot open the log file "${path}": ${why}`, { cause: error });
  }
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown } | { ok: "timeout" };

/** Waits for the action; once `signal` aborts, waits at most `STOP_GRACE_MS` more. */
function settle(promise: Promise<unknown>, signal: AbortSignal): Promise<Settled> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve({ ok: "timeout" }), STOP_GRACE_MS);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const done = (result: Settled) => {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(timer);
      resolve(result);
    };
    promise.then((value) => done({ ok: true, value }), (error) => done({ ok: false, error }));
  });
}

/**
 * Runs `run`: one action, or the interactive shell when no action is given and a person
 * is at a terminal. Resolves to the exit code (0 ok, 1 the action failed, 130
 * interrupted). Usage problems (unknown path or action, missing arguments, no terminal
 * for the shell) throw a {@linkcode UsageError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "../host/local.ts";
 * import { Node } from "../node/node.ts";
 * import { executeRun } from "./run.ts";
 * class Root extends Node {
 *   static override hosts = { host: new LocalHost() };
 *   answer(): number { return 42; }
 * }
 * let out = "";
 * const io = { out: (t: string) => (out += t), err: () => {} };
 * const code = await executeRun({
 *   root: Root, name: "demo", options: { nonInteractive: true }, words: ["answer"], io,
 * });
 * assert.equal(code, 0);
 * assert.equal(out, "42\n");
 * ```
 */
export async function executeRun(request: RunRequest): Promise<number> {
  const { options, io } = request;
  if (
    options.parallel !== undefined && (!Number.isInteger(options.parallel) || options.parallel < 1)
  ) {
    throw new UsageError(`--parallel must be a positive integer, got ${options.parallel}`);
  }
  if (options.serial !== undefined && (!Number.isInteger(options.serial) || options.serial < 1)) {
    throw new UsageError(`--serial must be a positive integer, got ${options.serial}`);
  }
  const filter = options.limit === undefined ? undefined : HostFilter.parse(options.limit);
  const loggers: Logger[] = [...(request.loggers ?? [])];
  if (options.log) loggers.push(openLog(options.log));
  const controller = new AbortController();
  await using env = new Env({
    interactive: options.nonInteractive ? false : undefined,
    // With --json, stdout carries the document only: questions, progress and what
    // actions print go to stderr (and a person answers there when it is a terminal).
    console: options.json ? jsonConsole(options.nonInteractive) : undefined,
    sandbox: options.sandbox ?? false,
    signal: controller.signal,
    parallel: options.parallel,
    limit: options.limit,
    serial: options.serial,
    failFast: options.failFast,
    loggers,
  });
  const tty = Deno.stderr.isTerminal();
  const color = !options.json && tty && !Deno.noColor;
  // Through the console: held back while a question is open, kept above the live line.
  env.addLogger(new TerminalLogger(env.console.writerFor(io.err), { color, clearLine: tty }));
  // A second signal exits at once, but kills the local commands first (some ignore TERM).
  const killLocal = () => runtimeOf(env).killLocalNow();
  // Every host of the whole tree, in definition order (bound without --limit).
  const order = treeHosts(env.fork({ limit: undefined }).bind(request.root) as object);
  if (filter) {
    const unmatched = checkLimit(filter, order);
    if (unmatched.length) {
      io.err(`Warning: --limit pattern ${unmatched.join(", ")} matches no host\n`);
    }
  }
  const root = env.bind(request.root) as object;
  const start = options.path ? resolveNode(root, options.path) : root;
  const [actionPath, ...args] = request.words;
  if (options.scp) {
    if (actionPath !== undefined) throw new UsageError("--scp opens the SCP shell: no ACTION");
    if (!env.console.isInteractive) throw new UsageError("--scp needs a terminal");
    const { scpOnNode } = await import("../shell/mod.ts");
    await scpOnNode(env.console, start, (text) => void io.out(text));
    return 0;
  }
  if (actionPath === undefined) {
    if (!env.console.isInteractive || options.json) {
      const actions = new Inspector(start).actions().map((a) => a.name).join(", ") || "none";
      throw new UsageError(
        `No action given, and the interactive shell needs a terminal${
          options.json ? " (and no --json)" : ""
        }: pass the action after "--", e.g. \`${request.name} run -- ACTION ARG...\` ` +
          `(actions of ${new Inspector(start).fullPath()}: ${actions})`,
      );
    }
    const startPath = (options.path ?? "").split(".").filter(Boolean).flatMap((segment) => {
      const match = segment.match(/^([^[\]]+)\[([^\]]*)\]$/);
      return match ? [match[1], `:${match[2]}`] : [segment];
    });
    // The shell reads Ctrl-C itself; the other signals stop what runs, then end the process.
    const shellTracker = new StopTracker();
    env.addLogger(shellTracker);
    const unlisten = listenForStop(io, STOP_SIGNALS.slice(1), (name, code) => {
      tryWrite(io, `\n${name}: stopping the running commands...\n`);
      controller.abort(new DOMException(`Interrupted by ${name}`, "AbortError"));
      shellTracker.idle(STOP_GRACE_MS).then(() => {
        const text = shellTracker.summary();
        if (text) tryWrite(io, `${name}: ${text}.\n`);
        try {
          if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(false);
        } catch {
          // the terminal is gone
        }
        Deno.exit(code);
      });
    }, killLocal);
    try {
      // The shell (readline, completion, source lookup) loads only when it is used.
      const { runShell } = await import("../shell/mod.ts");
      return await runShell({ root, env, name: request.name, startPath, debug: options.debug });
    } finally {
      unlisten();
    }
  }

  const action = resolveAction(start, actionPath);
  const tracker = new StopTracker();
  env.addLogger(tracker);
  const times = new HostTimes();
  env.addLogger(times);
  const started = performance.now();

  let interrupted: { name: Deno.Signal; code: number } | undefined;
  const unlisten = listenForStop(io, STOP_SIGNALS, (name, code) => {
    interrupted = { name, code };
    tryWrite(
      io,
      `\nInterrupted${name === "SIGINT" ? "" : ` by ${name}`}: stopping the running commands...\n`,
    );
    controller.abort(new DOMException(`Interrupted by ${name}`, "AbortError"));
  }, killLocal);
  let outcome: Settled;
  try {
    outcome = await settle(callAction(action, args), controller.signal);
  } finally {
    unlisten();
  }

  const report: JsonReport = { ok: outcome.ok === true, action: action.path, args: [...args] };
  const recap = buildRecap({
    value: outcome.ok === true ? outcome.value : undefined,
    error: outcome.ok === false ? outcome.error : undefined,
    interrupted: interrupted !== undefined,
    times,
    order,
  });
  let code: number;
  if (interrupted) {
    const stopped = [...tracker.stopped].filter((h) => !tracker.unconfirmed.has(h));
    const summary = tracker.summary();
    const text = outcome.ok === "timeout"
      ? `the action did not stop within ${STOP_GRACE_MS / 1000} s` +
        (summary ? `; ${summary}` : "")
      : summary || "nothing was running";
    const by = interrupted.name === "SIGINT" ? "" : ` (${interrupted.name})`;
    tryWrite(io, `Interrupted ${action.path}${by}: ${text}.\n`);
    report.ok = false;
    report.error = outcome.ok === false
      ? jsonError(outcome.error)
      : { name: "Interrupted", message: `Interrupted: ${text}` };
    report.interrupted = {
      signal: interrupted.name,
      stoppedHosts: stopped,
      unconfirmedHosts: [...tracker.unconfirmed],
    };
    code = interrupted.code;
  } else if (outcome.ok === true) {
    report.result = jsonValue(outcome.value);
    if (!options.json && !options.sandbox && !action.info.flags.suppressResult) {
      io.out(formatResult(outcome.value));
    }
    code = 0;
  } else {
    const error = (outcome as { error: unknown }).error;
    report.error = jsonError(error);
    io.err(errorText(error, debugEnabled() || options.debug === true));
    code = 1;
  }
  report.duration = Math.round(performance.now() - started) / 1000;
  if (recap.length) report.hosts = recap;
  if (recap.length > 1 && !options.json && !options.sandbox) {
    io.err(formatRecap(action.path, recap));
  }
  // The plan in host definition order (each host's commands in the order they ran).
  const plan = planInTreeOrder(env.plan(), order);
  if (options.sandbox) report.plan = plan;
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (options.sandbox) io.out(formatPlan(plan));
  return code;
}

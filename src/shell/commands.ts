/**
 * What one shell line does: the built-in commands (`cd`, `ls`, `find`, `--inspect`,
 * `sandbox`, ...) and running an action by its path.
 *
 * @module
 */
import type { Console } from "../console/mod.ts";
import type { Env } from "../exec/env.ts";
import { Inspector } from "../node/inspect.ts";
import { isNode, unwrapView } from "../node/state.ts";
import { builtinMode, BUILTINS, OPTION_VALUES } from "./complete.ts";
import { argumentsProblem, rebind, runInterruptible } from "./execute.ts";
import { formatError, formatPlan, formatResult } from "./format.ts";
import { inspectMember, inspectNode, sourceCode } from "./inspect_text.ts";
import { type Location, resolveWords } from "./paths.ts";
import { runSpecial } from "./special.ts";
import { splitWords, type Word } from "./words.ts";

/** The mutable state of one shell (one per `runShell` call, never global). */
export interface ShellSession {
  /** The environment actions run in (forked per action). */
  readonly env: Env;
  /** The console, for questions. */
  readonly console: Console;
  /** Where the shell is. */
  location: Location;
  /** Writes text to the user. */
  readonly write: (text: string) => void;
  /** Shows long text (paged when the console can). */
  readonly page: (text: string) => Promise<void>;
  /** Lays out names in columns. */
  readonly columns: (names: string[]) => string;
  /** Colours text when colour is on. */
  readonly paint: (text: string, color: string) => string;
  /** `color`, `ask-on-failure`. */
  readonly options: Map<string, boolean>;
  /** The program name, for `--version`. */
  readonly name: string;
  /** The deployer version. */
  readonly version: string;
}

/** What a line asks the shell loop to do next. */
export type LineOutcome = { exit: true } | { subshell: object } | undefined;

const HELP: readonly [string, string][] = [
  ["<path> <action> [args...]", "run an action (arguments are strings; quote with ' or \")"],
  ["cd <path>", "go to a node: names, .., /, - (previous), :slug (one isolation)"],
  ["ls [path]", "list child nodes and actions"],
  ["pwd", "print the current path"],
  ["find [path]", "list every action below a node"],
  ["sandbox <path> <action> [args]", "dry run: show the commands that would run"],
  ["--inspect [path] [member]", "show a node, action, query or value"],
  ["--source-code [path]", "show the class source"],
  ["--run / --run-with-sudo [path]", "run a shell command on every host of a node"],
  ["--connect [path]", "open an interactive shell on one host of a node"],
  ["--version", "show versions"],
  ["set-option <name> on|off", "color, ask-on-failure"],
  ["show-options", "show option values"],
  ["clear", "clear the screen"],
  ["exit", "leave the shell (or Ctrl-D)"],
];

function notFound(session: ShellSession, word: string): void {
  session.write(session.paint(`Command not found: ${word}\n`, "red"));
}

function resolveNode(session: ShellSession, words: Word[]): object | undefined {
  const resolved = resolveWords(session.location, words, "node");
  if (!resolved.ok) return void notFound(session, resolved.word);
  return resolved.node;
}

function listing(session: ShellSession, node: object): string {
  const inspector = new Inspector(node);
  const children = inspector.children().map(([name]) => name);
  const actions = inspector.actions().map((a) => a.name);
  let text = "";
  if (children.length) text += `Child nodes:\n${session.columns(children)}`;
  if (actions.length) text += `Actions:\n${session.columns(actions.map((a) => `${a}*`))}`;
  return text;
}

function findLines(node: object, prefix: string[]): string[] {
  const inspector = new Inspector(node);
  const lines = inspector.actions().map((a) => ` ${[...prefix, a.name].join(" ")}`);
  for (const [name, child] of inspector.children()) {
    lines.push(...findLines(child, [...prefix, name]));
  }
  return lines;
}

function displayPath(node: object): string {
  return `/${new Inspector(node).path().join(".")}`;
}

async function runAction(
  session: ShellSession,
  words: Word[],
  sandbox: boolean,
): Promise<LineOutcome> {
  const resolved = resolveWords(session.location, words, "action");
  if (!resolved.ok) return void notFound(session, resolved.word);
  if (!resolved.action) return void session.write("Incomplete command\n");
  const { action, args } = resolved;
  const problem = argumentsProblem(action, args);
  if (problem) return void session.write(session.paint(`${problem}\n`, "red"));
  const askOnFailure = session.options.get("ask-on-failure") ?? false;
  let fork: Env | undefined;
  const outcome = await runInterruptible((signal) => {
    fork = session.env.fork({ signal, sandbox: sandbox || session.env.sandbox, askOnFailure });
    const node = rebind(resolved.node, fork) as Record<string, (...a: string[]) => unknown>;
    return node[action.name](...args);
  });
  if (!outcome.settled) {
    session.write(session.paint("Interrupted; the action may still be finishing\n", "yellow"));
  } else if (outcome.failed) {
    if (outcome.interrupted) session.write(session.paint("Interrupted\n", "yellow"));
    session.write(session.paint(formatError(outcome.error), "red"));
  } else if (isNode(outcome.value) && !sandbox) {
    session.write("\nStarting subshell ...\n");
    return { subshell: outcome.value };
  } else if (!action.flags.suppressResult) {
    session.write(formatResult(outcome.value));
  }
  if (sandbox && fork) session.write(formatPlan(fork.plan()));
  return undefined;
}

async function inspect(session: ShellSession, words: Word[]): Promise<void> {
  const resolved = resolveWords(session.location, words, "inspect");
  if (!resolved.ok) return notFound(session, resolved.word);
  let sandboxed: object | undefined;
  try {
    sandboxed = rebind(resolved.node, session.env.fork({ sandbox: true }));
  } catch {
    sandboxed = undefined;
  }
  const name = resolved.action?.name ?? resolved.member;
  const text = name
    ? await inspectMember(resolved.node, name, sandboxed)
    : await inspectNode(resolved.node, sandboxed);
  await session.page(text);
}

function setOption(session: ShellSession, words: Word[]): void {
  const [name, value] = words.map((w) => w.text);
  if (!name || !(name in OPTION_VALUES) || (value !== "on" && value !== "off")) {
    session.write(`Usage: set-option <${Object.keys(OPTION_VALUES).join("|")}> <on|off>\n`);
    return;
  }
  session.options.set(name, value === "on");
}

function cd(session: ShellSession, words: Word[]): void {
  const target = resolveNode(session, words);
  if (!target) return;
  session.location = { ...session.location, previous: session.location.current, current: target };
}

/**
 * Runs one line typed in the shell and says whether to exit or start a sub-shell.
 *
 * @example Usage
 * ```ts
 * import { executeLine } from "./commands.ts";
 * console.assert(typeof executeLine === "function");
 * ```
 */
export async function executeLine(session: ShellSession, line: string): Promise<LineOutcome> {
  const split = splitWords(line);
  if (split.unterminated) return void session.write("Unterminated quote\n");
  const words = split.words;
  if (words.length === 0) return undefined;
  const [first, ...rest] = words;
  const builtin = !first.quoted && BUILTINS.includes(first.text) ? first.text : undefined;
  if (builtin && builtinMode(builtin) === "none" && rest.length && builtin !== "set-option") {
    return void notFound(session, rest[0].text);
  }
  const here = unwrapView(session.location.current);
  switch (builtin) {
    case undefined:
      return await runAction(session, words, false);
    case "exit":
      return { exit: true };
    case "cd":
      return void cd(session, rest);
    case "pwd":
      return void session.write(`${displayPath(here)}\n`);
    case "clear":
      return void session.write("\x1b[2J\x1b[0;0H");
    case "help":
      return void session.write(
        HELP.map(([usage, what]) => `  ${usage.padEnd(32)} ${what}\n`).join(""),
      );
    case "ls": {
      const node = resolveNode(session, rest);
      if (node) session.write(listing(session, node));
      return;
    }
    case "find": {
      const node = resolveNode(session, rest);
      if (node) await session.page(findLines(node, []).join("\n") + "\n");
      return;
    }
    case "sandbox":
      return await runAction(session, rest, true);
    case "--inspect":
      return void (await inspect(session, rest));
    case "--source-code": {
      const node = resolveNode(session, rest);
      if (node) await session.page(sourceCode(node));
      return;
    }
    case "set-option":
      return void setOption(session, rest);
    case "show-options":
      return void session.write(
        [...session.options].map(([k, v]) => `${k.padEnd(20)} ${v ? "on" : "off"}\n`).join(""),
      );
    default: {
      const node = builtinMode(builtin) === "node" ? resolveNode(session, rest) : here;
      if (node) await runSpecial(session, builtin, node);
      return;
    }
  }
}

/**
 * What one shell line does: the registry of built-in commands (`cd`, `ls`, `find`,
 * `--inspect`, `sandbox`, ...), which help, completion and dispatch all read. Running an
 * action by its path lives in `run_action.ts`.
 *
 * @module
 */
import { HostFilter } from "../exec/host_filter.ts";
import { checkLimit, treeHosts } from "../exec/tree_hosts.ts";
import { defaultActionOf } from "../node/action.ts";
import { Inspector } from "../node/inspect.ts";
import { unwrapView } from "../node/state.ts";
import { rebind } from "./execute.ts";
import { actionUsage, inspectMember, inspectNode, sourceCode } from "./inspect_text.ts";
import { resolveWords } from "./paths.ts";
import { notFound, runAction, runResolved } from "./run_action.ts";
import type { Builtin, LineOutcome, ShellSession } from "./session.ts";
import { connect, reportFailure, runOnHosts, version } from "./special.ts";
import { scpOnNode } from "./scp/scp_shell.ts";
import { splitWords, type Word } from "./words.ts";

export type { Builtin, BuiltinArguments, LineOutcome, ShellSession } from "./session.ts";

/** The options `set-option` knows, with their values. */
export const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  "color": ["on", "off"],
  "ask-on-failure": ["on", "off"],
  "debug": ["on", "off"],
  "fail-fast": ["on", "off"],
  "limit": ["all"],
  "serial": ["all"],
};

/** The options with a text value (`all` clears them). */
const TEXT_OPTIONS: Readonly<Record<string, (value: string, session: ShellSession) => void>> = {
  limit: (value, session) => {
    // Checked against every host of the tree, also those a `run --limit` left out.
    const all = rebind(session.location.root, session.env.fork({ limit: undefined }));
    checkLimit(HostFilter.parse(value), treeHosts(unwrapView(all)));
  },
  serial: (value) => {
    if (!/^[1-9]\d*$/.test(value)) throw new Error(`serial expects a positive integer or all`);
  },
};

function names(list: string[]): string {
  return list.length ? list.join(", ") : "none";
}

function unknownNode(session: ShellSession, word: string, at: object): void {
  const children = new Inspector(at).children().map(([name]) => name);
  session.write(
    session.paint(
      `Unknown node "${word}" in ${displayPath(at)} (child nodes: ${names(children)})\n`,
      "red",
    ),
  );
}

function resolveNode(session: ShellSession, words: Word[]): object | undefined {
  const resolved = resolveWords(session.location, words, "node");
  if (!resolved.ok) return void unknownNode(session, resolved.word, resolved.node);
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
  if (name in TEXT_OPTIONS && value) {
    if (value === "all") return void session.options.delete(name);
    try {
      TEXT_OPTIONS[name](value, session);
    } catch (error) {
      return void session.write(session.paint(`${(error as Error).message}\n`, "red"));
    }
    return void session.options.set(name, value);
  }
  if (!name || !(name in OPTION_VALUES) || (value !== "on" && value !== "off")) {
    session.write(
      `Usage: set-option <${Object.keys(OPTION_VALUES).join("|")}> <on|off|PATTERNS|N|all>\n`,
    );
    return;
  }
  session.options.set(name, value === "on");
}

function cd(session: ShellSession, target: object): void {
  session.location = { ...session.location, previous: session.location.current, current: target };
}

function actionHelp(session: ShellSession, words: Word[]): void {
  const resolved = resolveWords(session.location, words, "action");
  if (!resolved.ok) {
    const at = new Inspector(resolved.node);
    session.write(
      session.paint(
        `Unknown action "${resolved.word}" in ${displayPath(resolved.node)} (actions: ${
          names(at.actions().map((a) => a.name))
        }; child nodes: ${names(at.children().map(([name]) => name))})\n`,
        "red",
      ),
    );
    return;
  }
  if (!resolved.action) {
    session.write(listing(session, resolved.node));
    return;
  }
  session.write(actionUsage(resolved.node, resolved.action));
}

function help(session: ShellSession, words: Word[]): void {
  if (words.length) return actionHelp(session, words);
  const lines: [string, string][] = [
    ["<path> <action> [args...]", "run an action (arguments are strings; quote with ' or \")"],
    ...BUILTIN_COMMANDS.map((b): [string, string] => [`${b.name} ${b.usage}`.trim(), b.help]),
  ];
  session.write(lines.map(([usage, what]) => `  ${usage.padEnd(32)} ${what}\n`).join(""));
}

/**
 * Every built-in command of the shell, in the order completion offers them: name, help,
 * what it takes (for completion and argument checks) and handler. `help`, the completer
 * and {@linkcode executeLine} all read this list.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUILTIN_COMMANDS } from "./commands.ts";
 * const cd = BUILTIN_COMMANDS.find((b) => b.name === "cd");
 * assert.equal(cd?.takes, "node");
 * ```
 */
export const BUILTIN_COMMANDS: readonly Builtin[] = [
  {
    name: "cd",
    usage: "<path>",
    help: "go to a node: names, .., /, - (previous), :slug (one isolation)",
    takes: "node",
    run: (session, _args, node) => void cd(session, node),
  },
  {
    name: "ls",
    usage: "[path]",
    help: "list child nodes and actions",
    takes: "node",
    run: (session, _args, node) => void session.write(listing(session, node)),
  },
  {
    name: "pwd",
    usage: "",
    help: "print the current path",
    takes: "none",
    run: (session, _args, node) => void session.write(`${displayPath(node)}\n`),
  },
  {
    name: "find",
    usage: "[path]",
    help: "list every action below a node",
    takes: "node",
    run: async (session, _args, node) => {
      await session.page(findLines(node, []).join("\n") + "\n");
    },
  },
  {
    name: "clear",
    usage: "",
    help: "clear the screen",
    takes: "none",
    run: (session) => void session.write("\x1b[2J\x1b[0;0H"),
  },
  {
    name: "exit",
    usage: "",
    help: "leave the shell (or Ctrl-D)",
    takes: "none",
    run: () => ({ exit: true }),
  },
  {
    name: ".",
    usage: "[args...]",
    help: "run the default action of the current node",
    takes: "strings",
    run: async (session, args, node) => {
      const action = defaultActionOf(node);
      if (!action) return void session.write(`${displayPath(node)} has no default action\n`);
      return await runResolved(session, node, action, args.map((w) => w.text), false);
    },
  },
  {
    name: "sandbox",
    usage: "<path> <action> [args]",
    help: "dry run: show the commands that would run",
    takes: "action",
    run: (session, args) => runAction(session, args, true),
  },
  {
    name: "set-option",
    usage: "<name> on|off",
    help: Object.keys(OPTION_VALUES).join(", "),
    takes: "option",
    run: (session, args) => void setOption(session, args),
  },
  {
    name: "show-options",
    usage: "",
    help: "show option values",
    takes: "none",
    run: (session) =>
      void session.write(
        [...session.options].map(([k, v]) =>
          `${k.padEnd(20)} ${typeof v === "string" ? v : v ? "on" : "off"}\n`
        ).join(""),
      ),
  },
  {
    name: "help",
    usage: "[path action]",
    help: "show this list, or an action's description and parameters",
    takes: "action",
    run: (session, args) => void help(session, args),
  },
  {
    name: "--inspect",
    usage: "[path] [member]",
    help: "show a node, action, query or value",
    takes: "inspect",
    run: async (session, args) => void (await inspect(session, args)),
  },
  {
    name: "--source-code",
    usage: "[path]",
    help: "show the class source",
    takes: "node",
    run: async (session, _args, node) => void (await session.page(sourceCode(node))),
  },
  {
    name: "--connect",
    usage: "[path]",
    help: "open an interactive shell on one host of a node",
    takes: "node",
    run: async (session, _args, node) =>
      void (await reportFailure(session, () => connect(session, node))),
  },
  {
    name: "--run",
    usage: "[path]",
    help: "run a shell command on every host of a node",
    takes: "node",
    run: async (session, _args, node) =>
      void (await reportFailure(session, () => runOnHosts(session, node, false))),
  },
  {
    name: "--run-with-sudo",
    usage: "[path]",
    help: "run a shell command with sudo on every host of a node",
    takes: "node",
    run: async (session, _args, node) =>
      void (await reportFailure(session, () => runOnHosts(session, node, true))),
  },
  {
    name: "--version",
    usage: "",
    help: "show versions",
    takes: "none",
    run: async (session, _args, node) =>
      void (await reportFailure(session, () => version(session, node))),
  },
  {
    name: "--scp",
    usage: "[path]",
    help: "the SCP shell on one host of a node (remote and local files)",
    takes: "node",
    run: async (session, _args, node) =>
      void (await reportFailure(session, () => scpOnNode(session.console, node, session.write))),
  },
];

/**
 * Runs one line typed in the shell and says whether to exit or start a sub-shell.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { executeLine, type ShellSession } from "./commands.ts";
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
 * await executeLine(session, "hello 'big world'");
 * assert.equal(out, "hi big world\n");
 * assert.deepEqual(await executeLine(session, "exit"), { exit: true });
 * ```
 */
export async function executeLine(session: ShellSession, line: string): Promise<LineOutcome> {
  const split = splitWords(line);
  if (split.unterminated) return void session.write("Unterminated quote\n");
  const words = split.words;
  if (words.length === 0) return undefined;
  const [first, ...rest] = words;
  const builtin = first.quoted ? undefined : BUILTIN_COMMANDS.find((b) => b.name === first.text);
  if (!builtin) return await runAction(session, words, false);
  if (builtin.takes === "none" && rest.length) return void notFound(session, rest[0].text);
  const node = builtin.takes === "node"
    ? resolveNode(session, rest)
    : unwrapView(session.location.current);
  if (!node) return undefined;
  return await builtin.run(session, rest, node);
}

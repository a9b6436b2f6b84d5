/**
 * The interactive deployment shell: a prompt on a node of the tree, tab completion,
 * history, built-in commands, and actions run by their path (python-deployer's shell).
 *
 * @module
 */
import { createInterface } from "node:readline";
import { colorEnabled, colorize, type ColorName } from "../console/colors.ts";
import { escapeControl, hasControl } from "../console/control.ts";
import { inColumns } from "../console/columns.ts";
import type { Env } from "../exec/env.ts";
import { Inspector } from "../node/inspect.ts";
import { VERSION } from "../version.ts";
import { unwrapView } from "../node/state.ts";
import { executeLine, type ShellSession } from "./commands.ts";
import { complete } from "./complete.ts";
import { type Location, stepPath } from "./paths.ts";

/** Options of {@linkcode runShell}. */
export interface ShellOptions {
  /** The bound root node (or its parallel view). */
  root: object;
  /** The environment the tree is bound to; actions run in forks of it. */
  env: Env;
  /** The program name shown by `--version`. */
  name?: string;
  /** Node names to start in (python's `--path`). */
  startPath?: string[];
  /** Where keys come from (default: this process's stdin). */
  input?: NodeJS.ReadableStream;
  /** Where the shell writes (default: this process's stdout). */
  output?: NodeJS.WritableStream;
  /** Print the full stack of a failed action (the `debug` option; default off). */
  debug?: boolean;
  /** Where Ctrl-C comes from while an action runs (default: this process's SIGINT). */
  interrupts?: (handler: () => void) => () => void;
}

const HISTORY_SIZE = 1000;

function historyFile(): string | undefined {
  try {
    const home = Deno.env.get("HOME");
    return home ? `${home}/.deployer_history` : undefined;
  } catch {
    return undefined;
  }
}

function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  try {
    // Commands may name hosts, paths and arguments: the history is private (0600).
    const mode = Deno.statSync(path).mode;
    if (mode !== null && (mode & 0o077) !== 0) Deno.chmodSync(path, mode & 0o700);
  } catch {
    // No history yet, or not ours to change.
  }
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l.trim()).slice(-HISTORY_SIZE)
      .reverse();
  } catch {
    return [];
  }
}

function saveHistory(path: string | undefined, line: string): void {
  if (!path) return;
  try {
    Deno.writeTextFileSync(path, `${line.replace(/\n/g, " ")}\n`, { append: true, mode: 0o600 });
  } catch {
    // History is a convenience: a read-only home is fine.
  }
}

interface Io {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly history: string[];
  readonly historyPath: string | undefined;
  readonly pending: string[];
  partial: string;
}

function readLine(
  io: Io,
  prompt: string,
  completer: (line: string) => [string[], string],
): Promise<string | null> {
  // Lines typed ahead (or pasted) while the previous one was handled come first.
  const ahead = io.pending.shift();
  if (ahead !== undefined) {
    io.output.write(`${prompt}${ahead}\n`);
    return Promise.resolve(ahead);
  }
  return new Promise((resolve) => {
    const rl = createInterface({
      input: io.input,
      output: io.output,
      completer,
      terminal: true,
      history: [...io.history],
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
    });
    let done = false;
    const finish = (value: string | null, keepPartial = true) => {
      if (done) return;
      done = true;
      // Close after the rest of the current input chunk was read: further lines in it
      // are kept for the next prompts, not lost.
      setTimeout(() => {
        // A line typed only in part by now continues at the next prompt.
        io.partial = keepPartial ? (rl as unknown as { line?: string }).line ?? "" : "";
        rl.close();
        resolve(value);
      }, 0);
    };
    rl.on("line", (line: string) => {
      if (done) io.pending.push(line);
      else finish(line);
    });
    rl.on("SIGINT", () => {
      io.output.write("^C\n");
      finish("", false);
    });
    rl.on("close", () => finish(null));
    rl.setPrompt(prompt);
    rl.prompt();
    if (io.partial) {
      rl.write(io.partial);
      io.partial = "";
    }
  });
}

function promptFor(session: ShellSession): string {
  const node = unwrapView(session.location.current);
  const inspector = new Inspector(node);
  const color = inspector.group()?.color;
  const path = inspector.fullPath();
  const shown = escapeControl(path);
  const sandbox = session.env.sandbox ? ` ${session.paint("(sandbox)", "yellow")}` : "";
  return `${color ? session.paint(shown, color) : shown}${sandbox} > `;
}

// Only the tool itself writes nothing but cursor and erase sequences (`clear`); user
// data always comes inside other text.
// deno-lint-ignore no-control-regex
const SCREEN_ONLY = /^(?:\x1b\[[0-9;]*[HJ])+$/;

/**
 * What the shell writes, made safe for the terminal: node names, values and messages
 * cannot move the cursor, clear the screen or set the title (their control characters
 * are shown as escapes); colours and the `clear` command still work.
 */
function safeText(text: string): string {
  return SCREEN_ONLY.test(text) ? text : escapeControl(text, { newlines: true, sgr: "keep" });
}

async function loop(session: ShellSession, io: Io, start: Location): Promise<void> {
  const saved = session.location;
  session.location = start;
  try {
    for (;;) {
      const completer = (line: string): [string[], string] => {
        const [candidates, word] = complete(session.location.root, session.location.current, line, {
          previous: session.location.previous,
        });
        // readline prints candidates raw; names with control characters cannot be typed.
        return [candidates.filter((c) => !hasControl(c)), word];
      };
      const line = await readLine(io, promptFor(session), completer);
      if (line === null) {
        session.write("\n");
        return;
      }
      const text = line.trim();
      if (!text) continue;
      if (io.history[0] !== text) {
        io.history.unshift(text);
        io.history.length = Math.min(io.history.length, HISTORY_SIZE);
        saveHistory(io.historyPath, text);
      }
      let outcome;
      try {
        outcome = await executeLine(session, text);
      } catch (error) {
        session.write(session.paint(`${error instanceof Error ? error.message : error}\n`, "red"));
        continue;
      }
      if (outcome && "exit" in outcome) return;
      if (outcome && "subshell" in outcome) {
        const sub = unwrapView(outcome.subshell);
        await loop(session, io, { root: sub, current: sub });
      }
    }
  } finally {
    session.location = saved;
  }
}

/**
 * Opens the interactive shell on a bound tree and resolves with an exit code when the
 * user types `exit` or presses Ctrl-D. Tab completes commands, node names and actions
 * (twice to list them); Ctrl-C clears the line, or stops the running action.
 *
 * @example Usage
 * ```ts
 * // Illustrative: the shell reads the keys of this process's terminal until `exit`, so
 * // this is type-checked but not run (as a module that is not the main one, it does nothing).
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { runShell } from "./shell.ts";
 * class Root extends Node {
 *   hello(): string { return "hi"; }
 * }
 * if (import.meta.main) {
 *   await using env = new Env();
 *   Deno.exit(await runShell({ root: env.bind(Root), env }));
 * }
 * ```
 */
export async function runShell(options: ShellOptions): Promise<number> {
  const env = options.env;
  const input = options.input ?? env.console.inputStream;
  const output = options.output ?? env.console.outputStream;
  const ownConsole = output === env.console.outputStream;
  const historyPath = historyFile();
  const io: Io = {
    input,
    output,
    history: loadHistory(historyPath),
    historyPath,
    pending: [],
    partial: "",
  };
  const colorDefault = ownConsole ? env.console.color : colorEnabled(output as { isTTY?: boolean });
  const settings = new Map<string, boolean | string>([
    ["color", colorDefault],
    ["ask-on-failure", env.askOnFailure],
    ["debug", options.debug ?? false],
  ]);
  const root = unwrapView(options.root);
  const session: ShellSession = {
    env,
    console: env.console,
    location: { root, current: root },
    write: (text) => void output.write(safeText(text)),
    page: (text) =>
      ownConsole
        ? env.console.lesspipe(safeText(text).replace(/\n$/, "").split("\n"))
        : Promise.resolve(void output.write(safeText(text))),
    columns: (names) => {
      const columns = (output as { columns?: number }).columns ?? 80;
      return inColumns(names, { columns, marginLeft: 2 }).map((l) => `${l}\n`).join("");
    },
    paint: (text, color) =>
      colorize(text, color as ColorName, settings.get("color") === true, { bold: true }),
    options: settings,
    name: options.name ?? "deployer",
    version: VERSION,
    interrupts: options.interrupts,
  };
  let start = root;
  for (const name of options.startPath ?? []) {
    const next = stepPath(session.location, start, { text: name, quoted: true });
    if (!next) {
      session.write("Unknown path given.\n");
      break;
    }
    start = next;
  }
  await loop(session, io, { root, current: start });
  return 0;
}

/**
 * The SCP shell (python-deployer's `--scp`): a remote and a local working directory on
 * one host, file and directory transfers, paging, editing, and tab completion of remote
 * paths (over SFTP) and local paths.
 *
 * @module
 */
import { posix } from "node:path";
import { createInterface } from "node:readline";
import type { Console } from "../../console/console.ts";
import { escapeControl } from "../../console/control.ts";
import type { HostHandle } from "../../host/handle.ts";
import type { HostSet } from "../../host/host_set.ts";
import { runInterruptible } from "../execute.ts";
import { SCP_COMMANDS, SCP_COMPLETION } from "./commands.ts";
import { argumentText, completeScp, type PathEntry, type Side } from "./complete.ts";
import { remotePath, resolveIn, type ScpState, shown } from "./state.ts";

/** Options of {@linkcode runScpShell}. */
export interface ScpShellOptions {
  /** The host (bound to an environment). */
  host: HostHandle;
  /** The console: its streams are the shell's terminal. */
  console: Console;
  /** The local directory to start in (default: this process's cwd). */
  localDir?: string;
}

function prompt(state: ScpState): string {
  const base = (p: string) => shown(posix.basename(p) || "/");
  return `local:${base(state.local)} ~ ${shown(state.host.slug)}:${base(state.remote)} > `;
}

async function list(state: ScpState, side: Side, dir: string): Promise<PathEntry[]> {
  if (side === "remote") {
    const entries = await state.host.listdirStat(await remotePath(state, dir));
    return entries.map((e) => ({ name: e.filename, isDir: e.isDir }));
  }
  const path = resolveIn(state.local, dir);
  const out: PathEntry[] = [];
  for await (const e of Deno.readDir(path)) {
    const isDir = e.isDirectory ||
      (e.isSymlink && await Deno.stat(`${path}/${e.name}`).then((s) => s.isDirectory, () => false));
    out.push({ name: e.name, isDir });
  }
  return out;
}

function readLine(state: ScpState, history: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({
      input: state.console.inputStream,
      output: state.console.outputStream,
      terminal: true,
      history: [...history],
      completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
        completeScp(line, SCP_COMPLETION, (side, dir) => list(state, side, dir)).then(
          (result) => callback(null, result),
          () => callback(null, [[], line]),
        );
      },
    });
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      setTimeout(() => {
        rl.close();
        resolve(value);
      }, 0);
    };
    rl.on("line", (line: string) => finish(line));
    rl.on("SIGINT", () => {
      state.write("^C\n");
      finish("");
    });
    rl.on("close", () => finish(null));
    rl.setPrompt(prompt(state));
    rl.prompt();
  });
}

/** The argument of a line: quoted (`'a b'`) or the rest of the line as it is. */
function argument(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trimEnd();
  const quoted = /^(['"])([\s\S]*)\1$/.exec(text);
  return quoted ? quoted[2] : text;
}

/**
 * Runs one line of the SCP shell; resolves to `"exit"` when the shell should end.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../../exec/env.ts";
 * import { LocalHost } from "../../host/local.ts";
 * import { executeScpLine } from "./scp_shell.ts";
 * await using env = new Env({ interactive: false });
 * let out = "";
 * const state = {
 *   host: env.host(new LocalHost()), console: env.console, local: "/", remote: "/",
 *   write: (t: string) => void (out += t),
 * };
 * await executeScpLine(state, "cd /tmp");
 * assert.equal(state.remote, "/tmp");
 * await executeScpLine(state, "nope");
 * assert.match(out, /Unknown command: nope/);
 * assert.equal(await executeScpLine(state, "exit"), "exit");
 * ```
 */
export async function executeScpLine(state: ScpState, line: string): Promise<"exit" | void> {
  const [name, raw] = argumentText(line);
  if (!name) return;
  const command = SCP_COMMANDS.find((c) => c.name === name);
  if (!command) {
    return void state.write(`Unknown command: ${shown(name)} (type "help")\n`);
  }
  const arg = argument(raw);
  if (command.needsArgument && !arg) {
    return void state.write(`Usage: ${command.name} ${command.usage}\n`);
  }
  const outcome = await runInterruptible((signal) => {
    state.signal = signal;
    return command.run(state, arg);
  });
  state.signal = undefined;
  if (outcome.interrupted) state.write("Interrupted\n");
  else if (outcome.failed) {
    const error = outcome.error;
    const text = error instanceof Error ? error.message : String(error);
    state.write(`${escapeControl(text, { newlines: true })}\n`);
  }
  return outcome.value === "exit" ? "exit" : undefined;
}

/**
 * Opens the SCP shell on a host and resolves when the user types `exit` or presses
 * Ctrl-D. The remote side starts in the host's working directory, the local side in
 * `localDir` (default: the process's cwd).
 *
 * @example Usage
 * ```ts
 * // Illustrative: the shell reads keys from the console's terminal until `exit`.
 * import { Env } from "../../exec/env.ts";
 * import { LocalHost } from "../../host/local.ts";
 * import { runScpShell } from "./scp_shell.ts";
 * if (import.meta.main) {
 *   await using env = new Env();
 *   await runScpShell({ host: env.host(new LocalHost()), console: env.console });
 * }
 * ```
 */
export async function runScpShell(options: ScpShellOptions): Promise<void> {
  const output = options.console.outputStream;
  const state: ScpState = {
    host: options.host,
    console: options.console,
    remote: await options.host.getcwd(),
    local: options.localDir ?? Deno.cwd(),
    write: (text) => void output.write(text),
  };
  const history: string[] = [];
  for (;;) {
    const line = await readLine(state, history);
    if (line === null) return void state.write("\n");
    const text = line.trim();
    if (!text) continue;
    if (history[0] !== text) history.unshift(text);
    if ((await executeScpLine(state, text)) === "exit") return;
  }
}

/**
 * The SCP shell on a host of a node: `No hosts found` without one, a choice among
 * several (by slug and address), or the host named by `slug`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../../exec/env.ts";
 * import { Node } from "../../node/node.ts";
 * import { scpOnNode } from "./scp_shell.ts";
 * class Root extends Node {}
 * await using env = new Env({ interactive: false });
 * let out = "";
 * await scpOnNode(env.console, env.bind(Root), (t) => void (out += t));
 * assert.equal(out, "No hosts found\n");
 * ```
 */
export async function scpOnNode(
  console: Console,
  node: object,
  write: (text: string) => void,
  slug?: string,
): Promise<void> {
  const all = (node as { hosts: HostSet }).hosts.hosts();
  const hosts = slug === undefined ? all : all.filter((h) => h.slug === slug);
  if (hosts.length === 0) {
    return write(slug === undefined ? "No hosts found\n" : `No host "${shown(slug)}" here\n`);
  }
  const host = hosts.length === 1 ? hosts[0] : await console.choice(
    "Choose a host",
    hosts.map((h) => [`${shown(h.slug)}    [${shown(h.address)}]`, h] as [string, HostHandle]),
  );
  await runScpShell({ host, console });
}

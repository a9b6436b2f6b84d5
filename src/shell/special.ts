/**
 * The handlers of the shell's host commands: `--run`, `--run-with-sudo`, `--connect` and
 * `--version` (the registry in `commands.ts` names them).
 *
 * @module
 */
import type { HostHandle } from "../host/handle.ts";
import type { HostSet } from "../host/host_set.ts";
import { Inspector } from "../node/inspect.ts";
import type { ShellSession } from "./session.ts";
import { rebind, runInterruptible } from "./execute.ts";
import { formatError } from "./format.ts";

function hostsOf(node: object): HostSet {
  return (node as { hosts: HostSet }).hosts;
}

function hostLines(node: object): string[] {
  const lines: string[] = [];
  for (const [, hosts] of new Inspector(node).hosts()) {
    for (const h of hosts) lines.push(`   - ${h.slug} (${h.address})`);
  }
  return lines;
}

/**
 * `--run` / `--run-with-sudo`: asks for a command and runs it on every host of `node`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { Console } from "../console/console.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { Node } from "../node/node.ts";
 * import type { ShellSession } from "./session.ts";
 * import { runOnHosts } from "./special.ts";
 * class Root extends Node {
 *   static override hosts = { web: new LocalHost({ slug: "web1" }) };
 * }
 * const input = new PassThrough();
 * const output = new PassThrough();
 * await using env = new Env({ console: new Console({ input, output, interactive: true }) });
 * const root = env.bind(Root);
 * let out = "";
 * const session: ShellSession = {
 *   env, console: env.console, location: { root, current: root }, options: new Map(),
 *   write: (text) => void (out += text), page: async (text) => void (out += text),
 *   columns: (names) => `${names.join(" ")}\n`, paint: (text) => text,
 *   name: "demo", version: "0.1.0",
 * };
 * output.once("data", () => setTimeout(() => input.write("true\r"))); // answer the question
 * await runOnHosts(session, root, false);
 * assert.equal(
 *   out,
 *   "Command will be executed on 1 hosts:\n   - web1 (localhost)\nweb1  exit code 0\n",
 * );
 * ```
 */
export async function runOnHosts(
  session: ShellSession,
  node: object,
  sudo: boolean,
): Promise<void> {
  const lines = hostLines(node);
  if (lines.length === 0) {
    return session.write("No hosts found at this node. Nothing to execute.\n");
  }
  session.write(`Command will be executed on ${lines.length} hosts:\n${lines.join("\n")}\n`);
  const command = (await session.console.input(sudo ? "[SUDO] Enter command" : "Enter command"))
    .trim();
  if (!command) return;
  const outcome = await runInterruptible((signal) => {
    const fork = session.env.fork({ signal, askOnFailure: false });
    const hosts = hostsOf(rebind(node, fork));
    return sudo
      ? hosts.sudo(command, { interactive: true })
      : hosts.run(command, { interactive: true });
  }, session.interrupts);
  if (outcome.interrupted) session.write(session.paint("Interrupted\n", "yellow"));
  if (outcome.failed) session.write(session.paint(formatError(outcome.error), "red"));
  else if (outcome.settled) {
    const result = outcome.value as { entries(): [string, { code: number | null }][] };
    const width = Math.max(...result.entries().map(([h]) => h.length));
    for (const [host, r] of result.entries()) {
      session.write(`${host.padEnd(width)}  exit code ${r.code}\n`);
    }
  }
}

async function chooseHost(session: ShellSession, node: object): Promise<HostHandle | undefined> {
  const hosts = hostsOf(node).hosts();
  if (hosts.length === 0) return void session.write("No hosts found\n");
  if (hosts.length === 1) return hosts[0];
  return await session.console.choice(
    "Choose a host",
    hosts.map((h) => [`${h.slug}    [${h.address}]`, h] as [string, HostHandle]),
  );
}

/**
 * `--connect`: an interactive shell on one host of `node` (asking which when several).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { Node } from "../node/node.ts";
 * import type { ShellSession } from "./session.ts";
 * import { connect } from "./special.ts";
 * class Root extends Node {
 *   static override hosts = { web: new LocalHost({ slug: "web1" }) };
 * }
 * await using env = new Env({ interactive: false, sandbox: true }); // a sandbox opens no shell
 * const root = env.bind(Root);
 * let out = "";
 * const session: ShellSession = {
 *   env, console: env.console, location: { root, current: root }, options: new Map(),
 *   write: (text) => void (out += text), page: async (text) => void (out += text),
 *   columns: (names) => `${names.join(" ")}\n`, paint: (text) => text,
 *   name: "demo", version: "0.1.0",
 * };
 * await connect(session, root);
 * assert.equal(out, "Connection to web1 closed\n");
 * ```
 */
export async function connect(session: ShellSession, node: object): Promise<void> {
  const host = await chooseHost(session, node);
  if (!host) return;
  const code = await host.startInteractiveShell();
  session.write(`Connection to ${host.slug} closed${code === null ? "" : ` (exit ${code})`}\n`);
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "(unknown)";
  }
}

/**
 * `--version`: the versions of the program, deployer and Deno, the host name and the root
 * node class.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import type { ShellSession } from "./session.ts";
 * import { version } from "./special.ts";
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
 * version(session, root);
 * assert.match(out, /^  demo\n  deployer library, version: 0\.1\.0\n  Deno: /);
 * assert.match(out, /  Root node class: Root\n$/);
 * ```
 */
export function version(session: ShellSession, node: object): void {
  let root = node;
  for (let p = new Inspector(root).parent(); p; p = new Inspector(root).parent()) root = p;
  session.write(
    `  ${session.name}\n` +
      `  deployer library, version: ${session.version}\n` +
      `  Deno: ${Deno.version.deno}\n` +
      `  Host: ${hostname()}\n` +
      `  Root node class: ${new Inspector(root).className}\n`,
  );
}

/**
 * Runs a host command and prints its failure instead of throwing: the shell goes on.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportFailure } from "./special.ts";
 * let shown = "";
 * const session = { write: (t: string) => (shown += t), paint: (t: string) => t };
 * await reportFailure(session as never, async () => {
 *   throw new Error("boom");
 * });
 * assert.match(shown, /boom/);
 * ```
 */
export async function reportFailure(
  session: ShellSession,
  task: () => Promise<void> | void,
): Promise<void> {
  try {
    await task();
  } catch (error) {
    session.write(session.paint(formatError(error), "red"));
  }
}

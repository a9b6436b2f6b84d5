/**
 * The shell's host commands: `--run`, `--run-with-sudo`, `--connect`, `--scp`, and
 * `--version`.
 *
 * @module
 */
import type { HostHandle } from "../host/handle.ts";
import type { HostSet } from "../host/host_set.ts";
import { Inspector } from "../node/inspect.ts";
import type { ShellSession } from "./commands.ts";
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

async function runCommand(session: ShellSession, node: object, sudo: boolean): Promise<void> {
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
  });
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

async function connect(session: ShellSession, node: object): Promise<void> {
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

function version(session: ShellSession, node: object): void {
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
 * Runs `--run`, `--run-with-sudo`, `--connect`, `--scp` or `--version` on a node.
 * Failures are printed; the shell goes on.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import type { ShellSession } from "./commands.ts";
 * import { runSpecial } from "./special.ts";
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
 * await runSpecial(session, "--version", root);
 * assert.match(out, /deployer library, version: 0\.1\.0\n/);
 * assert.match(out, /Root node class: Root\n/);
 * ```
 */
export async function runSpecial(
  session: ShellSession,
  command: string,
  node: object,
): Promise<void> {
  try {
    switch (command) {
      case "--run":
        return await runCommand(session, node, false);
      case "--run-with-sudo":
        return await runCommand(session, node, true);
      case "--connect":
        return await connect(session, node);
      case "--version":
        return version(session, node);
      case "--scp":
        return session.write("SCP shell is not available yet\n");
      default:
        session.write(`Command not found: ${command}\n`);
    }
  } catch (error) {
    session.write(session.paint(formatError(error), "red"));
  }
}

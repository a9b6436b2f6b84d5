/**
 * An interactive login shell on a host with the local terminal attached.
 *
 * @module
 */
import { quote } from "../command/sh.ts";
import { DeployerError } from "../errors.ts";
import type { HostContext } from "./context.ts";
import type { Host } from "./host.ts";
import type { HostServices } from "./services.ts";

/** What an interactive shell needs of a bound host (a `HostHandle` is one). */
export interface ShellTarget {
  /** The host's slug, for events and errors. */
  readonly slug: string;
  /** The host definition, to get its connection. */
  readonly definition: Host;
  /** The environment's services (terminal, events, connections). */
  readonly services: HostServices;
  /** The `cd` stack: the shell starts in its directory. */
  readonly context: HostContext;
  /** The current directory (used when a `cd` is active). */
  getcwd(): Promise<string>;
}

/**
 * Starts the login shell of `handle`'s host with the local terminal attached and
 * resolves to its exit code. `command` is run in it with `exec`, `initialInput` is typed
 * into it first. Needs a TTY; in sandbox mode nothing is started.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "./local.ts";
 * import { interactiveShell } from "./shell_session.ts";
 * // In a real terminal, `await interactiveShell(handle)` opens the shell until it exits.
 * // A sandbox starts nothing:
 * await using env = new Env({ interactive: false, sandbox: true });
 * assert.equal(await interactiveShell(env.host(new LocalHost())), null);
 * ```
 */
export async function interactiveShell(
  handle: ShellTarget,
  options: { command?: string; initialInput?: string } = {},
): Promise<number | null> {
  const services = handle.services;
  if (services.sandbox) {
    services.emit({
      type: "message",
      level: "warning",
      host: handle.slug,
      text: "Interactive shell is not available in sandbox mode",
    });
    return null;
  }
  const terminal = services.terminal;
  if (!terminal?.isTTY) {
    throw new DeployerError(
      `Cannot open a shell on host "${handle.slug}": no terminal (not a TTY)`,
    );
  }
  const connection = await services.connection(handle.definition);
  const size = terminal.size();
  const proc = await connection.shell({
    pty: { term: terminal.term, cols: size.cols, rows: size.rows },
    onStdout: (chunk) => terminal.write(chunk),
    onStderr: (chunk) => terminal.write(chunk),
  });
  // Type what was asked for first, then hand the terminal over to the person.
  const cwd = handle.context.cdStack.length ? await handle.getcwd() : undefined;
  if (cwd) await proc.write(`cd ${quote(cwd)}\n`);
  if (options.initialInput) await proc.write(options.initialInput);
  if (options.command) await proc.write(`exec ${options.command}\n`);
  const release = terminal.attach({
    onInput: (data) => void proc.write(data).catch(() => {}),
    onResize: (cols, rows) => proc.resize(cols, rows),
  });
  try {
    return (await proc.status).code;
  } finally {
    release();
  }
}

/**
 * `Env`: everything a run needs, passed explicitly: console, loggers, sandbox flag,
 * abort signal, concurrency limit, and the pool of connections (one per host). The
 * machinery itself is in `env_core.ts`; an `Env` shows a deploy script only what it uses.
 *
 * @module
 */
import type { PARALLEL_BRAND } from "../brands.ts";
import { Console } from "../console/mod.ts";
import type { HostHandle } from "../host/handle.ts";
import type { Host } from "../host/host.ts";
import type { HostSet } from "../host/host_set.ts";
import type { Terminal } from "../host/services.ts";
import { bindRoot } from "../node/root.ts";
import type { HostsDefinition, NodeClass } from "../node/markers.ts";
import { rolesFromDefinition } from "../node/roles.ts";
import type { NodeEnv, Parallel, RootOptions } from "../node/runtime.ts";
import { type CoreSettings, EnvCore, newShared, type PlanEntry } from "./env_core.ts";
import { HostFilter } from "./host_filter.ts";
import type { Logger } from "./logger.ts";
import { processTerminal } from "./terminal.ts";

export type { PlanEntry };

/** Options of an environment. */
export interface EnvOptions {
  /** The console (default: this process's stdin/stdout). */
  console?: Console;
  /** Whether a person can answer questions (default: stdin and stdout are TTYs). */
  interactive?: boolean;
  /** Loggers receiving every event. */
  loggers?: Logger[];
  /** Dry run: commands are syntax-checked only, files are not written, the plan is kept. */
  sandbox?: boolean;
  /** Stops everything when aborted. */
  signal?: AbortSignal;
  /** How many commands run at once (default 32). */
  parallel?: number;
  /** The terminal for interactive commands (default: this process's, when it is a TTY). */
  terminal?: Terminal;
  /** Offer Retry / Skip / Abort after a failed command (default: when interactive). */
  askOnFailure?: boolean;
  /**
   * Only these hosts, in every role of every node (`--limit`): slug globs separated by
   * commas (`*` any characters, `?` one), `!` to exclude. Parsing errors are usage errors.
   */
  limit?: string;
  /** Parallel actions start their isolations in batches of this many (`--serial`). */
  serial?: number;
  /** After a failed isolation, parallel actions start no more (`--fail-fast`). */
  failFast?: boolean;
}

function settingsOf(options: EnvOptions, console: Console): CoreSettings {
  const terminal = options.terminal ?? processTerminal();
  return {
    console,
    sandbox: options.sandbox ?? false,
    signal: options.signal,
    askOnFailure: options.askOnFailure ?? console.isInteractive,
    terminal: console.isInteractive && terminal.isTTY ? terminal : options.terminal,
    hostFilter: options.limit === undefined ? undefined : HostFilter.parse(options.limit),
    rollout: options.serial || options.failFast
      ? { size: options.serial, failFast: options.failFast }
      : undefined,
  };
}

/** How src/ reaches the machinery behind an `Env`; filled in once, when `Env` is defined. */
const internal: { core?: (env: Env) => EnvCore } = {};

/**
 * The environment nodes run in. Close it (or `await using`) to close its connections.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "./env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { Node } from "../node/node.ts";
 * import { sh } from "../command/sh.ts";
 * class Root extends Node {
 *   static override hosts = { host: new LocalHost() };
 *   async hello(): Promise<string> {
 *     return (await this.hosts.at(0).run(sh`echo hello`)).stdout.trim();
 *   }
 * }
 * await using env = new Env({ interactive: false });
 * assert.equal(await env.bind(Root).hello(), "hello");
 * ```
 */
export class Env implements NodeEnv, AsyncDisposable {
  #core: EnvCore;
  #owner = true;
  readonly #options: EnvOptions;

  static {
    internal.core = (env) => env.#core;
  }

  /** Creates an environment. */
  constructor(options: EnvOptions = {}) {
    this.#options = options;
    const console = options.console ?? Console.fromProcess({ interactive: options.interactive });
    this.#core = new EnvCore(this, settingsOf(options, console), newShared(options));
  }

  /** The console. */
  get console(): Console {
    return this.#core.console;
  }

  /** Whether this is a sandbox (dry run). */
  get sandbox(): boolean {
    return this.#core.sandbox;
  }

  /** The abort signal. */
  get signal(): AbortSignal | undefined {
    return this.#core.signal;
  }

  /** Whether failed commands offer Retry / Skip / Abort. */
  get askOnFailure(): boolean {
    return this.#core.askOnFailure;
  }

  /**
   * An environment sharing this one's connections, loggers and passwords, with some
   * options changed (e.g. `{ sandbox: true }` for one dry run). Closing a fork closes
   * nothing: the connections belong to the environment it came from.
   */
  fork(
    options: Pick<
      EnvOptions,
      | "sandbox"
      | "signal"
      | "console"
      | "askOnFailure"
      | "limit"
      | "serial"
      | "failFast"
      | "terminal"
    > = {},
  ): Env {
    const merged: EnvOptions = { ...this.#options, console: this.console, ...options };
    // Aborting this environment aborts its forks too (a signal to the CLI stops the shell's).
    if (options.signal && this.signal) {
      merged.signal = AbortSignal.any([this.signal, options.signal]);
    }
    const forked = new Env(merged);
    forked.#core = new EnvCore(forked, settingsOf(merged, this.console), this.#core.shared);
    forked.#owner = false;
    return forked;
  }

  /** Adds a logger. */
  addLogger(logger: Logger): void {
    this.#core.shared.loggers.push(logger);
  }

  /** Removes a logger. */
  removeLogger(logger: Logger): void {
    const loggers = this.#core.shared.loggers;
    const index = loggers.indexOf(logger);
    if (index >= 0) loggers.splice(index, 1);
  }

  /**
   * Creates the root node of a tree in this environment (python's `Env(Root())`, and
   * `initialize_node` from inside an action). Hosts come from `options.hosts` or the
   * class's `static hosts`. A parallel root is returned as its parallel view.
   */
  bind<N extends { readonly [PARALLEL_BRAND]: true }>(
    cls: NodeClass<N>,
    options?: RootOptions<N>,
  ): Parallel<N>;
  /** Creates a normal root node (see the overload above). */
  bind<N extends object>(cls: NodeClass<N>, options?: RootOptions<N>): N;
  bind(cls: NodeClass, options?: RootOptions<Record<string, unknown>>): unknown {
    return bindRoot(cls, this.#core, options);
  }

  /** A bound handle for one host definition (its own context). */
  host(definition: Host): HostHandle {
    return this.#core.host(definition);
  }

  /** A bound host set for a definition (`{ web: [a, b], db: c }`), within `limit`. */
  hostSet(definition: HostsDefinition): HostSet {
    return this.#core.hostsOf(undefined, this.#core.limitRoles(rolesFromDefinition(definition)));
  }

  /** The sandbox plan so far: what would have run, on which host, in the order it was planned. */
  plan(): readonly PlanEntry[] {
    return this.#core.plan();
  }

  /** Runs a task alone (questions from parallel isolations wait for each other). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#core.exclusive(task);
  }

  /** Closes every connection and logger (a fork leaves them to the environment it came from). */
  async close(): Promise<void> {
    if (this.#owner) await this.#core.close();
  }

  /** Closes the environment (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * The runtime behind an environment, for the modules of src/ that bind nodes to it (the
 * shell rebinds a tree in a fork). Not exported from any public path.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "./env.ts";
 * await using env = new Env({ interactive: false });
 * assert.equal(runtimeOf(env).env, env);
 * ```
 */
export function runtimeOf(env: Env): EnvCore {
  return internal.core!(env);
}

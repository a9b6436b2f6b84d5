/**
 * `Env`: everything a run needs, passed explicitly: console, loggers, sandbox flag,
 * abort signal, concurrency limit, and the pool of connections (one per host).
 *
 * @module
 */
import { Console, NoInputError } from "../console/mod.ts";
import type { Connection } from "../host/connection.ts";
import type { HostEvent } from "../host/events.ts";
import { HostHandle } from "../host/handle.ts";
import type { Host } from "../host/host.ts";
import { HostSet } from "../host/host_set.ts";
import { noSudoPassword } from "../host/run.ts";
import type { HostServices, Terminal } from "../host/services.ts";
import { bindRoot } from "../node/bind.ts";
import { rolesFromDefinition } from "../node/roles.ts";
import type { HostsDefinition, NodeClass } from "../node/markers.ts";
import type { Parallel, ParallelNode } from "../node/node.ts";
import type { ActionCall, NodeRuntime, RoleMap } from "../node/runtime.ts";
import { runAction, runParallel } from "./actions.ts";
import { limiter } from "../host/limit.ts";
import type { LogEvent, Logger } from "./logger.ts";
import { processTerminal } from "./terminal.ts";

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
}

/** One command of a sandbox plan. */
export interface PlanEntry {
  /** Host slug. */
  readonly host: string;
  /** The masked command (or file write) that would have run. */
  readonly command: string;
}

interface Shared {
  readonly connections: Map<Host, Promise<Connection>>;
  readonly passwords: Map<Host, Promise<string>>;
  readonly memos: WeakMap<Host, Map<string, unknown>>;
  readonly loggers: Logger[];
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  readonly exclusive: <T>(task: () => Promise<T>) => Promise<T>;
  readonly counter: { value: number };
}

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
export class Env implements NodeRuntime, HostServices, AsyncDisposable {
  /** The console. */
  readonly console: Console;
  /** Whether this is a sandbox (dry run). */
  readonly sandbox: boolean;
  /** The abort signal. */
  readonly signal: AbortSignal | undefined;
  /** The terminal for interactive commands. */
  readonly terminal: Terminal | undefined;
  /** Whether failed commands offer Retry / Skip / Abort. */
  readonly askOnFailure: boolean;
  /** The marker sudo is given as its prompt. */
  readonly sudoMarker: string = `[deployer-sudo-${crypto.randomUUID().slice(0, 8)}]`;
  readonly #shared: Shared;
  readonly #plan: PlanEntry[] = [];
  readonly #options: EnvOptions;
  readonly #owner: boolean;

  /** Creates an environment. */
  constructor(options: EnvOptions = {}, shared?: Shared) {
    this.#options = options;
    this.#owner = shared === undefined;
    this.console = options.console ?? Console.fromProcess({ interactive: options.interactive });
    this.sandbox = options.sandbox ?? false;
    this.signal = options.signal;
    this.askOnFailure = options.askOnFailure ?? this.console.isInteractive;
    const terminal = options.terminal ?? processTerminal();
    this.terminal = this.console.isInteractive && terminal.isTTY ? terminal : options.terminal;
    this.#shared = shared ?? {
      connections: new Map(),
      passwords: new Map(),
      memos: new WeakMap(),
      loggers: [...(options.loggers ?? [])],
      limit: limiter(options.parallel ?? 32),
      exclusive: limiter(1),
      counter: { value: 0 },
    };
  }

  /**
   * An environment sharing this one's connections, loggers and passwords, with some
   * options changed (e.g. `{ sandbox: true }` for one dry run).
   */
  fork(options: Pick<EnvOptions, "sandbox" | "signal" | "console" | "askOnFailure"> = {}): Env {
    return new Env({ ...this.#options, console: this.console, ...options }, this.#shared);
  }

  /** Adds a logger. */
  addLogger(logger: Logger): void {
    this.#shared.loggers.push(logger);
  }

  /** Removes a logger. */
  removeLogger(logger: Logger): void {
    const index = this.#shared.loggers.indexOf(logger);
    if (index >= 0) this.#shared.loggers.splice(index, 1);
  }

  /**
   * Creates the root node of a tree in this environment (python's `Env(Root())`, and
   * `initialize_node` from inside an action). Hosts come from `options.hosts` or the
   * class's `static hosts`.
   */
  bind<N extends ParallelNode>(
    cls: NodeClass<N>,
    options?: { hosts?: HostsDefinition; set?: { [K in keyof N]?: N[K] } },
  ): Parallel<N>;
  /** Creates a normal root node (see the overload above). */
  bind<N extends object>(
    cls: NodeClass<N>,
    options?: { hosts?: HostsDefinition; set?: { [K in keyof N]?: N[K] } },
  ): N;
  bind(
    cls: NodeClass,
    options?: { hosts?: HostsDefinition; set?: Record<string, unknown> },
  ): unknown {
    return bindRoot(cls, this, options);
  }

  /** A bound handle for one host definition (its own context). */
  host(definition: Host): HostHandle {
    return new HostHandle(definition, this);
  }

  /** A bound host set for a definition (`{ web: [a, b], db: c }`). */
  hostSet(definition: HostsDefinition): HostSet {
    return this.hostsOf(undefined, rolesFromDefinition(definition));
  }

  /** The sandbox plan so far: per host, what would have run. */
  plan(): readonly PlanEntry[] {
    return this.#plan;
  }

  // ---- NodeRuntime ----

  /** Runs one action (see `runAction`). */
  callAction(call: ActionCall): unknown {
    return runAction(this, call);
  }

  /** Runs an action on all isolations (see `runParallel`). */
  callParallel(call: ActionCall, isolations: readonly object[]): Promise<unknown> {
    return runParallel(this, call, isolations);
  }

  /** A host set for a node: one handle (one context) per host. */
  hostsOf(_node: object | undefined, roles: RoleMap): HostSet {
    const handles = new Map<Host, HostHandle>();
    const byRole = new Map<string, HostHandle[]>();
    for (const [role, hosts] of roles) {
      byRole.set(
        role,
        hosts.map((h) => {
          if (!handles.has(h)) handles.set(h, new HostHandle(h, this));
          return handles.get(h)!;
        }),
      );
    }
    return new HostSet(byRole);
  }

  // ---- HostServices ----

  /** The connection to a host, opened on first use and shared. */
  connection(host: Host): Promise<Connection> {
    const pool = this.#shared.connections;
    const existing = pool.get(host);
    if (existing) {
      return existing.then((c) => {
        if (c.alive) return c;
        // Only the first caller to find it dead replaces it; the others reuse that one.
        if (pool.get(host) === existing) {
          pool.delete(host);
          void c.close().catch(() => {});
        }
        return this.connection(host);
      });
    }
    const opening = host.connect({
      signal: this.signal,
      interactive: this.console.isInteractive,
      confirm: (question) =>
        this.exclusive(() => this.console.confirm(question, { default: false })),
    });
    pool.set(host, opening);
    opening.catch(() => {
      if (pool.get(host) === opening) pool.delete(host);
    });
    return opening;
  }

  /** Sends an event to every logger. */
  emit(event: LogEvent | HostEvent): void {
    for (const logger of this.#shared.loggers) {
      try {
        logger.log(event);
      } catch {
        // A logger must not break a run.
      }
    }
  }

  /** A new id for an event. */
  nextId(): number {
    return ++this.#shared.counter.value;
  }

  /** Runs a task within the concurrency limit. */
  limit<T>(task: () => Promise<T>): Promise<T> {
    return this.#shared.limit(task);
  }

  /** Runs a task alone (questions from parallel isolations wait for each other). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#shared.exclusive(task);
  }

  /** The sudo password of a host: its own, or asked once per environment. */
  sudoPassword(host: Host, user: string): Promise<string> {
    const known = host.sudoPassword ?? host.password;
    if (known !== undefined) return Promise.resolve(known);
    const cache = this.#shared.passwords;
    if (!cache.has(host)) {
      const asked: Promise<string> = this.exclusive(() =>
        this.console.input(
          `[sudo] password for ${host.username ?? "the login user"} on ${host.slug}`,
          {
            password: true,
          },
        )
      ).catch((error) => {
        cache.delete(host);
        throw error instanceof NoInputError ? noSudoPassword(host.slug, user) : error;
      });
      cache.set(host, asked);
    }
    return cache.get(host)!;
  }

  /** Forgets a wrong sudo password. */
  forgetSudoPassword(host: Host): void {
    this.#shared.passwords.delete(host);
  }

  /** Per-host memo for this environment. */
  memo(host: Host): Map<string, unknown> {
    const memos = this.#shared.memos;
    if (!memos.has(host)) memos.set(host, new Map());
    return memos.get(host)!;
  }

  /** Adds a command to the sandbox plan. */
  recordPlan(host: string, command: string): void {
    this.#plan.push({ host, command });
  }

  /** Closes every connection and logger (a fork leaves them to the environment it came from). */
  async close(): Promise<void> {
    if (!this.#owner) return;
    const pool = this.#shared.connections;
    const all = [...pool.values()];
    pool.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
    for (const logger of this.#shared.loggers) await logger.close?.();
  }

  /** Closes the environment (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

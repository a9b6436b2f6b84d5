/**
 * The machinery behind an `Env`: the connection pool, sudo passwords, the concurrency
 * limits, the loggers and the sandbox plan. Hosts and nodes reach it as their
 * `HostServices` and `NodeRuntime`; deploy scripts see only the `Env` in front of it. Not
 * exported from any public path.
 *
 * @module
 */
import { type Console, NoInputError } from "../console/mod.ts";
import type { Connection } from "../host/connection.ts";
import type { HostEvent } from "../host/events.ts";
import { HostHandle } from "../host/handle.ts";
import type { Host } from "../host/host.ts";
import { HostSet } from "../host/host_set.ts";
import { limiter } from "../host/limit.ts";
import { noSudoPassword } from "../host/sudo_probe.ts";
import type { HostServices, Terminal } from "../host/services.ts";
import type { ActionCall, NodeEnv, NodeRuntime, RoleMap } from "../node/runtime.ts";
import type { BatchOptions } from "../outcome.ts";
import { type ActionHost, runAction, runParallel } from "./actions.ts";
import type { HostFilter } from "./host_filter.ts";
import type { LogEvent, Logger } from "./logger.ts";

/** One command of a sandbox plan. */
export interface PlanEntry {
  /** Host slug. */
  readonly host: string;
  /** The masked command (or file write) that would have run. */
  readonly command: string;
  /** The working directory it would have run in (set with `cd`). */
  readonly cwd?: string;
  /** The names of the variables it would have had set (`env`); values are never kept. */
  readonly env?: readonly string[];
  /** The user sudo would have run it as (only for sudo). */
  readonly user?: string;
}

/** Where and how a planned command would have run (see {@linkcode PlanEntry}). */
export type PlanDetails = Pick<PlanEntry, "cwd" | "env" | "user">;

/** What an environment and its forks share. */
export interface Shared {
  /** Open (or opening) connections, one per host. */
  readonly connections: Map<Host, Promise<Connection>>;
  /** Sudo passwords asked so far. */
  readonly passwords: Map<Host, Promise<string>>;
  /** Per-host memos (e.g. whether sudo needs a password). */
  readonly memos: WeakMap<Host, Map<string, unknown>>;
  /** What hosts parsed from local files while connecting (SSH config, known_hosts). */
  readonly connectMemo: Map<string, unknown>;
  /** Every logger. */
  readonly loggers: Logger[];
  /** The concurrency limit of commands. */
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** One task at a time (questions). */
  readonly exclusive: <T>(task: () => Promise<T>) => Promise<T>;
  /** The last event id. */
  readonly counter: { value: number };
}

/** The settings of one environment (a fork changes some of them). */
export interface CoreSettings {
  /** The console. */
  readonly console: Console;
  /** Whether this is a sandbox. */
  readonly sandbox: boolean;
  /** The abort signal. */
  readonly signal: AbortSignal | undefined;
  /** The terminal for interactive commands. */
  readonly terminal: Terminal | undefined;
  /** Whether failed commands offer Retry / Skip / Abort. */
  readonly askOnFailure: boolean;
  /** The hosts a run may use (`--limit`); all when absent. */
  readonly hostFilter?: HostFilter;
  /** How isolations of parallel actions start (`--serial`, `--fail-fast`). */
  readonly rollout?: Omit<BatchOptions, "signal">;
}

/**
 * The services of one environment. `env` is the `Env` that nodes see as `this.env`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "./env.ts";
 * await using env = new Env({ interactive: false, sandbox: true });
 * const core = runtimeOf(env);
 * core.recordPlan("web1", "true");
 * assert.deepEqual(env.plan(), [{ host: "web1", command: "true" }]);
 * ```
 */
export class EnvCore implements NodeRuntime, HostServices, ActionHost {
  /** The environment nodes see. */
  readonly env: NodeEnv;
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
  /** The hosts a run may use (`--limit`); all when absent. */
  readonly hostFilter: HostFilter | undefined;
  /** How isolations of parallel actions start (`--serial`, `--fail-fast`). */
  readonly rollout: Omit<BatchOptions, "signal"> | undefined;
  /** The marker sudo is given as its prompt. */
  readonly sudoMarker: string = `[deployer-sudo-${crypto.randomUUID().slice(0, 8)}]`;
  /** What this environment shares with its forks. */
  readonly shared: Shared;
  readonly #plan: PlanEntry[] = [];

  /** Creates the services of one environment. */
  constructor(env: NodeEnv, settings: CoreSettings, shared: Shared) {
    this.env = env;
    this.console = settings.console;
    this.sandbox = settings.sandbox;
    this.signal = settings.signal;
    this.terminal = settings.terminal;
    this.askOnFailure = settings.askOnFailure;
    this.hostFilter = settings.hostFilter;
    this.rollout = settings.rollout;
    this.shared = shared;
  }

  /** The roles a node is bound with: only the hosts `--limit` chose, in every role. */
  limitRoles(roles: RoleMap): RoleMap {
    return this.hostFilter ? this.hostFilter.roles(roles) : roles;
  }

  /** The sandbox plan so far, in the order the commands were planned. */
  plan(): readonly PlanEntry[] {
    return [...this.#plan];
  }

  /** Adds a command to the sandbox plan, with where and how it would have run. */
  recordPlan(host: string, command: string, details: PlanDetails = {}): void {
    const entry: PlanEntry = { host, command };
    if (details.cwd !== undefined) Object.assign(entry, { cwd: details.cwd });
    if (details.env?.length) Object.assign(entry, { env: [...details.env] });
    if (details.user !== undefined) Object.assign(entry, { user: details.user });
    this.#plan.push(entry);
  }

  /** Runs one action (see `runAction`). */
  callAction(call: ActionCall): unknown {
    return runAction(this, call);
  }

  /** Runs an action on all isolations (see `runParallel`). */
  callParallel(call: ActionCall, isolations: readonly object[]): Promise<unknown> {
    return runParallel(this, call, isolations);
  }

  /** A bound handle for one host definition (its own context). */
  host(definition: Host): HostHandle {
    return new HostHandle(definition, this);
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

  /** The connection to a host, opened on first use and shared. */
  connection(host: Host): Promise<Connection> {
    const pool = this.shared.connections;
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
      choose: (question, options) => this.exclusive(() => this.console.choice(question, options)),
      phase: (phase) => this.console.hostPhase(host.slug, phase),
      memo: this.shared.connectMemo,
    });
    pool.set(host, opening);
    opening.then(
      () => this.console.hostPhase(host.slug, "running"),
      () => {
        this.console.hostPhase(host.slug, undefined);
        if (pool.get(host) === opening) pool.delete(host);
      },
    );
    return opening;
  }

  /** Sends an event to every logger. */
  emit(event: LogEvent | HostEvent): void {
    for (const logger of this.shared.loggers) {
      try {
        logger.log(event);
      } catch {
        // A logger must not break a run.
      }
    }
  }

  /** A new id for an event. */
  nextId(): number {
    return ++this.shared.counter.value;
  }

  /** Runs a task within the concurrency limit. */
  limit<T>(task: () => Promise<T>): Promise<T> {
    return this.shared.limit(task);
  }

  /** Runs a task alone (questions from parallel isolations wait for each other). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.shared.exclusive(task);
  }

  /** The sudo password of a host: its own, or asked once per environment. */
  sudoPassword(host: Host, user: string): Promise<string> {
    const known = host.sudoPassword ?? host.password;
    if (known !== undefined) return Promise.resolve(known);
    const cache = this.shared.passwords;
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
    this.shared.passwords.delete(host);
  }

  /** Per-host memo for this environment. */
  memo(host: Host): Map<string, unknown> {
    const memos = this.shared.memos;
    if (!memos.has(host)) memos.set(host, new Map());
    return memos.get(host)!;
  }

  /**
   * Sends `KILL` at once to the commands still running on local hosts (their process
   * groups and the processes below them), for a program about to exit (a second Ctrl-C).
   * Connections still opening are passed over; remote commands are left to the stop
   * already under way.
   */
  async killLocalNow(): Promise<void> {
    const killing = [...this.shared.connections.values()].map(async (opening) => {
      // A connection that is open wins the race; one still opening is passed over.
      const connection = await Promise.race([opening, undefined]).catch(() => undefined);
      const local = connection as { killNow?: () => Promise<void> } | undefined;
      if (typeof local?.killNow === "function") await local.killNow();
    });
    await Promise.all(killing);
  }

  /** Closes every connection and logger. */
  async close(): Promise<void> {
    const pool = this.shared.connections;
    const all = [...pool.values()];
    pool.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
    for (const logger of this.shared.loggers) await logger.close?.();
  }
}

/**
 * What a new environment shares with its forks.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { newShared } from "./env_core.ts";
 * const shared = newShared({ parallel: 4 });
 * assert.equal(shared.connections.size, 0);
 * ```
 */
export function newShared(options: { loggers?: readonly Logger[]; parallel?: number }): Shared {
  return {
    connections: new Map(),
    passwords: new Map(),
    memos: new WeakMap(),
    connectMemo: new Map(),
    loggers: [...(options.loggers ?? [])],
    limit: limiter(options.parallel ?? 32),
    exclusive: limiter(1),
    counter: { value: 0 },
  };
}

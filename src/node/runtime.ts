/**
 * The seam between the pure node model and the machinery that runs it. The environment
 * (src/exec) gives every bound node a {@linkcode NodeRuntime}; the node model only calls it.
 * `this.env` of a node is the runtime's {@linkcode NodeEnv}, which `Env` implements.
 *
 * @module
 */
import type { PARALLEL_BRAND } from "../brands.ts";
import type { Console } from "../console/mod.ts";
import type { Host } from "../host/host.ts";
import type { HostSet } from "../host/host_set.ts";
import type { ParallelResult } from "../outcome.ts";
import type { HostsDefinition, NodeClass } from "./markers.ts";

/** Roles mapped to host definitions, in order of definition. */
export type RoleMap = ReadonlyMap<string, readonly Host[]>;

/** How an action is flagged with `@action`. */
export interface ActionFlags {
  /** Other names the action is reachable by. */
  alias?: string | readonly string[];
  /** On a parallel node, run on one isolation only (asking which, or at random). */
  isolateOneOnly?: boolean;
  /** On a parallel node, run once on the whole node instead of per isolation. */
  dontIsolateYet?: boolean;
  /** The shell does not print the result. */
  suppressResult?: boolean;
  /** A one-line description shown in the shell and `inspect`. */
  description?: string;
}

/** The call of an action, as handed to the runtime. */
export interface ActionCall {
  /** The node the action runs on. */
  readonly node: object;
  /** The name it was called by (an alias, or the method name). */
  readonly name: string;
  /** The method itself (unwrapped). */
  readonly method: (...args: unknown[]) => unknown;
  /** The arguments. */
  readonly args: readonly unknown[];
  /** The flags of the action. */
  readonly flags: ActionFlags;
}

/**
 * The names `Node` and `ParallelNode` define for themselves; they are never actions.
 * (`tests/types_test.ts` keeps this list equal to the classes' members.)
 */
export type NodeMemberName = "hosts" | "parent" | "console" | "env" | "parentAs" | "host";

/** The names of a node's actions: its public methods that `Node` does not define. */
export type ActionName<N> = {
  [K in keyof N]: K extends NodeMemberName ? never
    : K extends `_${string}` ? never
    // deno-lint-ignore no-explicit-any
    : K extends string ? (N[K] extends (...args: any[]) => unknown ? K : never)
    : never;
}[keyof N];

/** What a parallel view offers besides the actions. */
export interface ParallelView<N> {
  /** One isolation, by host slug, host definition or index. */
  isolate(which: string | number | Host): N;
  /** Every isolation, in host order. */
  isolations(): N[];
}

/**
 * A parallel node seen from outside: every action runs on all isolations and resolves
 * to a `ParallelResult`; a failure rejects with a `ParallelError` that keeps
 * every host's outcome.
 */
export type Parallel<N> =
  & {
    readonly [K in ActionName<N>]: N[K] extends (...args: infer A) => infer R
      ? (...args: A) => Promise<ParallelResult<Awaited<R>>>
      : never;
  }
  & ParallelView<N>;

/** How a root node is created: real hosts per role, and field values. */
export interface RootOptions<N> {
  /** Hosts per role (default: the class's `static hosts`). */
  hosts?: HostsDefinition;
  /** Field values set after construction. */
  set?: { [K in keyof N]?: N[K] };
}

/**
 * The environment as a node sees it (`this.env`): whether it is a sandbox, its abort
 * signal, its console, questions one at a time, and `bind()` to create another tree in it
 * (python's `initialize_node`). `Env` implements it.
 */
export interface NodeEnv {
  /** The console. */
  readonly console: Console;
  /** Whether this is a sandbox (dry run). */
  readonly sandbox: boolean;
  /** The abort signal. */
  readonly signal: AbortSignal | undefined;
  /** Runs a task alone (questions from parallel isolations wait for each other). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Creates a parallel root node: its {@linkcode Parallel} view. */
  bind<N extends { readonly [PARALLEL_BRAND]: true }>(
    cls: NodeClass<N>,
    options?: RootOptions<N>,
  ): Parallel<N>;
  /** Creates a root node in this environment. */
  bind<N extends object>(cls: NodeClass<N>, options?: RootOptions<N>): N;
}

/**
 * What the node model needs from the environment that runs it. The environment implements
 * it internally; it is not part of the public API.
 */
export interface NodeRuntime {
  /**
   * Runs one action on one (isolated or normal) node: logging, error wrapping, retries.
   * Returns what the method returns (a promise for async methods).
   */
  callAction(call: ActionCall): unknown;
  /** Runs an action on every isolation of a parallel node and collects per-host results. */
  callParallel(call: ActionCall, isolations: readonly object[]): Promise<unknown>;
  /** The bound host set of a node (one per node instance, sharing context per host). */
  hostsOf(node: object, roles: RoleMap): HostSet;
  /** The console of the environment. */
  readonly console: Console;
  /** The environment, as `this.env` of a node shows it. */
  readonly env: NodeEnv;
}

/**
 * The seam between the pure node model and the machinery that runs it. An `Env`
 * (src/exec) implements {@linkcode NodeRuntime}; the node model only calls it.
 *
 * @module
 */
import type { Host } from "../host/host.ts";

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
 * What the node model needs from the environment that runs it. Implemented by `Env`.
 * Values that depend on I/O (hosts with connections, the console) are typed loosely
 * here and precisely on `Node`.
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
  hostsOf(node: object, roles: RoleMap): unknown;
  /** The console of the environment. */
  readonly console: unknown;
}

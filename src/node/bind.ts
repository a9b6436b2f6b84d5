/**
 * Binding: turns a node class into a live node of an environment. Placeholders become
 * getters (children, queries, required values), public methods become actions that go
 * through the runtime, and parallel nodes get their views (isolations: `./isolation.ts`, roots:
 * `./root.ts`).
 *
 * @module
 */
import { PLACEHOLDER } from "../brands.ts";
import { DeployerError, QueryError } from "../errors.ts";
import { discoverActions } from "./action.ts";
import type { Group } from "./groups.ts";
import { type ChildMarker, isMarker, type NodeClass } from "./markers.ts";
import { isolationsOf, parallelView } from "./isolation.ts";
import { childRoles, isParallelClass } from "./roles.ts";
import type { NodeRuntime, RoleMap } from "./runtime.ts";
import {
  isNode,
  isolationHost,
  isParallelNode,
  type Member,
  nodePath,
  type NodeState,
  STATE,
} from "./state.ts";

/** How to bind one node. */
export interface BindOptions {
  /** The environment. */
  runtime: NodeRuntime;
  /** The parent node (none for a root). */
  parent?: object;
  /** The name of the node (field name, or class name for a root). */
  name?: string;
  /** Hosts per role. */
  roles: RoleMap;
  /** Whether the node is one isolation. */
  isolated: boolean;
  /** The host slug of a parallel cell. */
  isolationId?: string;
  /** Field values to set after construction. */
  set?: Readonly<Record<string, unknown>>;
  /** The group given by the parent's `child()` options. */
  group?: Group;
}

interface BoundState extends NodeState {
  readonly cls: NodeClass;
  readonly options: BindOptions;
}

/**
 * Creates and binds one node. Most callers want `bindRoot` of `./root.ts`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { bindNode } from "./bind.ts";
 * import { Node } from "./node.ts";
 * import { nodePath } from "./state.ts";
 * class Db extends Node {
 *   port = 5432;
 *   slugs(): string[] { return this.hosts.hosts().map((host) => host.slug); }
 * }
 * await using env = new Env({ interactive: false });
 * const roles = new Map([["db", [new LocalHost({ slug: "db1" })]]]);
 * const set = { port: 6432 };
 * const db = bindNode(Db, { runtime: runtimeOf(env), roles, isolated: true, name: "db", set });
 * assert.equal(nodePath(db), "db");
 * assert.equal(db.port, 6432);
 * assert.deepEqual(await db.slugs(), ["db1"]);
 * ```
 */
export function bindNode<N extends object>(cls: NodeClass<N>, options: BindOptions): N {
  const node = new cls();
  if (!isNode(node)) throw new TypeError(`${cls.name || "class"} is not a Node class`);
  const state: BoundState = {
    runtime: options.runtime,
    parent: options.parent,
    name: options.name ?? (cls.name || "Root"),
    roles: options.runtime.limitRoles?.(options.roles) ?? options.roles,
    isolated: options.isolated,
    isolationId: options.isolationId,
    group: options.group ?? (cls as unknown as { group?: Group }).group,
    members: [],
    children: new Map(),
    cls,
    options,
    makeCell: (host) =>
      bindNode(cls, {
        ...options,
        roles: new Map([...state.roles, ["host", [host]]]),
        isolated: true,
        isolationId: host.slug,
      }),
  };
  Object.defineProperty(node, STATE, { value: state });
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(options.set ?? {})) {
    if (!(key in node)) {
      throw new TypeError(`Cannot set "${key}" on ${nodePath(node)}: the class has no such field`);
    }
    record[key] = value;
  }
  for (const key of Object.keys(node)) installMember(node, state, key, record[key]);
  installActions(node, state);
  return node;
}

function installMember(node: object, state: BoundState, key: string, value: unknown): void {
  if (!isMarker(value)) {
    state.members.push({ name: key, kind: "value" });
    return;
  }
  const kind = value[PLACEHOLDER as never] as Member["kind"];
  if (kind === "child") {
    state.members.push({ name: key, kind });
    Object.defineProperty(node, key, {
      enumerable: true,
      get: () => {
        if (!state.children.has(key)) {
          state.children.set(key, bindChild(node, state, key, value as ChildMarker));
        }
        return state.children.get(key);
      },
    });
  } else if (kind === "query") {
    const { fn, source } = value as { fn: () => unknown; source: string };
    state.members.push({ name: key, kind, detail: source });
    Object.defineProperty(node, key, {
      enumerable: true,
      get: () => evaluateQuery(node, key, fn, source),
    });
  } else {
    const { description } = value as { description: string };
    state.members.push({ name: key, kind, detail: description });
    Object.defineProperty(node, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        throw new DeployerError(
          `Required value "${key}" of ${nodePath(node)} is not set` +
            (description ? `: ${description}` : ""),
        );
      },
      set: (v: unknown) => {
        Object.defineProperty(node, key, { value: v, writable: true, enumerable: true });
      },
    });
  }
}

function evaluateQuery(node: object, key: string, fn: () => unknown, source: string): unknown {
  const fail = (cause: unknown) => new QueryError(nodePath(node), key, source, { cause });
  let result: unknown;
  try {
    result = fn.call(node);
  } catch (cause) {
    throw fail(cause);
  }
  if (result instanceof Promise) return result.catch((cause) => Promise.reject(fail(cause)));
  return result;
}

function installActions(node: object, state: BoundState): void {
  for (const info of discoverActions(node)) {
    const invoke = (...args: unknown[]): unknown => {
      const call = { node, name: info.name, method: info.fn, args, flags: info.flags };
      if (!state.isolated && !info.flags.dontIsolateYet) {
        const isolations = isolationsOf(node);
        if (info.flags.isolateOneOnly && isolations.length > 1) {
          // python: with several isolations, the chosen host's plain value.
          return runOnOne(state, info.name, args, isolations);
        }
        return state.runtime.callParallel(call, isolations);
      }
      return state.runtime.callAction(call);
    };
    Object.defineProperty(node, info.name, { value: invoke, configurable: true });
  }
}

async function runOnOne(
  state: NodeState,
  name: string,
  args: readonly unknown[],
  isolations: readonly object[],
): Promise<unknown> {
  const options = isolations.map((iso) => {
    const { slug, address } = isolationHost(iso);
    return [slug ? `${slug}    [${address}]` : nodePath(iso), iso] as const;
  });
  const chosen = await state.runtime.env.exclusive(() =>
    state.runtime.console.choice("Choose a host", options, { allowRandom: true })
  );
  return await (chosen as Record<string, (...a: unknown[]) => unknown>)[name](...args);
}

function bindChild(parent: object, state: NodeState, key: string, marker: ChildMarker): unknown {
  const roles = childRoles(state.roles, marker);
  const options = marker.options;
  const base: BindOptions = {
    runtime: state.runtime,
    parent,
    name: key,
    roles,
    isolated: state.isolated,
    set: (typeof options.set === "function" ? options.set() : options.set) as
      | Record<string, unknown>
      | undefined,
    group: options.group,
  };
  if (!isParallelClass(marker.cls)) return bindNode(marker.cls, base);
  const where = `${nodePath(parent)}.${key}`;
  const parentParallel = isParallelNode(parent);
  if (options.justOne) {
    // python's `.JustOne`: isolated under an isolated parent, one host exactly.
    const hosts = roles.get("host") ?? [];
    if (state.isolated && hosts.length !== 1) {
      throw new DeployerError(`${where} is justOne but has ${hosts.length} hosts in role "host"`);
    }
    return bindNode(marker.cls, base);
  }
  if (options.sameHost) {
    if (!parentParallel) {
      throw new DeployerError(
        `${where}: sameHost is for a parallel node inside a parallel node; a parallel child ` +
          `of a normal node runs once per host (or use justOne for exactly one host)`,
      );
    }
    // python: a ParallelNode nested in a ParallelNode shares the parent's isolation.
    return bindNode(marker.cls, base);
  }
  if (parentParallel && !options.array) {
    throw new DeployerError(
      `${where}: a parallel node inside a parallel node needs child(${
        marker.cls.name || "Cls"
      }, { sameHost: true }) (it runs in the parent's isolation, python's plain nesting) or ` +
        `{ array: true } (one isolation per host, python's .Array)`,
    );
  }
  return parallelView(bindNode(marker.cls, { ...base, isolated: false }));
}

/**
 * The per-instance state that binding attaches to a node, under a `Symbol.for` key so
 * that two copies of deployer can read each other's nodes.
 *
 * @module
 */
import { NODE_BRAND, PARALLEL_BRAND, STATE, VIEW_OF } from "../brands.ts";
import type { Host } from "../host/host.ts";
import type { HostSet } from "../host/host_set.ts";
import type { Group } from "./groups.ts";
import type { NodeRuntime, RoleMap } from "./runtime.ts";

export { NODE_BRAND, PARALLEL_BRAND, STATE, VIEW_OF };

/** What kind of member a field is, as the inspector sees it. */
export type MemberKind = "child" | "query" | "required" | "value";

/** A field of a node class body, recorded at binding in definition order. */
export interface Member {
  /** The field name. */
  readonly name: string;
  /** The kind of field. */
  readonly kind: MemberKind;
  /** Query source or required description. */
  readonly detail?: string;
}

/** The state of a bound node. */
export interface NodeState {
  /** The environment the node is bound to. */
  readonly runtime: NodeRuntime;
  /** The parent node, `undefined` for a root. */
  readonly parent: object | undefined;
  /** The field name in the parent (the class name for a root). */
  readonly name: string;
  /** Hosts per role. */
  readonly roles: RoleMap;
  /** Whether this node runs as one isolation (normal roots and parallel cells are). */
  readonly isolated: boolean;
  /** The slug of the host of this isolation, for parallel cells. */
  readonly isolationId: string | undefined;
  /** The group set on this node (inherited via the inspector). */
  readonly group: Group | undefined;
  /** Fields, in definition order. */
  readonly members: Member[];
  /** Bound children, created on first access. */
  readonly children: Map<string, unknown>;
  /** Cells of a non-isolated parallel node, created on first access. */
  cells?: object[];
  /** Binds this node's class again as the cell of one host (set by `bindNode`). */
  readonly makeCell?: (host: Host) => object;
  /** The bound host set, created on first access. */
  hostSet?: HostSet;
}

/**
 * The state of a bound node, or `undefined` for a value that is not a bound node.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "./node.ts";
 * import { stateOf } from "./state.ts";
 * class Root extends Node {}
 * await using env = new Env({ interactive: false });
 * assert.equal(stateOf(env.bind(Root))?.name, "Root");
 * assert.equal(stateOf(new Root()), undefined); // not bound
 * ```
 */
export function stateOf(node: unknown): NodeState | undefined {
  if (typeof node !== "object" || node === null) return undefined;
  return (node as Record<symbol, NodeState | undefined>)[STATE];
}

/**
 * The state of a bound node; throws a clear error when the node is not bound.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Node } from "./node.ts";
 * import { requireState } from "./state.ts";
 * class Web extends Node {}
 * assert.throws(() => requireState(new Web(), "hosts"), {
 *   message: "Cannot access hosts of Web: the node is not bound to an environment " +
 *     "(create it with env.bind(Cls) or runCli(Cls), not with new)",
 * });
 * ```
 */
export function requireState(node: object, what: string): NodeState {
  const state = stateOf(node);
  if (!state) {
    throw new Error(
      `Cannot access ${what} of ${node.constructor?.name ?? "node"}: the node is not bound to an ` +
        `environment (create it with env.bind(Cls) or runCli(Cls), not with new)`,
    );
  }
  return state;
}

/**
 * Whether a value is a node instance from any copy of deployer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Node } from "./node.ts";
 * import { isNode } from "./state.ts";
 * class Db extends Node {}
 * assert.ok(isNode(new Db()));
 * assert.ok(!isNode({ hosts: [] }));
 * ```
 */
export function isNode(value: unknown): value is object {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[NODE_BRAND] === true;
}

/**
 * Whether a value is a parallel node instance from any copy of deployer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Node, ParallelNode } from "./node.ts";
 * import { isParallelNode } from "./state.ts";
 * class Git extends ParallelNode {}
 * class Db extends Node {}
 * assert.ok(isParallelNode(new Git()));
 * assert.ok(!isParallelNode(new Db()));
 * ```
 */
export function isParallelNode(value: unknown): boolean {
  return isNode(value) && (value as Record<symbol, unknown>)[PARALLEL_BRAND] === true;
}

/**
 * The node behind a parallel view, or the value itself.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { child, Node, ParallelNode } from "./node.ts";
 * import { isParallelNode, unwrapView } from "./state.ts";
 * class Git extends ParallelNode {}
 * class Root extends Node {
 *   git = child(Git);
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.ok(!isParallelNode(root.git)); // the view is not the node
 * assert.ok(isParallelNode(unwrapView(root.git)));
 * assert.equal(unwrapView(root), root);
 * ```
 */
export function unwrapView<T>(value: T): T {
  if (typeof value === "object" && value !== null && VIEW_OF in value) {
    return (value as Record<symbol, T>)[VIEW_OF];
  }
  return value;
}

/**
 * The dotted path of a node: `Root.web[web1].git`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "./node.ts";
 * import { nodePath } from "./state.ts";
 * class Git extends ParallelNode {}
 * class Web extends Node {
 *   git = child(Git, { roles: { host: "web" } });
 * }
 * class Root extends Node {
 *   static override hosts = { web: new LocalHost({ slug: "web1" }) };
 *   web = child(Web);
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.equal(nodePath(root.web), "Root.web");
 * assert.equal(nodePath(root.web.git.isolate("web1")), "Root.web.git[web1]");
 * ```
 */
export function nodePath(node: object): string {
  const parts: string[] = [];
  let current: object | undefined = node;
  while (current) {
    const state = stateOf(current);
    if (!state) {
      parts.push(current.constructor?.name || "Node");
      break;
    }
    parts.push(
      state.isolationId !== undefined ? `${state.name}[${state.isolationId}]` : state.name,
    );
    current = state.parent;
  }
  return parts.reverse().join(".");
}

/**
 * The host an isolation runs on: the slug and address of the `host` role of the nearest
 * isolation cell at or above `node` (empty strings for a node outside any cell).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "./node.ts";
 * import { isolationHost } from "./state.ts";
 * class Cell extends ParallelNode {}
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" })] };
 *   cell = child(Cell, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.deepEqual(isolationHost(root.cell.isolate("a")), { slug: "a", address: "localhost" });
 * assert.deepEqual(isolationHost(root), { slug: "", address: "" });
 * ```
 */
export function isolationHost(node: object): { slug: string; address: string } {
  for (let n: object | undefined = node; n; n = stateOf(n)?.parent) {
    const state = stateOf(n);
    if (state?.isolationId === undefined) continue;
    return { slug: state.isolationId, address: state.roles.get("host")?.[0]?.address ?? "" };
  }
  return { slug: "", address: "" };
}

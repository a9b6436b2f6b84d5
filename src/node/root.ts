/**
 * Root binding: binds the class of a root node with its hosts (checking their slugs across
 * the tree), and binds a bound root again in another runtime. Binding of the nodes below a
 * root lives in `./bind.ts`.
 *
 * @module
 */
import { bindNode, type BindOptions } from "./bind.ts";
import { parallelView } from "./isolation.ts";
import type { HostsDefinition, NodeClass } from "./markers.ts";
import { isParallelClass, rolesFromDefinition } from "./roles.ts";
import type { NodeRuntime } from "./runtime.ts";
import { checkHostSlugs } from "./slugs.ts";
import { nodePath, type NodeState, stateOf } from "./state.ts";

/** The state `bindNode` keeps on a node: its class and the options it was bound with. */
interface BoundState extends NodeState {
  readonly cls: NodeClass;
  readonly options: BindOptions;
}

/**
 * Binds a root node. A normal root is one isolation; a parallel root is returned as its
 * parallel view. Two different hosts with the same slug anywhere in the tree are an error.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { bindRoot } from "./root.ts";
 * import { Node } from "./node.ts";
 * class Root extends Node {
 *   roles(): string[] { return this.hosts.roles(); }
 * }
 * await using env = new Env({ interactive: false });
 * const root = bindRoot(Root, runtimeOf(env), { hosts: { web: new LocalHost() } }) as Root;
 * assert.deepEqual(await root.roles(), ["web"]);
 * ```
 */
export function bindRoot<N extends object>(
  cls: NodeClass<N>,
  runtime: NodeRuntime,
  options: { hosts?: HostsDefinition; set?: Readonly<Record<string, unknown>> } = {},
): unknown {
  const statics = (cls as unknown as { hosts?: HostsDefinition }).hosts;
  const roles = rolesFromDefinition(options.hosts ?? statics);
  checkHostSlugs(cls, cls.name || "Root", roles);
  const parallel = isParallelClass(cls);
  const node = bindNode(cls, { runtime, roles, isolated: !parallel, set: options.set });
  return parallel ? parallelView(node) : node;
}

/**
 * Binds the class of a bound root again, with the same hosts and `set:` values, in
 * another runtime (e.g. a sandboxed fork of the environment). Returns the node (a
 * parallel root is not wrapped in its view).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { rebindRoot } from "./root.ts";
 * import { Node } from "./node.ts";
 * class Root extends Node {
 *   sandboxed(): boolean { return this.env.sandbox; }
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * const dryRun = rebindRoot(root, runtimeOf(env.fork({ sandbox: true }))) as Root;
 * assert.notEqual(dryRun, root);
 * assert.equal(await dryRun.sandboxed(), true);
 * assert.equal(await root.sandboxed(), false);
 * ```
 */
export function rebindRoot(root: object, runtime: NodeRuntime): object {
  const state = stateOf(root) as BoundState | undefined;
  if (!state) throw new TypeError("rebindRoot() expects a bound node");
  if (state.parent) throw new TypeError(`rebindRoot() expects a root, got ${nodePath(root)}`);
  return bindNode(state.cls, { ...state.options, runtime });
}

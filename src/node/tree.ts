/**
 * The tree facet of a bound node: its path, children and isolations, offered under
 * `Symbol.for("deployer.tree")` to the layers below the node model (the console's choosers).
 *
 * @module
 */
import type { TreeFacet } from "../console/mod.ts";
import { childOf, isolationsOf } from "./isolation.ts";
import { isolationHost, nodePath, requireState } from "./state.ts";

/**
 * The tree facet of a bound node (what `node[Symbol.for("deployer.tree")]` returns).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "./node.ts";
 * import { treeFacet } from "./tree.ts";
 * class Git extends ParallelNode {}
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
 *   git = child(Git, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const root = treeFacet(env.bind(Root));
 * assert.equal(root.path, "Root");
 * const [git] = root.children();
 * assert.deepEqual(treeFacet(git).isolations().map((i) => i.slug), ["a", "b"]);
 * ```
 */
export function treeFacet(node: object): TreeFacet {
  const state = requireState(node, "the tree");
  return {
    get path(): string {
      return nodePath(node);
    },
    children: () =>
      state.members.filter((m) => m.kind === "child").flatMap((m) => {
        const reached = childOf(node, m.name);
        return reached ? [reached] : [];
      }),
    isolations: () => isolationsOf(node).map((iso) => ({ node: iso, ...isolationHost(iso) })),
  };
}

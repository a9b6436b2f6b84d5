/**
 * `AnalyseHost`: where the current host appears in the tree, with which roles.
 *
 * @module
 */
import { action } from "../node/action.ts";
import { Inspector } from "../node/inspect.ts";
import { ParallelNode } from "../node/node.ts";

/** One node where a host appears. */
export interface HostAppearance {
  /** The dotted path of the node. */
  readonly path: string;
  /** The roles of the node that contain the host. */
  readonly roles: readonly string[];
}

/**
 * Walks the whole tree from its root and lists every node whose roles contain the host
 * of this isolation, as `path :: role, role` (python-deployer's
 * `contrib.nodes.inspection.AnalyseHost`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { AnalyseHost } from "./analyse_host.ts";
 * const web1 = new LocalHost({ slug: "web1" });
 * class Root extends Node {
 *   static override hosts = { web: web1 };
 *   analyse = child(AnalyseHost, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const [found] = await env.bind(Root).analyse.analyse();
 * assert.ok(found.some((a) => a.path === "Root" && a.roles.includes("web")));
 * ```
 */
export class AnalyseHost extends ParallelNode {
  /** Prints and returns the nodes (and their roles) where this host appears. */
  @action({ suppressResult: true })
  analyse(): HostAppearance[] {
    const slug = this.host.slug;
    const root = new Inspector(this).root();
    const found: HostAppearance[] = [];
    for (const node of new Inspector(root).walk()) {
      const inspector = new Inspector(node);
      const roles = [...inspector.hosts()]
        .filter(([, hosts]) => hosts.some((h) => h.slug === slug))
        .map(([role]) => role);
      if (roles.length) found.push({ path: inspector.path().join("."), roles });
    }
    for (const { path, roles } of found) this.console.write(`${path} :: ${roles.join(", ")}\n`);
    return found;
  }
}

/**
 * Every host of a tree, in definition order (roles in order, nodes depth first in field
 * order): the order of the recap and of the sandbox plan, and the list a `--limit` that
 * matches nothing shows.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { PlanEntry } from "./env_core.ts";
import type { HostFilter } from "./host_filter.ts";
import { Inspector } from "../node/inspect.ts";

/**
 * The host slugs of a bound tree, each once, in definition order. Children that cannot
 * be bound (a `justOne` child with several hosts) are left out.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "./env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node } from "../node/node.ts";
 * import { treeHosts } from "./tree_hosts.ts";
 * class Db extends Node {
 *   static override hosts = { db: new LocalHost({ slug: "db1" }) };
 * }
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "b" }), new LocalHost({ slug: "a" })] };
 *   db = child(Db);
 * }
 * await using env = new Env({ interactive: false });
 * assert.deepEqual(treeHosts(env.bind(Root)), ["b", "a", "db1"]);
 * ```
 */
export function treeHosts(root: object): string[] {
  const slugs = new Set<string>();
  const seen = new Set<object>();
  const visit = (node: object, depth: number) => {
    if (seen.has(node) || depth > 50) return;
    seen.add(node);
    const inspector = new Inspector(node);
    for (const hosts of inspector.hosts().values()) for (const h of hosts) slugs.add(h.slug);
    let children: [string, object][] = [];
    try {
      children = inspector.children();
    } catch {
      return;
    }
    for (const [, child] of children) visit(child, depth + 1);
  };
  visit(root, 0);
  return [...slugs];
}

/**
 * Checks a `--limit` against the hosts of the tree: a usage error listing the hosts when
 * it chooses none. Returns the positive patterns that matched no host (for a warning).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostFilter } from "../exec/host_filter.ts";
 * import { checkLimit } from "./tree_hosts.ts";
 * assert.deepEqual(checkLimit(HostFilter.parse("web*,wbe9"), ["web1", "db1"]), ["wbe9"]);
 * assert.throws(() => checkLimit(HostFilter.parse("nope"), ["web1", "db1"]), {
 *   name: "UsageError",
 *   message: '--limit "nope" matches none of the hosts: web1, db1',
 * });
 * ```
 */
export function checkLimit(filter: HostFilter, slugs: readonly string[]): string[] {
  if (!slugs.some((s) => filter.matches(s))) {
    throw new UsageError(
      `--limit ${JSON.stringify(filter.text)} matches none of the hosts: ${
        slugs.join(", ") || "(the tree has no hosts)"
      }`,
    );
  }
  return filter.unmatched(slugs);
}

/**
 * A sandbox plan grouped by host: the hosts of `order` (see {@linkcode treeHosts}) first, in
 * that order, then any other host in the order it was first planned. Each host's commands
 * keep the order they were planned in.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planInTreeOrder } from "./tree_hosts.ts";
 * const plan = [
 *   { host: "b", command: "b1" },
 *   { host: "x", command: "x1" },
 *   { host: "a", command: "a1" },
 *   { host: "b", command: "b2" },
 * ];
 * assert.deepEqual(planInTreeOrder(plan, ["a", "b"]).map((e) => e.command), ["a1", "b1", "b2", "x1"]);
 * ```
 */
export function planInTreeOrder(
  plan: readonly PlanEntry[],
  order: readonly string[],
): PlanEntry[] {
  const byHost = new Map<string, PlanEntry[]>();
  for (const entry of plan) {
    const list = byHost.get(entry.host);
    if (list) list.push(entry);
    else byHost.set(entry.host, [entry]);
  }
  const hosts = new Set(order.filter((host) => byHost.has(host)));
  for (const host of byHost.keys()) hosts.add(host);
  return [...hosts].flatMap((host) => byHost.get(host)!);
}

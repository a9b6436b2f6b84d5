/**
 * Isolations: the cells of a parallel node (one per host), the isolations an action runs
 * in, and the typed outside view of a parallel node. Cells are bound with the `makeCell`
 * function `./bind.ts` leaves in the node's state, so this module never binds by itself.
 *
 * @module
 */
import { DeployerError } from "../errors.ts";
import type { Host } from "../host/host.ts";
import { isHost } from "../host/host.ts";
import { discoverActions } from "./action.ts";
import { isNode, isParallelNode, nodePath, stateOf, VIEW_OF } from "./state.ts";

/**
 * The cells (one isolation per host of the `host` role) of a non-isolated parallel node.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { bindNode } from "./bind.ts";
 * import { cellsOf } from "./isolation.ts";
 * import { ParallelNode } from "./node.ts";
 * class Uptime extends ParallelNode {
 *   slug(): string { return this.host.slug; }
 * }
 * await using env = new Env({ interactive: false });
 * const hosts = [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })];
 * const roles = new Map([["host", hosts]]);
 * const node = bindNode(Uptime, { runtime: runtimeOf(env), roles, isolated: false });
 * const cells = cellsOf(node) as Uptime[];
 * assert.deepEqual(await Promise.all(cells.map((cell) => cell.slug())), ["a", "b"]);
 * ```
 */
export function cellsOf(node: object): object[] {
  const state = stateOf(node);
  if (!state) throw new TypeError("cellsOf() expects a bound node");
  if (state.isolated) return [node];
  if (!state.cells) {
    const hosts = state.roles.get("host") ?? [];
    const seen = new Set<string>();
    for (const host of hosts) {
      if (seen.has(host.slug)) {
        throw new DeployerError(`Duplicate host slug "${host.slug}" in ${nodePath(node)}`);
      }
      seen.add(host.slug);
    }
    const makeCell = state.makeCell;
    if (!makeCell) throw new TypeError(`${nodePath(node)} cannot make cells`);
    state.cells = hosts.map((host) => makeCell(host));
  }
  return state.cells;
}

/**
 * The node reached by a child field, unwrapping parallel views.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { childOf } from "./isolation.ts";
 * import { child, Node } from "./node.ts";
 * class Db extends Node {}
 * class Root extends Node {
 *   db = child(Db);
 *   port = 5432;
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.equal(childOf(root, "db"), root.db);
 * assert.equal(childOf(root, "port"), undefined);
 * ```
 */
export function childOf(node: object, name: string): object | undefined {
  const value = (node as Record<string, unknown>)[name];
  if (typeof value !== "object" || value === null) return undefined;
  const inner = VIEW_OF in value ? (value as Record<symbol, object>)[VIEW_OF] : value;
  return isNode(inner) ? inner : undefined;
}

/**
 * Every isolation a node's actions run in: itself when isolated, one cell per host for a
 * parallel node, and the parent's isolations for a normal node below a parallel one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { childOf, isolationsOf } from "./isolation.ts";
 * import { child, Node, ParallelNode } from "./node.ts";
 * class Cell extends ParallelNode {}
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
 *   cell = child(Cell, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.deepEqual(isolationsOf(root), [root]);
 * assert.equal(isolationsOf(childOf(root, "cell")!).length, 2);
 * ```
 */
export function isolationsOf(node: object): object[] {
  const state = stateOf(node);
  if (!state) throw new TypeError("isolationsOf() expects a bound node");
  if (state.isolated) return [node];
  const parent = state.parent;
  const parentIsolated = parent ? stateOf(parent)?.isolated ?? true : true;
  if (isParallelNode(node) && parentIsolated) return cellsOf(node);
  if (!parent) return cellsOf(node);
  return isolationsOf(parent).flatMap((p) => {
    const reached = childOf(p, state.name);
    return reached ? isolationsOf(reached) : [];
  });
}

/**
 * The typed outside view of a non-isolated parallel node: actions fan out, plus
 * `isolate()` and `isolations()`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { bindNode } from "./bind.ts";
 * import { parallelView } from "./isolation.ts";
 * import { type Parallel, ParallelNode } from "./node.ts";
 * class Uptime extends ParallelNode {
 *   slug(): string { return this.host.slug; }
 * }
 * await using env = new Env({ interactive: false });
 * const hosts = [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })];
 * const roles = new Map([["host", hosts]]);
 * const node = bindNode(Uptime, { runtime: runtimeOf(env), roles, isolated: false });
 * const view = parallelView(node) as Parallel<Uptime>;
 * assert.deepEqual([...await view.slug()], ["a", "b"]);
 * assert.equal(await view.isolate("b").slug(), "b");
 * ```
 */
export function parallelView(node: object): object {
  const view: Record<string | symbol, unknown> = {};
  Object.defineProperty(view, VIEW_OF, { value: node });
  for (const info of discoverActions(node)) {
    view[info.name] = (...args: unknown[]) =>
      (node as Record<string, (...a: unknown[]) => unknown>)[info.name](...args);
  }
  view.isolations = () => isolationsOf(node);
  view.isolate = (which: string | number | Host) => isolate(node, which);
  return Object.freeze(view);
}

function isolate(node: object, which: string | number | Host): object {
  const cells = isolationsOf(node);
  const found = typeof which === "number"
    ? cells[which]
    : cells.find((cell) => stateOf(cell)?.isolationId === (isHost(which) ? which.slug : which));
  if (!found) {
    const slugs = cells.map((c) => stateOf(c)?.isolationId).join(", ");
    throw new DeployerError(
      `No isolation ${JSON.stringify(isHost(which) ? which.slug : which)} in ${
        nodePath(node)
      } (hosts: ${slugs || "none"})`,
    );
  }
  return found;
}

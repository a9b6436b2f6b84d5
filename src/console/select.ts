/**
 * The node and isolation choosers (python-deployer's `Console.select_node` and
 * `select_node_isolation`): pick a node of a tree, or one isolation (host) of a node. The
 * console sits below the node model, so it reads nodes through the {@linkcode TreeFacet} that
 * every bound node offers under the `Symbol.for("deployer.tree")` key.
 *
 * @module
 */
import { TREE, VIEW_OF } from "../brands.ts";
import { DeployerError } from "../errors.ts";
import type { Console } from "./console.ts";

/** One isolation of a node: the node of that isolation and its host. */
export interface IsolationEntry {
  /** The isolated node. */
  readonly node: object;
  /** The slug of its host (empty for a node that is one isolation without a host). */
  readonly slug: string;
  /** The address of its host. */
  readonly address: string;
}

/** What a bound node offers the choosers. */
export interface TreeFacet {
  /** The dotted path, `Root.web.git[web1]`. */
  readonly path: string;
  /** The child nodes, in definition order (parallel views unwrapped). */
  children(): object[];
  /** The isolations the node's actions run in, in host order. */
  isolations(): IsolationEntry[];
}

/** Which nodes {@linkcode selectNode} offers: a predicate, or a filter with `matches()`. */
export type NodeFilter<T extends object = object> =
  | ((node: object) => node is T)
  | ((node: object) => boolean)
  | { matches(node: object): boolean };

/** Options of {@linkcode selectNode}. */
export interface SelectNodeOptions<T extends object = object> {
  /** The question (default `Select a node`). */
  prompt?: string;
  /** Only nodes that pass (default: every node, the root included). */
  filter?: NodeFilter<T>;
}

function facetOf(value: object): TreeFacet {
  const node = VIEW_OF in value ? (value as Record<symbol, object>)[VIEW_OF] : value;
  const facet = (node as Record<symbol, TreeFacet | undefined>)[TREE];
  if (!facet) throw new TypeError("Expected a bound node (created with env.bind() or runCli())");
  return facet;
}

function nodeOf(value: object): object {
  return VIEW_OF in value ? (value as Record<symbol, object>)[VIEW_OF] : value;
}

function passes(filter: NodeFilter | undefined, node: object): boolean {
  if (!filter) return true;
  return typeof filter === "function" ? filter(node) : filter.matches(node);
}

function* walk(node: object): Generator<object> {
  yield node;
  let children: object[];
  try {
    children = facetOf(node).children();
  } catch {
    return; // a child that cannot be bound here (e.g. justOne with several hosts) is skipped
  }
  for (const child of children) yield* walk(child);
}

/**
 * Asks which node of a tree to use: every node below `root` (and `root` itself) that passes
 * the filter, by path. One candidate is returned without asking; none is an error.
 *
 * @param console The console to ask on.
 * @param root The root of the search (a node or a parallel view).
 * @param options The prompt and the filter (a predicate or an inspector `Filter`).
 * @returns The chosen node.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { Console } from "./console.ts";
 * import { selectNode } from "./select.ts";
 * import { Env } from "../exec/env.ts";
 * import { child, Node } from "../node/node.ts";
 * class Db extends Node {
 *   backup(): void {}
 * }
 * class Root extends Node {
 *   main = child(Db);
 *   replica = child(Db);
 * }
 * const output = new PassThrough();
 * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
 * await using env = new Env({ console: console_ });
 * const root = env.bind(Root);
 * const isDb = (node: object): node is Db => node instanceof Db;
 * const db = await selectNode(console_, root, { prompt: "Which database?", filter: isDb });
 * assert.ok(db === root.main || db === root.replica);
 * assert.match(String(output.read()), /Which database\? \(default=random\)/);
 * ```
 */
export async function selectNode<T extends object = object>(
  console: Console,
  root: object,
  options: SelectNodeOptions<T> = {},
): Promise<T> {
  const found = [...walk(nodeOf(root))].filter((node) => passes(options.filter, node));
  const rootPath = facetOf(root).path;
  if (found.length === 0) {
    const filter = options.filter;
    const what = !filter
      ? ""
      : typeof filter === "function"
      ? " passing the filter"
      : ` matching ${filter}`;
    throw new DeployerError(`No node${what} in ${rootPath}`);
  }
  if (found.length === 1) return found[0] as T;
  const choices = found.map((node) => [facetOf(node).path, node] as const);
  return await console.choice(options.prompt ?? "Select a node", choices, {
    allowRandom: true,
  }) as T;
}

/**
 * Asks on which isolation (host) of a node to work: `slug (address)` per isolation; one is
 * returned without asking, none is an error. Given a `Parallel<N>` view, it returns an `N`.
 *
 * @param console The console to ask on.
 * @param node A node, or a parallel view.
 * @returns The chosen isolation.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { Console } from "./console.ts";
 * import { selectIsolation } from "./select.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "../node/node.ts";
 * class Git extends ParallelNode {
 *   slug(): string { return this.host.slug; }
 * }
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
 *   git = child(Git, { roles: { host: "web" } });
 * }
 * const console_ = new Console({
 *   input: new PassThrough(), output: new PassThrough(), interactive: false,
 * });
 * await using env = new Env({ console: console_ });
 * const git = await selectIsolation(console_, env.bind(Root).git); // typed Git
 * assert.ok(["a", "b"].includes(await git.slug()));
 * ```
 */
export async function selectIsolation<N extends object>(
  console: Console,
  node: { isolations(): N[] } | N,
): Promise<N> {
  const facet = facetOf(node);
  const isolations = facet.isolations();
  if (isolations.length === 0) throw new DeployerError(`No hosts in ${facet.path}`);
  if (isolations.length === 1) return isolations[0].node as N;
  const choices = isolations.map((iso) => [`${iso.slug} (${iso.address})`, iso.node] as const);
  return await console.choice("Choose a host", choices, { allowRandom: true }) as N;
}

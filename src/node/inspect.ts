/**
 * The inspector: what a node has (children, actions, values, queries, hosts), where it
 * is (path, root, parent, group) and a walk over the tree.
 *
 * @module
 */
import type { Host } from "../host/host.ts";
import { type ActionInfo, discoverActions } from "./action.ts";
import { childOf, isolationsOf } from "./isolation.ts";
import { type Filter, groupOf } from "./filters.ts";
import type { Group } from "./groups.ts";
import { type Member, nodePath, requireState, stateOf, unwrapView } from "./state.ts";

/** What `include` options accept. */
export interface ListOptions {
  /** Include names starting with `_` (default true, as python-deployer does). */
  includePrivate?: boolean;
}

function visible(name: string, options: ListOptions | undefined): boolean {
  return options?.includePrivate !== false || !name.startsWith("_");
}

/**
 * Looks into a bound node without running anything.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "./node.ts";
 * import { Env } from "../exec/env.ts";
 * import { Inspector } from "./inspect.ts";
 * class B extends Node { go(): void {} }
 * class A extends Node { b = child(B); }
 * await using env = new Env({ interactive: false });
 * const inspector = new Inspector(env.bind(A));
 * assert.equal(inspector.children().map(([name]) => name).join(), "b");
 * assert.equal(new Inspector(inspector.child("b")).path().join("."), "A.b");
 * ```
 */
export class Inspector {
  /** The inspected node (a parallel view is unwrapped). */
  readonly node: object;

  /** Inspects a bound node or parallel view. */
  constructor(node: object) {
    this.node = unwrapView(node);
    requireState(this.node, "inspector");
  }

  get #state() {
    return requireState(this.node, "inspector");
  }

  /** The node's name (its field name; the class name for a root). */
  get name(): string {
    return this.#state.name;
  }

  /** The class name of the node. */
  get className(): string {
    return this.node.constructor.name || "(anonymous)";
  }

  /** Whether the node is one isolation. */
  get isolated(): boolean {
    return this.#state.isolated;
  }

  /** The host slug of a parallel cell. */
  get isolationId(): string | undefined {
    return this.#state.isolationId;
  }

  /** Names from the root to this node. */
  path(): string[] {
    const names: string[] = [];
    for (let n: object | undefined = this.node; n; n = stateOf(n)?.parent) {
      names.unshift(stateOf(n)!.name);
    }
    return names;
  }

  /** The dotted path with isolation markers: `Root.web[web1]`. */
  fullPath(): string {
    return nodePath(this.node);
  }

  /** The root of the tree. */
  root(): object {
    let n = this.node;
    while (stateOf(n)?.parent) n = stateOf(n)!.parent!;
    return n;
  }

  /** The parent node, if any. */
  parent(): object | undefined {
    return this.#state.parent;
  }

  /** The group of the node (inherited from ancestors). */
  group(): Group | undefined {
    return groupOf(this.node);
  }

  /** The fields of the node class body, in definition order. */
  members(): readonly Member[] {
    return this.#state.members;
  }

  /** Child nodes in definition order, as `[name, node]` (parallel views unwrapped). */
  children(options?: ListOptions): [string, object][] {
    return this.#state.members
      .filter((m) => m.kind === "child" && visible(m.name, options))
      .map((m) => [m.name, childOf(this.node, m.name)!] as [string, object]);
  }

  /** Whether there is a child named `name`. */
  hasChild(name: string): boolean {
    return this.#state.members.some((m) => m.kind === "child" && m.name === name);
  }

  /** The child named `name`; throws when there is none. */
  child(name: string): object {
    if (!this.hasChild(name)) throw new Error(`${this.fullPath()} has no child node "${name}"`);
    return childOf(this.node, name)!;
  }

  /** Actions (with aliases), alphabetically. */
  actions(options?: ListOptions): ActionInfo[] {
    return discoverActions(this.node).filter((a) => visible(a.name, options));
  }

  /** Whether there is an action named `name`. */
  hasAction(name: string): boolean {
    return this.actions().some((a) => a.name === name);
  }

  /** The action named `name`; throws when there is none. */
  action(name: string): ActionInfo {
    const found = this.actions().find((a) => a.name === name);
    if (!found) throw new Error(`${this.fullPath()} has no action "${name}"`);
    return found;
  }

  /** Query fields with their source, in definition order. */
  queries(): { name: string; source: string }[] {
    return this.#state.members.filter((m) => m.kind === "query")
      .map((m) => ({ name: m.name, source: m.detail ?? "" }));
  }

  /** Plain and required value fields, in definition order. */
  properties(): Member[] {
    return this.#state.members.filter((m) => m.kind === "value" || m.kind === "required");
  }

  /** Hosts per role, in definition order. */
  hosts(): ReadonlyMap<string, readonly Host[]> {
    return this.#state.roles;
  }

  /** Every isolation the node's actions run in. */
  isolations(): object[] {
    return isolationsOf(this.node);
  }

  /** The isolation on the host with slug `slug`; throws when there is none. */
  isolation(slug: string): object {
    const found = this.isolations().find((n) => stateOf(n)?.isolationId === slug);
    if (!found) throw new Error(`${this.fullPath()} has no isolation "${slug}"`);
    return found;
  }

  /** Every node below (and including) this one, breadth first, optionally filtered. */
  walk(filter?: Filter): object[] {
    const out: object[] = [];
    const queue: object[] = [this.node];
    const seen = new Set<object>();
    while (queue.length) {
      const node = queue.shift()!;
      if (seen.has(node)) continue;
      seen.add(node);
      if (!filter || filter.matches(node)) out.push(node);
      for (const [, c] of new Inspector(node).children()) queue.push(c);
    }
    return out;
  }

  /** `Inspector(Root.web)`. */
  toString(): string {
    return `Inspector(${this.fullPath()})`;
  }
}

/**
 * Filters for `Inspector.walk()`: public or private nodes, instances of a class, nodes
 * with an action, nodes in a group. They combine with `and`, `or` and `not`.
 *
 * @module
 */
import type { Group } from "./groups.ts";
import type { NodeClass } from "./markers.ts";
import { stateOf } from "./state.ts";
import { discoverActions } from "./action.ts";

/**
 * A predicate on nodes with a readable description.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasAction, publicOnly } from "./filters.ts";
 * const f = publicOnly.and(hasAction("deploy"));
 * assert.equal(f.toString(), "publicOnly & hasAction(\"deploy\")");
 * ```
 */
export class Filter {
  readonly #test: (node: object) => boolean;
  readonly #label: string;
  /** Creates a filter from a predicate and a label. */
  constructor(test: (node: object) => boolean, label: string) {
    this.#test = test;
    this.#label = label;
  }
  /** Whether the node passes. */
  matches(node: object): boolean {
    return this.#test(node);
  }
  /** Both this and `other`. */
  and(other: Filter): Filter {
    return new Filter((n) => this.matches(n) && other.matches(n), `${this} & ${other}`);
  }
  /** This or `other`. */
  or(other: Filter): Filter {
    return new Filter((n) => this.matches(n) || other.matches(n), `(${this} | ${other})`);
  }
  /** The opposite. */
  not(): Filter {
    return new Filter((n) => !this.matches(n), `~${this}`);
  }
  /** A readable description. */
  toString(): string {
    return this.#label;
  }
}

function isPublic(node: object): boolean {
  const state = stateOf(node);
  return !state?.parent || !state.name.startsWith("_");
}

/** Nodes whose name does not start with `_` (the root counts as public). */
export const publicOnly: Filter = new Filter(isPublic, "publicOnly");
/** Nodes whose name starts with `_`. */
export const privateOnly: Filter = new Filter((n) => !isPublic(n), "privateOnly");

/**
 * Nodes that are instances of `cls`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isInstance } from "./filters.ts";
 * import { Node } from "./node.ts";
 * assert.equal(isInstance(Node).toString(), "isInstance(Node)");
 * ```
 */
export function isInstance(cls: NodeClass): Filter {
  return new Filter((n) => n instanceof cls, `isInstance(${cls.name})`);
}

/**
 * Nodes that have an action named `name`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasAction } from "./filters.ts";
 * assert.equal(hasAction("x").toString(), 'hasAction("x")');
 * ```
 */
export function hasAction(name: string): Filter {
  return new Filter(
    (n) => discoverActions(n).some((a) => a.name === name),
    `hasAction(${JSON.stringify(name)})`,
  );
}

/**
 * Nodes in `group` (groups are inherited from ancestors).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { inGroup } from "./filters.ts";
 * import { production } from "./groups.ts";
 * assert.equal(inGroup(production).toString(), "inGroup(production)");
 * ```
 */
export function inGroup(group: Group): Filter {
  return new Filter((n) => groupOf(n) === group, `inGroup(${group.name})`);
}

/**
 * The group of a node: its own, else the nearest ancestor's.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupOf } from "./filters.ts";
 * assert.equal(groupOf({}), undefined);
 * ```
 */
export function groupOf(node: object): Group | undefined {
  for (let current: object | undefined = node; current;) {
    const state = stateOf(current);
    if (!state) return undefined;
    if (state.group) return state.group;
    current = state.parent;
  }
  return undefined;
}

/**
 * Field markers used in node class bodies: `child()`, `required()` and `q()`. Each
 * returns a placeholder typed as the value the field will have; binding a node to an
 * environment replaces the placeholders with the real thing.
 *
 * @module
 */
import { ALL_HOSTS, PLACEHOLDER } from "../brands.ts";
import type { Host } from "../host/host.ts";
import type { Group } from "./groups.ts";

export { ALL_HOSTS, PLACEHOLDER };

/** What a child role maps to: one parent role, several, or all hosts. */
export type RoleSource = string | readonly string[] | typeof ALL_HOSTS;

/** Real hosts per role: `{ web: [web1, web2], db: db1 }`. */
export type HostsDefinition = Readonly<Record<string, Host | readonly Host[]>>;

/** The settings of a child node. */
export interface ChildOptions<N> {
  /** Role mapping, python's `map_roles`: `{ childRole: "parentRole" | [...] | ALL_HOSTS }`. */
  roles?: Readonly<Record<string, RoleSource>>;
  /** Real hosts, ignoring the parent's (python's inner `class Hosts`). */
  hosts?: HostsDefinition;
  /**
   * Field values to set on the child (replaces python's `Child__field = value`). A function
   * (`set: () => ({ location: this.root })`) is called when the child is bound, so it sees
   * the parent's final fields, subclass overrides included.
   */
  set?: { [K in keyof N]?: N[K] } | (() => { [K in keyof N]?: N[K] });
  /** For a parallel node: exactly one host, used as a plain isolated node (python `.JustOne`). */
  justOne?: boolean;
  /** The group of the child (and its descendants). */
  group?: Group;
}

/** A class of node that can be instantiated without arguments. */
// deno-lint-ignore no-explicit-any
export type NodeClass<N = any> = new () => N;

/** A child placeholder, replaced at binding. */
export interface ChildMarker {
  readonly [PLACEHOLDER]: "child";
  readonly cls: NodeClass;
  readonly options: ChildOptions<unknown>;
}

/** A required-value placeholder. */
export interface RequiredMarker {
  readonly [PLACEHOLDER]: "required";
  readonly description: string;
}

/** A query placeholder. */
export interface QueryMarker {
  readonly [PLACEHOLDER]: "query";
  readonly fn: () => unknown;
  readonly source: string;
}

/** Any placeholder. */
export type Marker = ChildMarker | RequiredMarker | QueryMarker;

/**
 * Whether a value is a placeholder from any copy of deployer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMarker, required } from "./markers.ts";
 * assert.ok(isMarker(required<string>("x")));
 * ```
 */
export function isMarker(value: unknown): value is Marker {
  return typeof value === "object" && value !== null && PLACEHOLDER in value;
}

/**
 * Declares a value that must be provided by a subclass, `set:` or an override. Reading
 * it while unset throws an error naming the node path, the field and the description.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { required } from "./markers.ts";
 * import { child, Node } from "./node.ts";
 * class Git extends Node {
 *   repository = required<string>("URL to clone");
 * }
 * class Root extends Node {
 *   app = child(Git, { set: { repository: "https://example.org/app.git" } });
 *   broken = child(Git);
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.equal(root.app.repository, "https://example.org/app.git");
 * assert.throws(() => root.broken.repository, {
 *   message: 'Required value "repository" of Root.broken is not set: URL to clone',
 * });
 * ```
 */
export function required<T>(description = ""): T {
  const marker: RequiredMarker = { [PLACEHOLDER]: "required", description };
  return marker as unknown as T;
}

/**
 * Declares a lazy, inspectable value: the function is evaluated on every access, with
 * `this` being the node, and its source is shown by the inspector. Failures are wrapped
 * in a `QueryError` naming the node, the field and the source.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { q } from "./markers.ts";
 * import { child, Node } from "./node.ts";
 * class Site extends Node {
 *   domain = "example.com";
 *   url = q(() => `https://${this.domain}`);
 * }
 * class Root extends Node {
 *   site = child(Site, { set: { domain: "example.org" } });
 * }
 * await using env = new Env({ interactive: false });
 * assert.equal(env.bind(Root).site.url, "https://example.org");
 * ```
 */
export function q<T>(fn: () => T): T {
  const marker: QueryMarker = { [PLACEHOLDER]: "query", fn, source: fn.toString() };
  return marker as unknown as T;
}

/** Builds the child marker; `child()` in node.ts gives it its types. */
export function childMarker(cls: NodeClass, options: ChildOptions<unknown> = {}): ChildMarker {
  if (typeof cls !== "function") {
    throw new TypeError(`child() expects a node class, got ${typeof cls}`);
  }
  return { [PLACEHOLDER]: "child", cls, options };
}

/**
 * The check that every host slug of a tree names one host definition: two different
 * hosts with the same slug would make `path[slug]`, `isolate()`, logs and recaps
 * ambiguous. It runs when a root is bound and walks the classes of the tree (children
 * are bound lazily, so the live tree is not complete yet).
 *
 * @module
 */
import { PLACEHOLDER } from "../brands.ts";
import { DeployerError } from "../errors.ts";
import type { Host } from "../host/host.ts";
import { type ChildMarker, isMarker, type NodeClass } from "./markers.ts";
import { childRoles } from "./roles.ts";
import type { RoleMap } from "./runtime.ts";

/** Where a host was found: the node path and the role. */
interface Place {
  readonly host: Host;
  readonly path: string;
  readonly role: string;
}

/** How deep the walk goes (a tree that contains itself stops here). */
const MAX_DEPTH = 64;

function plain(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!plain(a) || !plain(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length &&
    ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Whether two host objects describe the same host: the same object, or two objects of
 * the same class with equal settings (`new LocalHost()` written twice is one machine).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "../host/local.ts";
 * import { sameHost } from "./slugs.ts";
 * assert.ok(sameHost(new LocalHost(), new LocalHost()));
 * assert.ok(!sameHost(new LocalHost({ slug: "a" }), new LocalHost({ slug: "a", username: "x" })));
 * ```
 */
export function sameHost(a: Host, b: Host): boolean {
  if (a === b) return true;
  if (a.constructor !== b.constructor) return false;
  return sameData({ ...a }, { ...b });
}

function describe(place: Place): string {
  return `${place.path} role "${place.role}"`;
}

function record(seen: Map<string, Place>, place: Place): void {
  const first = seen.get(place.host.slug);
  if (!first) return void seen.set(place.host.slug, place);
  if (sameHost(first.host, place.host)) return;
  throw new DeployerError(
    `Duplicate host slug "${place.host.slug}": two different hosts use it, in ${
      describe(first)
    } (${first.host.address}) and in ${describe(place)} (${place.host.address}); ` +
      `give each host its own slug, or reuse the same host object`,
  );
}

function childMarkers(cls: NodeClass): [string, ChildMarker][] | undefined {
  let instance: object;
  try {
    instance = new cls();
  } catch {
    return undefined; // Binding reports it when the node is reached.
  }
  const out: [string, ChildMarker][] = [];
  for (const [name, value] of Object.entries(instance)) {
    if (isMarker(value) && value[PLACEHOLDER as never] === "child") {
      out.push([name, value as ChildMarker]);
    }
  }
  return out;
}

function walk(
  cls: NodeClass,
  path: string,
  roles: RoleMap,
  seen: Map<string, Place>,
  stack: readonly NodeClass[],
): void {
  for (const [role, hosts] of roles) {
    for (const host of hosts) record(seen, { host, path, role });
  }
  if (stack.length >= MAX_DEPTH || stack.includes(cls)) return;
  for (const [name, marker] of childMarkers(cls) ?? []) {
    let roles2: RoleMap;
    try {
      roles2 = childRoles(roles, marker);
    } catch {
      continue; // An invalid mapping is reported when the child is bound.
    }
    walk(marker.cls, `${path}.${name}`, roles2, seen, [...stack, cls]);
  }
}

/**
 * Throws a `DeployerError` naming both places (node path and role) when two different
 * hosts of the tree below `cls` share a slug. The same host object (or an equal copy) in
 * several roles or nodes is fine.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node } from "./node.ts";
 * import { rolesFromDefinition } from "./roles.ts";
 * import { checkHostSlugs } from "./slugs.ts";
 * class App extends Node {}
 * class Root extends Node {
 *   a = child(App, { hosts: { web: new LocalHost({ slug: "web1" }) } });
 *   b = child(App, { hosts: { web: new LocalHost({ slug: "web1", address: "127.0.0.2" }) } });
 * }
 * assert.throws(
 *   () => checkHostSlugs(Root, "Root", rolesFromDefinition({})),
 *   /Duplicate host slug "web1".*Root\.a role "web".*Root\.b role "web"/,
 * );
 * ```
 */
export function checkHostSlugs(cls: NodeClass, path: string, roles: RoleMap): void {
  walk(cls, path, roles, new Map(), []);
}

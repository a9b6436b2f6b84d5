/**
 * Roles: real hosts per role from a definition, and the mapping of a parent's roles to
 * a child's (python's `map_roles`, `ALL_HOSTS`, and inherited hosts).
 *
 * @module
 */
import type { Host } from "../host/host.ts";
import { isHost } from "../host/host.ts";
import {
  ALL_HOSTS,
  type ChildMarker,
  type HostsDefinition,
  type NodeClass,
  type RoleSource,
} from "./markers.ts";
import type { RoleMap } from "./runtime.ts";
import { PARALLEL_BRAND } from "./state.ts";

/**
 * Turns a host definition (`{ web: [a, b], db: c }`) into a role map.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { rolesFromDefinition } from "./roles.ts";
 * import { LocalHost } from "../host/local.ts";
 * const roles = rolesFromDefinition({ web: new LocalHost() });
 * assert.equal(roles.get("web")?.length, 1);
 * ```
 */
export function rolesFromDefinition(definition: HostsDefinition | undefined): RoleMap {
  const roles = new Map<string, readonly Host[]>();
  for (const [role, value] of Object.entries(definition ?? {})) {
    const list = Array.isArray(value) ? value : [value];
    for (const host of list) {
      if (!isHost(host)) {
        throw new TypeError(`Invalid host in role "${role}": expected a Host, got ${typeof host}`);
      }
    }
    roles.set(role, dedupe(list as Host[]));
  }
  return roles;
}

/** The hosts without repeats, in order. */
export function dedupe(hosts: readonly Host[]): Host[] {
  return [...new Set(hosts)];
}

function mapRoles(parent: RoleMap, mapping: Readonly<Record<string, RoleSource>>): RoleMap {
  const roles = new Map<string, readonly Host[]>();
  for (const [role, source] of Object.entries(mapping)) {
    if (source === ALL_HOSTS) {
      roles.set(role, dedupe([...parent.values()].flat()));
    } else if (typeof source === "string" || Array.isArray(source)) {
      const names = typeof source === "string" ? [source] : source;
      roles.set(role, dedupe(names.flatMap((name) => parent.get(name) ?? [])));
    } else {
      throw new TypeError(
        `Invalid role mapping for "${role}": use a role name, a list or ALL_HOSTS`,
      );
    }
  }
  return roles;
}

/** Whether a class is a parallel node class (of any copy of deployer). */
export function isParallelClass(cls: NodeClass): boolean {
  return typeof cls === "function" && cls.prototype && PARALLEL_BRAND in cls.prototype;
}

/** The roles of a child: its own hosts, a mapping of the parent's, or the parent's. */
export function childRoles(parent: RoleMap, marker: ChildMarker): RoleMap {
  const { cls, options } = marker;
  const statics = (cls as unknown as { hosts?: HostsDefinition }).hosts;
  if (options.hosts) return rolesFromDefinition(options.hosts);
  if (statics) return rolesFromDefinition(statics);
  if (options.roles) return mapRoles(parent, options.roles);
  if (isParallelClass(cls) && !parent.has("host")) {
    return new Map([...parent, ["host", dedupe([...parent.values()].flat())]]);
  }
  return parent;
}

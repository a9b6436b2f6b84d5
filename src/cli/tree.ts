/**
 * `deployer inspect`: the tree of a root node as text: nodes, their group, hosts per
 * role (where they change), parallel isolations, and actions with their parameters and
 * descriptions.
 *
 * @module
 */
import { PARALLEL_BRAND } from "../brands.ts";
import type { Host } from "../host/host.ts";
import { Inspector } from "../node/inspect.ts";
import { parameterNames } from "./resolve.ts";

function hostLabel(host: Host): string {
  const address = (host as { address?: unknown }).address;
  return typeof address === "string" && address && address !== host.slug
    ? `${host.slug} (${address})`
    : host.slug;
}

function sameRoles(
  a: ReadonlyMap<string, readonly Host[]>,
  b: ReadonlyMap<string, readonly Host[]>,
) {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [role, hosts] of a) {
    const other = b.get(role);
    if (!other || other.length !== hosts.length || hosts.some((h, i) => other[i] !== h)) {
      return false;
    }
  }
  return true;
}

function describeNode(inspector: Inspector, indent: string, lines: string[]): void {
  const parent = inspector.parent();
  const roles = inspector.hosts();
  if (!parent || !sameRoles(roles, new Inspector(parent).hosts())) {
    if (roles.size === 0) lines.push(`${indent}hosts: none`);
    else {
      lines.push(`${indent}hosts:`);
      for (const [role, hosts] of roles) {
        lines.push(`${indent}  ${role}: ${hosts.length ? hosts.map(hostLabel).join(", ") : "-"}`);
      }
    }
  }
  const actions = inspector.actions();
  if (actions.length) {
    lines.push(`${indent}actions:`);
    for (const action of actions) {
      const params = parameterNames(action.fn).join(", ");
      const alias = action.name !== action.method ? ` (alias of ${action.method})` : "";
      const description = action.flags.description ? ` — ${action.flags.description}` : "";
      lines.push(`${indent}  ${action.name}(${params})${alias}${description}`);
    }
  }
}

function title(inspector: Inspector, name: string): string {
  const node = inspector.node as Record<symbol, unknown>;
  const tags: string[] = [];
  if (inspector.className && inspector.className !== name) tags.push(inspector.className);
  const group = inspector.group();
  if (group) tags.push(`group: ${group.name}`);
  if (node[PARALLEL_BRAND] === true && !inspector.isolated) {
    try {
      const slugs = inspector.isolations().map((c) => new Inspector(c).isolationId ?? "?");
      tags.push(`parallel on ${slugs.length ? slugs.join(", ") : "no hosts"}`);
    } catch (error) {
      tags.push(`parallel: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return tags.length ? `${name}  [${tags.join("; ")}]` : name;
}

function walk(inspector: Inspector, name: string, indent: string, lines: string[]): void {
  lines.push(`${indent}${title(inspector, name)}`);
  describeNode(inspector, `${indent}  `, lines);
  let children: [string, object][] = [];
  try {
    children = inspector.children();
  } catch (error) {
    lines.push(`${indent}  (children: ${error instanceof Error ? error.message : error})`);
  }
  for (const [childName, child] of children) {
    walk(new Inspector(child), childName, `${indent}  `, lines);
  }
}

/**
 * The tree below a bound node as indented text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { renderTree } from "./tree.ts";
 * class Db extends Node { start(): void {} }
 * class Root extends Node {
 *   static override hosts = { db: new LocalHost() };
 *   db = child(Db);
 * }
 * await using env = new Env({ interactive: false });
 * const text = renderTree(env.bind(Root));
 * assert.ok(text.includes("db  [Db]"));
 * assert.ok(text.includes("start()"));
 * ```
 */
export function renderTree(node: object): string {
  const inspector = new Inspector(node);
  const lines: string[] = [];
  walk(inspector, inspector.fullPath(), "", lines);
  return lines.join("\n") + "\n";
}

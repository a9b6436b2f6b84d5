/**
 * The text of `--inspect` and `--source-code`: what a node is, where its hosts are,
 * what it can do, and its queries and values (read in a sandboxed copy of the tree).
 *
 * @module
 */
import { NODE_BRAND, PARALLEL_BRAND } from "../brands.ts";
import { Inspector } from "../node/inspect.ts";
import { stateOf } from "../node/state.ts";
import { formatValue } from "./format.ts";

async function read(node: object | undefined, name: string): Promise<string> {
  if (!node) return "(not evaluated)";
  try {
    const value = await (node as Record<string, unknown>)[name];
    return formatValue(value).split("\n").join("\n      ");
  } catch (error) {
    return `Failed to evaluate value: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function classChain(node: object): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(node); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto === Object.prototype) break;
    names.push(proto.constructor?.name || "(anonymous)");
  }
  return names;
}

function section(title: string, lines: string[]): string {
  return lines.length ? `${title}:\n${lines.map((l) => `  ${l}`).join("\n")}\n` : "";
}

/**
 * The inspection of a node: class chain, path, group, hosts per role (sorted by slug),
 * children, actions with descriptions, queries with their source and value, and values.
 * Values are read from `sandboxed` (the same node in a sandboxed copy of the tree).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { inspectNode } from "./inspect_text.ts";
 * class B extends Node { greet(): void {} }
 * class A extends Node { name = "x"; b = child(B); }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(A);
 * const text = await inspectNode(root, root);
 * assert.ok(text.includes("Children:\n  b"));
 * assert.ok(text.includes('name = x'));
 * ```
 */
export async function inspectNode(node: object, sandboxed?: object): Promise<string> {
  const inspector = new Inspector(node);
  const hosts = [...inspector.hosts()].map(([role, list]) =>
    `${role}: ${
      [...list].sort((a, b) => a.slug.localeCompare(b.slug)).map((h) => `${h.slug} (${h.address})`)
        .join(", ") || "(none)"
    }`
  );
  const children = inspector.children().map(([name, child]) => {
    const c = new Inspector(child);
    const isolations = c.isolated ? "" : ` [${c.isolations().length} isolations]`;
    return `${name}  (${c.className})${isolations}`;
  });
  const actions = inspector.actions().map((a) =>
    a.name + (a.method !== a.name ? ` (alias of ${a.method})` : "") +
    (a.flags.description ? `  ${a.flags.description}` : "")
  );
  const queries: string[] = [];
  for (const q of inspector.queries()) {
    queries.push(`${q.name} = q(${q.source})\n      → ${await read(sandboxed, q.name)}`);
  }
  const values: string[] = [];
  for (const p of inspector.properties()) {
    values.push(`${p.name} = ${await read(sandboxed, p.name)}`);
  }
  const group = inspector.group();
  const state = stateOf(inspector.node)!;
  return `Node:   ${inspector.fullPath()}\n` +
    `Class:  ${classChain(inspector.node).join(" < ")}\n` +
    `Group:  ${group ? group.name : "(none)"}\n` +
    `Mode:   ${
      state.isolated ? "isolated" : `parallel (${inspector.isolations().length} isolations)`
    }\n` +
    section("Hosts", hosts) + section("Children", children) + section("Actions", actions) +
    section("Queries", queries) + section("Values", values);
}

/**
 * The inspection of one action, query or value of a node.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { inspectMember } from "./inspect_text.ts";
 * class A extends Node { greet(): string { return "hi"; } }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(A);
 * assert.ok((await inspectMember(root, "greet", root)).includes("Action: greet"));
 * ```
 */
export async function inspectMember(
  node: object,
  name: string,
  sandboxed?: object,
): Promise<string> {
  const inspector = new Inspector(node);
  const action = inspector.actions().find((a) => a.name === name);
  if (action) {
    const signature = action.fn.toString().split("\n")[0].replace(/\s*\{\s*$/, "");
    const flags = Object.entries(action.flags).filter(([k]) => k !== "description")
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `Action: ${name}\nNode:   ${inspector.fullPath()}\n` +
      `Method: ${signature}\n` +
      (action.flags.description ? `Description: ${action.flags.description}\n` : "") +
      (flags.length ? `Flags:  ${flags.join(", ")}\n` : "");
  }
  const query = inspector.queries().find((q) => q.name === name);
  const kind = query ? "Query" : "Value";
  return `${kind}: ${name}\nNode:  ${inspector.fullPath()}\n` +
    (query ? `Source: ${query.source}\n` : "") +
    `Value: ${await read(sandboxed, name)}\n`;
}

/**
 * The source of a node's class and its ancestors up to `Node` (`cls.toString()`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { sourceCode } from "./inspect_text.ts";
 * class A extends Node { greet(): string { return "hi"; } }
 * await using env = new Env({ interactive: false });
 * assert.ok(sourceCode(env.bind(A)).includes("greet()"));
 * ```
 */
export function sourceCode(node: object): string {
  const inspector = new Inspector(node);
  const parts: string[] = [];
  for (
    let proto = Object.getPrototypeOf(inspector.node);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (Object.prototype.hasOwnProperty.call(proto, NODE_BRAND)) break;
    if (Object.prototype.hasOwnProperty.call(proto, PARALLEL_BRAND)) break;
    const cls = proto.constructor;
    let text: string;
    try {
      text = Function.prototype.toString.call(cls);
    } catch {
      text = "Could not retrieve source code.";
    }
    parts.push(`// ${cls.name || "(anonymous class)"}\n${text}\n`);
  }
  return parts.join("\n") || "Could not retrieve source code.\n";
}

/**
 * The text of `--inspect` and `--source-code`: what a node is, where its hosts are,
 * what it can do, and its queries and values (read in a sandboxed copy of the tree).
 *
 * @module
 */
import { NODE_BRAND, PARALLEL_BRAND } from "../brands.ts";
import type { ActionInfo } from "../node/action.ts";
import { Inspector } from "../node/inspect.ts";
import { parameterNames } from "../node/parameters.ts";
import { stateOf } from "../node/state.ts";
import { formatValue } from "./format.ts";
import { dedent, SourceFinder, type SourceText, where } from "./source.ts";

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
  const finder = new SourceFinder(inspector.node);
  for (const q of inspector.queries()) {
    const found = finder.declared(q.name);
    const text = found
      ? `${found.text.replace(/;$/, "").replace(/\n/g, "\n    ")}  (${where(found)})`
      : `${q.name} = q(${q.source})`;
    queries.push(`${text}\n      → ${await read(sandboxed, q.name)}`);
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
 * The TypeScript source of an action: the method in the class that defines it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Inspector } from "../node/inspect.ts";
 * import { actionSource } from "./inspect_text.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const node = import.meta.resolve("../node/node.ts");
 *   await Deno.writeTextFile(
 *     `${dir}/a.ts`,
 *     `import { Node } from "${node}";\n` +
 *       `export class A extends Node {\n  override toString(): string {\n    return "a";\n  }\n` +
 *       `  greet(name: string): string {\n    return name;\n  }\n}\n`,
 *   );
 *   const { A } = await import(`file://${dir}/a.ts`);
 *   await using env = new Env({ interactive: false });
 *   const root = env.bind(A);
 *   const greet = new Inspector(root).actions().find((a) => a.name === "greet")!;
 *   const found = actionSource(root, greet);
 *   assert.equal(found?.line, 6);
 *   assert.ok(found?.text.startsWith("greet(name: string): string {"));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function actionSource(node: object, action: ActionInfo): SourceText | undefined {
  for (
    let proto = Object.getPrototypeOf(node);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const own = Object.getOwnPropertyDescriptor(proto, action.method);
    if (own && own.value === action.fn) {
      return new SourceFinder(node).member(proto.constructor, action.method);
    }
  }
  return undefined;
}

function sourceBlock(found: SourceText | undefined, fn?: unknown, fallback?: string): string {
  if (found) {
    return `Source: ${where(found)}\n${found.text.replace(/^/gm, "  ")}\n`;
  }
  const text = fallback ?? (typeof fn === "function" ? Function.prototype.toString.call(fn) : "");
  return text ? `Source (file not found; as transpiled):\n${text.replace(/^/gm, "  ")}\n` : "";
}

/**
 * What `help ACTION` prints: the usage line with the parameters (`[x]` has a default,
 * `...x` takes the rest), the node, and the description from `@action({ description })`
 * or `actionOptions`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { action, Node } from "../node/mod.ts";
 * import { Inspector } from "../node/inspect.ts";
 * import { actionUsage } from "./inspect_text.ts";
 * class A extends Node {
 *   @action({ description: "Say hello" })
 *   greet(name: string, greeting = "hi"): string { return `${greeting} ${name}`; }
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(A);
 * const info = new Inspector(root).actions()[0];
 * const text = actionUsage(root, info);
 * assert.match(text, /^Usage: greet name \[greeting\]\n/);
 * assert.match(text, /Say hello/);
 * ```
 */
export function actionUsage(node: object, action: ActionInfo): string {
  const inspector = new Inspector(node);
  const params = parameterNames(action.fn);
  const alias = action.method !== action.name ? ` (alias of ${action.method})` : "";
  return `Usage: ${[action.name, ...params].join(" ")}\n` +
    `  ${action.flags.description ?? "(no description)"}\n` +
    `  Action of ${inspector.fullPath()}${alias}\n` +
    (params.length ? `  Parameters: ${params.join(", ")}\n` : "  Parameters: none\n") +
    sourceLine(actionSource(node, action));
}

function sourceLine(found: SourceText | undefined): string {
  return found ? `  Source: ${where(found)}\n` : "";
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
    const flags = Object.entries(action.flags).filter(([k]) => k !== "description")
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `Action: ${name}\nNode:   ${inspector.fullPath()}\n` +
      (action.flags.description ? `Description: ${action.flags.description}\n` : "") +
      (flags.length ? `Flags:  ${flags.join(", ")}\n` : "") +
      sourceBlock(actionSource(inspector.node, action), action.fn);
  }
  const query = inspector.queries().find((q) => q.name === name);
  const kind = query ? "Query" : "Value";
  const found = query ? new SourceFinder(inspector.node).declared(name) : undefined;
  return `${kind}: ${name}\nNode:  ${inspector.fullPath()}\n` +
    (query ? sourceBlock(found, undefined, `q(${query.source})`) : "") +
    `Value: ${await read(sandboxed, name)}\n`;
}

/**
 * The source of a node's class and its ancestors up to `Node`, as written (TypeScript,
 * each class headed by `// Name  path:line`). A class whose module cannot be read or
 * whose declaration is not found is shown as the runtime has it (JavaScript), and says so.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { sourceCode } from "./inspect_text.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const node = import.meta.resolve("../node/node.ts");
 *   await Deno.writeTextFile(
 *     `${dir}/a.ts`,
 *     `import { Node } from "${node}";\n` +
 *       `export class A extends Node {\n  greet(name: string): string {\n    return name;\n  }\n}\n`,
 *   );
 *   const { A } = await import(`file://${dir}/a.ts`);
 *   await using env = new Env({ interactive: false });
 *   const text = sourceCode(env.bind(A));
 *   assert.ok(text.startsWith(`// A  ${dir}/a.ts:2\nexport class A extends Node {\n`), text);
 *   assert.match(text, /greet\(name: string\): string/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function sourceCode(node: object): string {
  const inspector = new Inspector(node);
  const finder = new SourceFinder(inspector.node);
  const parts: string[] = [];
  for (
    let proto = Object.getPrototypeOf(inspector.node);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (Object.prototype.hasOwnProperty.call(proto, NODE_BRAND)) break;
    if (Object.prototype.hasOwnProperty.call(proto, PARALLEL_BRAND)) break;
    const cls = proto.constructor;
    const name = cls.name || "(anonymous class)";
    const found = finder.class(cls);
    if (found) {
      parts.push(`// ${name}  ${where(found)}\n${dedent(found.text)}\n`);
      continue;
    }
    let text: string;
    try {
      text = Function.prototype.toString.call(cls);
    } catch {
      text = "Could not retrieve source code.";
    }
    parts.push(`// ${name}  (source file not found; as transpiled)\n${text}\n`);
  }
  return parts.join("\n") || "Could not retrieve source code.\n";
}

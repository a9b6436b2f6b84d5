/**
 * Resolving the dotted paths of the command line (`production.database.start`) on a
 * bound tree, with usage errors that name what is missing and where.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { ActionInfo } from "../node/action.ts";
import { Inspector } from "../node/inspect.ts";
import { parameterNames } from "../node/parameters.ts";

export { parameterNames };

/** An action found on a bound tree. */
export interface ResolvedAction {
  /** The node the action belongs to (an isolation, or the node whose isolations run it). */
  readonly node: object;
  /** The action. */
  readonly info: ActionInfo;
  /** The full dotted path of the action (`Root.production.deploy`). */
  readonly path: string;
}

function list(names: string[]): string {
  return names.length ? names.join(", ") : "none";
}

/** Splits `a.b[web1].c` into `["a", "b[web1]", "c"]`, keeping dots inside brackets. */
function segments(path: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  for (const ch of path) {
    if (ch === "[") depth++;
    if (ch === "]") depth = Math.max(0, depth - 1);
    if (ch === "." && depth === 0) {
      out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.filter((s) => s !== "");
}

function step(node: object, segment: string): object {
  const inspector = new Inspector(node);
  const match = segment.match(/^([^[\]]+)(?:\[([^\]]*)\])?$/);
  const name = match?.[1] ?? segment;
  if (!match || !inspector.hasChild(name)) {
    throw new UsageError(
      `Unknown node "${name}" in ${inspector.fullPath()} (child nodes: ${
        list(inspector.children().map(([n]) => n))
      })`,
    );
  }
  const next = inspector.child(name);
  if (match[2] === undefined) return next;
  const cells = new Inspector(next).isolations();
  const slugs = cells.map((c) => new Inspector(c).isolationId ?? "");
  const index = slugs.indexOf(match[2]);
  if (index < 0) {
    throw new UsageError(
      `Unknown isolation "${match[2]}" of ${new Inspector(next).fullPath()} (hosts: ${
        list(slugs)
      })`,
    );
  }
  return cells[index];
}

/**
 * Follows a dotted node path (`production.web` or `production.git[web1]`) from `root`.
 * An empty path is the root itself.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { resolveNode } from "./resolve.ts";
 * class Db extends Node {}
 * class Root extends Node { db = child(Db); }
 * await using env = new Env({ interactive: false });
 * const db = resolveNode(env.bind(Root), "db");
 * assert.equal(db.constructor, Db);
 * ```
 */
export function resolveNode(root: object, path: string): object {
  let node = new Inspector(root).node;
  for (const segment of segments(path)) node = step(node, segment);
  return node;
}

/**
 * Finds the action named by a dotted path (`production.database.start`) relative to
 * `from`. Unknown names throw a {@linkcode UsageError} such as
 * `Unknown action "deploi" in Root.production (actions: deploy, status)`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { resolveAction } from "./resolve.ts";
 * class Root extends Node { hello(): string { return "hi"; } }
 * await using env = new Env({ interactive: false });
 * assert.equal(resolveAction(env.bind(Root), "hello").path, "Root.hello");
 * ```
 */
export function resolveAction(from: object, path: string): ResolvedAction {
  const parts = segments(path);
  if (parts.length === 0) throw new UsageError(`Empty action path "${path}"`);
  const name = parts.pop()!;
  let node = new Inspector(from).node;
  for (const segment of parts) node = step(node, segment);
  const inspector = new Inspector(node);
  const info = inspector.actions().find((a) => a.name === name);
  if (!info) {
    const isNode = inspector.hasChild(name);
    throw new UsageError(
      isNode
        ? `${inspector.fullPath()}.${name} is a node, not an action (actions of it: ${
          list(new Inspector(inspector.child(name)).actions().map((a) => a.name))
        })`
        : `Unknown action "${name}" in ${inspector.fullPath()} (actions: ${
          list(inspector.actions().map((a) => a.name))
        })`,
    );
  }
  return { node, info, path: `${inspector.fullPath()}.${name}` };
}

/**
 * Calls a resolved action with string arguments, checking that enough were given
 * (`fn.length`: parameters before the first default).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { Node } from "../node/node.ts";
 * import { callAction, resolveAction } from "./resolve.ts";
 * class Root extends Node { echo(x: string): string { return x; } }
 * await using env = new Env({ interactive: false });
 * const action = resolveAction(env.bind(Root), "echo");
 * assert.equal(await callAction(action, ["a"]), "a");
 * ```
 */
export function callAction(action: ResolvedAction, args: readonly string[]): Promise<unknown> {
  const expected = action.info.fn.length;
  if (args.length < expected) {
    const params = parameterNames(action.info.fn);
    throw new UsageError(
      `Action ${action.path} needs ${expected} argument${expected === 1 ? "" : "s"}` +
        `${params.length ? ` (${params.join(", ")})` : ""}, got ${args.length}`,
    );
  }
  const method = (action.node as Record<string, (...a: string[]) => Promise<unknown>>)[
    action.info.name
  ];
  return Promise.resolve(method.apply(action.node, [...args]));
}

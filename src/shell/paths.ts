/**
 * Path words of the shell: how `cd web :web1 ..`, `-`, `/` and action names resolve
 * from the current node (python-deployer's `NodeACHandler.get_subhandler`). Pure: only
 * the inspector is used, nothing runs.
 *
 * @module
 */
import type { ActionInfo } from "../node/action.ts";
import { Inspector } from "../node/inspect.ts";
import { stateOf, unwrapView } from "../node/state.ts";
import type { Word } from "./words.ts";

/** Where the shell is: the root, the current node and the previous one (for `cd -`). */
export interface Location {
  /** The root node (or its parallel view). */
  readonly root: object;
  /** The current node. */
  readonly current: object;
  /** The node before the last `cd`, if any. */
  readonly previous?: object;
}

/** What a list of words resolved to. */
export type Resolution =
  | {
    readonly ok: true;
    /** The node reached. */
    readonly node: object;
    /** The action named after the path, if any. */
    readonly action?: ActionInfo;
    /** A query or property named after the path (inspect mode). */
    readonly member?: string;
    /** Arguments after the action. */
    readonly args: string[];
  }
  | {
    readonly ok: false;
    /** The first word that did not resolve. */
    readonly word: string;
  };

/** What may follow the path: nothing, an action and arguments, or one member name. */
export type ResolveMode = "node" | "action" | "inspect";

/**
 * The host slug an isolation runs on: its own isolation id or its nearest ancestor's.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "../node/node.ts";
 * import { isolationSlug } from "./paths.ts";
 * class Cell extends ParallelNode {}
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" })] };
 *   cell = child(Cell, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.equal(isolationSlug(root.cell.isolate("a")), "a");
 * assert.equal(isolationSlug(root), undefined);
 * ```
 */
export function isolationSlug(node: object): string | undefined {
  for (let n: object | undefined = node; n; n = stateOf(n)?.parent) {
    const id = stateOf(n)?.isolationId;
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * The isolations a node can be entered in with `:slug`, by slug (none for an isolated node).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "../node/node.ts";
 * import { isolationChoices } from "./paths.ts";
 * class Cell extends ParallelNode {}
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
 *   cell = child(Cell, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.deepEqual(isolationChoices(root.cell).map(([slug]) => slug), ["a", "b"]);
 * assert.deepEqual(isolationChoices(root), []); // a normal root is one isolation
 * ```
 */
export function isolationChoices(node: object): [string, object][] {
  const inspector = new Inspector(node);
  if (inspector.isolated) return [];
  try {
    return inspector.isolations().flatMap((iso) => {
      const slug = isolationSlug(iso);
      return slug === undefined ? [] : [[slug, iso] as [string, object]];
    });
  } catch {
    return [];
  }
}

/**
 * One navigation step from `node`: `.`, `-`, `/`, `..`, `:slug` or a child name.
 * Quoted words are matched as names only.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { child, Node } from "../node/node.ts";
 * import { stepPath } from "./paths.ts";
 * class Db extends Node {}
 * class Root extends Node {
 *   db = child(Db);
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * const here = { root, current: root };
 * const db = stepPath(here, root, { text: "db", quoted: false });
 * assert.equal(db, root.db);
 * assert.equal(stepPath(here, root.db, { text: "..", quoted: false }), root);
 * assert.equal(stepPath(here, root, { text: "..", quoted: true }), undefined); // a name, not `..`
 * ```
 */
export function stepPath(location: Location, node: object, word: Word): object | undefined {
  const text = word.text;
  const parent = stateOf(node)?.parent;
  if (!word.quoted) {
    if (text === ".") return node;
    if (text === "-") return location.previous;
    if (text === "/") return unwrapView(location.root);
    if (text === "..") return parent;
    if (text.startsWith(":") && text.length > 1) {
      return isolationChoices(node).find(([slug]) => slug === text.slice(1))?.[1];
    }
  }
  const inspector = new Inspector(node);
  if (!inspector.hasChild(text)) return undefined;
  try {
    return inspector.child(text);
  } catch {
    return undefined;
  }
}

function findAction(node: object, name: string): ActionInfo | undefined {
  return new Inspector(node).actions().find((a) => a.name === name);
}

function findMember(node: object, name: string): string | undefined {
  const inspector = new Inspector(node);
  const names = [
    ...inspector.queries().map((q) => q.name),
    ...inspector.properties()
      .map((p) => p.name),
  ];
  return names.includes(name) ? name : undefined;
}

/**
 * Resolves words from the current node: path words, then (mode `action`) an action name
 * and its string arguments, or (mode `inspect`) one action, query or property name.
 * Once the action is named, every further word is an argument (python-deployer kept
 * navigating; this port does not).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { child, Node } from "../node/node.ts";
 * import { resolveWords } from "./paths.ts";
 * import { splitWords } from "./words.ts";
 * class Db extends Node {
 *   backup(_to: string): void {}
 * }
 * class Root extends Node {
 *   db = child(Db);
 * }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * const here = { root, current: root };
 * const found = resolveWords(here, splitWords("db backup /tmp/x").words, "action");
 * assert.ok(found.ok);
 * assert.equal(found.node, root.db);
 * assert.equal(found.action?.name, "backup");
 * assert.deepEqual(found.args, ["/tmp/x"]);
 * const missing = resolveWords(here, splitWords("web").words, "node");
 * assert.deepEqual(missing, { ok: false, word: "web" });
 * ```
 */
export function resolveWords(
  location: Location,
  words: readonly Word[],
  mode: ResolveMode,
): Resolution {
  let node = unwrapView(location.current);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = stepPath(location, node, word);
    if (next) {
      node = unwrapView(next);
      continue;
    }
    if (mode === "node") return { ok: false, word: word.text };
    const action = findAction(node, word.text);
    if (mode === "action") {
      if (!action) return { ok: false, word: word.text };
      return { ok: true, node, action, args: words.slice(i + 1).map((w) => w.text) };
    }
    const member = action ? undefined : findMember(node, word.text);
    if ((!action && !member) || i + 1 < words.length) {
      return { ok: false, word: (action || member ? words[i + 1] : word).text };
    }
    return { ok: true, node, action, member, args: [] };
  }
  return { ok: true, node, args: [] };
}

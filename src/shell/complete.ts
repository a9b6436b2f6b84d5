/**
 * Tab completion of the shell, as a pure function in `node:readline`'s completer shape:
 * the text before the cursor in, `[candidates, completedSubstring]` out. Built-ins and
 * what they take come from the registry in `commands.ts`.
 *
 * @module
 */
import { Inspector } from "../node/inspect.ts";
import { BUILTIN_COMMANDS, type BuiltinArguments, OPTION_VALUES } from "./commands.ts";
import { stateOf, unwrapView } from "../node/state.ts";
import { isolationChoices, type Location, type ResolveMode, resolveWords } from "./paths.ts";
import { splitWords, type Word } from "./words.ts";

/** The names of the built-in commands, in the order they are offered. */
export const BUILTINS: readonly string[] = BUILTIN_COMMANDS.map((b) => b.name);

export { OPTION_VALUES };

/**
 * What the builtin `name` takes after it: a path (`node`), a path and an action
 * (`action`), a path and an optional member (`inspect`), option words, or nothing.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinMode } from "./complete.ts";
 * assert.equal(builtinMode("cd"), "node");
 * assert.equal(builtinMode("pwd"), "none");
 * ```
 */
export function builtinMode(name: string): BuiltinArguments {
  return BUILTIN_COMMANDS.find((b) => b.name === name)?.takes ?? "none";
}

/** Options of {@linkcode complete}. */
export interface CompleteOptions {
  /** The previous node, for `-`. */
  previous?: object;
}

function pathWords(location: Location, node: object): string[] {
  const out: string[] = [];
  if (location.previous) out.push("-");
  if (stateOf(node)?.parent) out.push("/", "..");
  for (const [slug] of isolationChoices(node)) out.push(`:${slug}`);
  return out;
}

function nodeWords(location: Location, node: object, mode: ResolveMode): string[] {
  const inspector = new Inspector(node);
  const words = [...pathWords(location, node), ...inspector.children().map(([name]) => name)];
  if (mode !== "node") words.push(...inspector.actions().map((a) => a.name));
  if (mode === "inspect") {
    words.push(...inspector.queries().map((q) => q.name));
    words.push(...inspector.properties().map((p) => p.name));
  }
  return words;
}

function matching(candidates: readonly string[], partial: string): string[] {
  const found = candidates.filter((c) =>
    c.startsWith(partial) && (partial.startsWith("_") || !c.startsWith("_"))
  );
  return [...new Set(found)];
}

/**
 * Completes the text before the cursor. A single match gets a trailing space, several
 * are returned for readline to insert their common prefix (and list them on a second
 * Tab). Private names (`_x`) are offered only when the typed part starts with `_`;
 * nothing is offered after an action name or inside a quote.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { complete } from "./complete.ts";
 * class Web extends Node { deploy(): void {} }
 * class Root extends Node { web = child(Web); }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.equal(complete(root, root, "cd w")[0][0], "web ");
 * assert.equal(complete(root, root, "web d")[0][0], "deploy ");
 * ```
 */
export function complete(
  root: object,
  current: object,
  line: string,
  options: CompleteOptions = {},
): [string[], string] {
  const location: Location = { root, current: unwrapView(current), previous: options.previous };
  const split = splitWords(line);
  if (split.unterminated) return [[], ""];
  const words = split.words;
  const partialWord = split.trailingSpace || words.length === 0 ? undefined : words.at(-1);
  if (partialWord?.quoted) return [[], ""];
  const partial = partialWord?.text ?? "";
  const before = partialWord ? words.slice(0, -1) : words;
  let candidates: string[];
  try {
    candidates = candidatesFor(location, before);
  } catch {
    return [[], partial];
  }
  const found = matching(candidates, partial);
  return [found.length === 1 ? [`${found[0]} `] : found, partial];
}

function candidatesFor(location: Location, before: readonly Word[]): string[] {
  const texts = before.map((w) => w.text);
  if (before.length === 0) {
    const root = resolveWords(location, [], "action");
    if (!root.ok) return [];
    return [...BUILTINS, ...nodeWords(location, root.node, "action")];
  }
  const first = texts[0];
  const isBuiltin = BUILTINS.includes(first) && !before[0].quoted;
  const mode = isBuiltin ? builtinMode(first) : "action";
  if (mode === "none") return [];
  if (mode === "option") {
    if (texts.length === 1) return Object.keys(OPTION_VALUES);
    if (texts.length === 2) return [...(OPTION_VALUES[texts[1]] ?? [])];
    return [];
  }
  const rest = isBuiltin ? before.slice(1) : before;
  const resolved = resolveWords(location, rest, mode);
  if (!resolved.ok || resolved.action || resolved.member) return [];
  return nodeWords(location, resolved.node, mode);
}

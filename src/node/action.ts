/**
 * The `@action` decorator and the discovery of a node's actions.
 *
 * @module
 */
import { ACTION_FLAGS, NODE_BRAND, PARALLEL_BRAND } from "../brands.ts";
import type { ActionFlags } from "./runtime.ts";

export { ACTION_FLAGS };

/** Options of `@action`. */
export type ActionOptions = ActionFlags;

/**
 * Flags a method as an action with options: aliases, `isolateOneOnly`,
 * `dontIsolateYet`, `suppressResult` and a description. Every public method is an
 * action anyway; the decorator only adds flags. (A TC39 decorator.)
 *
 * The same flags can be declared without decorators in a static field,
 * `static actionOptions = { deploy: { alias: "d" } }`. Use that form in a class whose
 * field initializers contain class expressions (`child(class extends X {})`): Deno 2.9's
 * decorator transform fails on such classes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { action, discoverActions } from "./action.ts";
 * import { Node } from "./node.ts";
 * class Db extends Node {
 *   @action({ alias: "psql", description: "Open a database shell" })
 *   async shell(): Promise<void> {}
 * }
 * const [psql, shell] = discoverActions(new Db()); // sorted by name
 * assert.equal(shell.name, "shell");
 * assert.equal(shell.flags.description, "Open a database shell");
 * assert.deepEqual([psql.name, psql.method], ["psql", "shell"]);
 * ```
 */
export function action(
  options: ActionOptions = {},
): <F extends (...args: never[]) => unknown>(method: F, context: ClassMethodDecoratorContext) => F {
  return (method, context) => {
    if (context.kind !== "method") throw new TypeError("@action() applies to methods only");
    if (context.private || typeof context.name !== "string") {
      throw new TypeError("@action() cannot be used on private or symbol-named methods");
    }
    Object.defineProperty(method, ACTION_FLAGS, { value: { ...options }, enumerable: false });
    return method;
  };
}

/** The flags of a method (empty when it has none). */
export function flagsOf(method: unknown): ActionFlags {
  if (typeof method !== "function") return {};
  return (method as unknown as Record<symbol, ActionFlags | undefined>)[ACTION_FLAGS] ?? {};
}

/** One action of a node class. */
export interface ActionInfo {
  /** The name it is reachable by. */
  readonly name: string;
  /** The method name (differs from `name` for aliases). */
  readonly method: string;
  /** The method. */
  readonly fn: (...args: unknown[]) => unknown;
  /** Its flags. */
  readonly flags: ActionFlags;
}

/**
 * The actions of a node: public methods declared on the prototype chain below the
 * framework's own classes, plus their aliases. Names starting with `_` are private
 * actions (listed only when asked for).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverActions } from "./action.ts";
 * import { Node } from "./node.ts";
 * class A extends Node {
 *   go(): void {}
 *   _cleanup(): void {}
 *   #secret(): void {}
 * }
 * // `_cleanup` is a private action; `#secret` is no action at all.
 * assert.deepEqual(discoverActions(new A()).map((a) => a.name), ["_cleanup", "go"]);
 * ```
 */
export function discoverActions(node: object): ActionInfo[] {
  const found = new Map<string, ActionInfo>();
  const chain: object[] = [];
  for (let proto = Object.getPrototypeOf(node); proto && !isFrameworkPrototype(proto);) {
    chain.push(proto);
    proto = Object.getPrototypeOf(proto);
  }
  // Most-derived definitions win; walk from base to derived so overrides replace.
  const declared: Record<string, ActionFlags> = {};
  for (const proto of [...chain].reverse()) {
    const statics = (proto.constructor as { actionOptions?: Record<string, ActionFlags> })
      .actionOptions;
    if (Object.hasOwn(proto.constructor, "actionOptions") && statics) {
      Object.assign(declared, statics);
    }
  }
  for (const proto of chain.reverse()) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor") continue;
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (!desc || typeof desc.value !== "function") continue;
      const fn = desc.value as (...args: unknown[]) => unknown;
      const flags = { ...declared[name], ...flagsOf(fn) };
      found.set(name, { name, method: name, fn, flags });
    }
  }
  for (const info of [...found.values()]) {
    const aliases = info.flags.alias === undefined
      ? []
      : typeof info.flags.alias === "string"
      ? [info.flags.alias]
      : info.flags.alias;
    for (const alias of aliases) found.set(alias, { ...info, name: alias });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const FRAMEWORK_BRANDS = [NODE_BRAND, PARALLEL_BRAND];

function isFrameworkPrototype(proto: object): boolean {
  return proto === Object.prototype ||
    FRAMEWORK_BRANDS.some((brand) => Object.prototype.hasOwnProperty.call(proto, brand));
}

/**
 * The interactive deployment shell and its pure completer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { complete } from "./mod.ts";
 * class Web extends Node { deploy(): void {} }
 * class Root extends Node { web = child(Web); }
 * await using env = new Env({ interactive: false });
 * const root = env.bind(Root);
 * assert.equal(complete(root, root, "web de")[0][0], "deploy ");
 * ```
 *
 * @module
 */
export { runShell, type ShellOptions } from "./shell.ts";
export { BUILTINS, complete, type CompleteOptions } from "./complete.ts";
export { type SplitLine, splitWords, type Word } from "./words.ts";
export { formatError, formatPlan, formatResult } from "./format.ts";
export {
  type ArgumentKind,
  completeScp,
  type Lister,
  type PathEntry,
  runScpShell,
  scpOnNode,
  type ScpShellOptions,
  type Side,
} from "./scp/mod.ts";

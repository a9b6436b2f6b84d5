/**
 * The parameters of an action, read from its source, for usage messages of the command
 * line and the shell.
 *
 * @module
 */

/**
 * The parameter names of a function, read from its source (`[x]` for one with a
 * default, `...x` for a rest parameter). Empty when the source cannot be read.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parameterNames } from "./parameters.ts";
 * assert.deepEqual(parameterNames((a: string, b = "x") => a + b), ["a", "[b]"]);
 * ```
 */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return [];
  }
  const open = source.indexOf("(");
  if (open < 0) return [];
  let depth = 0;
  let end = -1;
  for (let i = open; i < source.length; i++) {
    const ch = source[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return [];
  const inner = source.slice(open + 1, end);
  const params: string[] = [];
  let current = "";
  depth = 0;
  for (const ch of inner + ",") {
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      if (current.trim()) params.push(current.trim());
      current = "";
    } else current += ch;
  }
  return params.map((p) => {
    const name = p.replace(/\/\*[\s\S]*?\*\//g, "").trim();
    const eq = name.indexOf("=");
    return eq >= 0 ? `[${name.slice(0, eq).trim()}]` : name;
  });
}

/**
 * String helpers kept from python-deployer's `utils` for porting scripts. New code should
 * build commands with `sh`, which quotes for you.
 *
 * @module
 */

/**
 * Escapes `s` for use inside single quotes (python's `esc1`): `'` becomes `'\''`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { esc1 } from "./escape.ts";
 * assert.equal(`'${esc1("it's")}'`, `'it'\\''s'`);
 * ```
 */
export function esc1(s: string): string {
  return s.replaceAll("'", "'\\''");
}

/**
 * Escapes `s` for use inside double quotes (python's `esc2`): `"` becomes `\"`. Like the
 * original, it does not escape `$`, backticks or backslashes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { esc2 } from "./escape.ts";
 * assert.equal(esc2('say "hi"'), 'say \\"hi\\"');
 * ```
 */
export function esc2(s: string): string {
  return s.replaceAll('"', '\\"');
}

/**
 * Indents every line of `s` with `prefix` (python's `indent`). Every line, the last one
 * included, ends with `"\n"`; a trailing newline in `s` yields a final `prefix + "\n"`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { indent } from "./escape.ts";
 * assert.equal(indent("a\nb"), "    a\n    b\n");
 * assert.equal(indent("a\n", "> "), "> a\n> \n");
 * ```
 */
export function indent(s: string, prefix: string = "    "): string {
  return s.split("\n").map((line) => `${prefix}${line}\n`).join("");
}

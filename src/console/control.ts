/**
 * Making text safe to print on a terminal: control characters (C0 except tab, DEL, C1)
 * become visible escapes such as `\x1b` or `\r`, so that a host slug, a node name or a
 * remote command's output can neither set the window title, clear the screen, move the
 * cursor nor start a line that looks like another host's.
 *
 * @module
 */

/** What {@linkcode escapeControl} keeps. */
export interface EscapeOptions {
  /**
   * Keep line feeds (and a carriage return right before one) for multi-line text; by
   * default they are escaped too (`\n`, `\r`), for text that must stay on one line.
   */
  newlines?: boolean;
  /**
   * SGR colour sequences (`ESC [ … m`): `"escape"` them like every other sequence
   * (default), `"keep"` them (then a reset `ESC [0m` ends the text when it has any), or
   * `"strip"` them.
   */
  sgr?: "escape" | "keep" | "strip";
}

// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
// deno-lint-ignore no-control-regex
const TOKENS = /\x1b\[[0-9;:]*m|\r\n|[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (code >= 0x80) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

/**
 * Escapes the control characters of `text` (everything in C0 but tab, DEL, C1; an
 * escape sequence loses its ESC and so shows as text). Text without any is returned as
 * it is.
 *
 * @param text Text from outside the program: names, paths, remote output, messages.
 * @param options Whether line feeds and SGR colours stay.
 * @returns Text that is safe to write to a terminal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControl } from "./control.ts";
 * assert.equal(escapeControl("web\x1b]0;owned\x07"), "web\\x1b]0;owned\\x07");
 * assert.equal(escapeControl("a\r\n[web1] b"), "a\\r\\n[web1] b");
 * assert.equal(escapeControl("a\r\nb\n", { newlines: true }), "a\r\nb\n");
 * assert.equal(escapeControl("\x1b[31mred\x1b[2J", { sgr: "keep" }), "\x1b[31mred\\x1b[2J\x1b[0m");
 * assert.equal(escapeControl("\x1b[31mred", { sgr: "strip" }), "red");
 * ```
 */
export function escapeControl(text: string, options: EscapeOptions = {}): string {
  if (!UNSAFE.test(text)) return text;
  const sgr = options.sgr ?? "escape";
  let kept = false;
  const out = text.replace(TOKENS, (token) => {
    if (token.length > 2 && token.endsWith("m")) {
      if (sgr === "keep") {
        kept = true;
        return token;
      }
      return sgr === "strip" ? "" : `\\x1b${token.slice(1)}`;
    }
    if (token === "\r\n") return options.newlines ? token : "\\r\\n";
    if (token === "\n" && options.newlines) return token;
    return visible(token);
  });
  return kept ? `${out}\x1b[0m` : out;
}

/**
 * Whether `text` has a control character (tab excepted), that is, whether
 * {@linkcode escapeControl} with default options would change it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasControl } from "./control.ts";
 * assert.equal(hasControl("web1"), false);
 * assert.equal(hasControl("web\x1b[2J"), true);
 * ```
 */
export function hasControl(text: string): boolean {
  return UNSAFE.test(text);
}

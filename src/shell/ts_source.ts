/**
 * Finding classes and their members in TypeScript source text, for showing the code a
 * user wrote (types, decorators, `override`, generics) instead of the JavaScript the
 * runtime holds. A small scanner: it tells code from strings, comments and template
 * text, matches brackets, and finds declarations by name. It does not type-check.
 *
 * @module
 */

/** A span of source text. */
export interface Span {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** 1-based line of `start`. */
  readonly line: number;
  /** The text. */
  readonly text: string;
}

/** A class declaration or expression. */
export interface ClassSpan extends Span {
  /** Its name (empty for an anonymous class expression). */
  readonly name: string;
  /** Offset of the `{` of its body. */
  readonly body: number;
}

const REGEX_BEFORE = new Set([
  "(",
  ",",
  "=",
  ":",
  "[",
  "!",
  "&",
  "|",
  "?",
  "{",
  "}",
  ";",
  "+",
  "-",
]);

/**
 * Which characters of `text` are code (`true`) rather than inside a string, a comment,
 * a regular expression or the text of a template literal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeMask } from "./ts_source.ts";
 * const text = 'a("{") // }';
 * const mask = codeMask(text);
 * assert.equal(mask[0], true);
 * assert.equal(mask[3], false);
 * assert.equal(mask[text.length - 1], false);
 * ```
 */
export function codeMask(text: string): boolean[] {
  const mask = new Array<boolean>(text.length).fill(true);
  const templates: number[] = []; // brace depth at each `${` of an open template
  let depth = 0;
  let last = "";
  let i = 0;
  const skip = (to: number) => {
    for (let k = i; k < to && k < text.length; k++) mask[k] = false;
    i = to;
  };
  const template = () => {
    // At a backtick or the `}` closing a substitution: skip text up to `${` or the end.
    let k = i + 1;
    while (k < text.length && text[k] !== "`") {
      if (text[k] === "\\") k += 2;
      else if (text[k] === "$" && text[k + 1] === "{") {
        skip(k + 2);
        templates.push(depth);
        depth++;
        return;
      } else k++;
    }
    skip(k + 1);
  };
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      skip(end < 0 ? text.length : end);
    } else if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      skip(end < 0 ? text.length : end + 2);
    } else if (ch === '"' || ch === "'") {
      let k = i + 1;
      while (k < text.length && text[k] !== ch && text[k] !== "\n") k += text[k] === "\\" ? 2 : 1;
      skip(k + 1);
      last = "a";
    } else if (ch === "`") {
      template();
      last = "a";
    } else if (ch === "}" && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      template();
      last = "a";
    } else if (ch === "/" && (last === "" || REGEX_BEFORE.has(last))) {
      let k = i + 1;
      let inClass = false;
      while (k < text.length && text[k] !== "\n") {
        if (text[k] === "\\") k++;
        else if (text[k] === "[") inClass = true;
        else if (text[k] === "]") inClass = false;
        else if (text[k] === "/" && !inClass) break;
        k++;
      }
      skip(k + 1);
      last = "a";
    } else {
      if (ch === "{") depth++;
      if (ch === "}") depth--;
      if (!/\s/.test(ch)) last = /[\w$)\]]/.test(ch) ? "a" : ch;
      i++;
    }
  }
  return mask;
}

/** The offset of the bracket closing the one at `open` (code characters only). */
function closing(text: string, mask: boolean[], open: number): number {
  const pairs: Record<string, string> = { "{": "}", "(": ")", "[": "]" };
  const stack: string[] = [];
  for (let k = open; k < text.length; k++) {
    if (!mask[k]) continue;
    const ch = text[k];
    if (ch in pairs) stack.push(pairs[ch]);
    else if (ch === "}" || ch === ")" || ch === "]") {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return k;
    }
  }
  return -1;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset of the bracket opening the one at `close` (code characters only). */
function opening(text: string, mask: boolean[], close: number): number {
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    if (!mask[k]) continue;
    if (")]}".includes(text[k])) depth++;
    if ("([{".includes(text[k]) && --depth === 0) return k;
  }
  return -1;
}

/** Moves `start` back over the decorators (`@x`, `@x.y({...})`) just before it. */
function withDecorators(text: string, mask: boolean[], start: number): number {
  let begin = start;
  for (;;) {
    let k = begin - 1;
    while (k >= 0 && /\s/.test(text[k])) k--;
    if (k >= 0 && text[k] === ")") k = opening(text, mask, k) - 1;
    if (k < 0) break;
    let m = k;
    while (m >= 0 && /[\w$.]/.test(text[m])) m--;
    if (m === k || text[m] !== "@") break;
    begin = m;
  }
  const head = lineStart(text, begin);
  return text.slice(head, begin).trim() === "" ? head : begin;
}

function span(text: string, start: number, end: number): Span {
  return { start, end, line: lineAt(text, start), text: text.slice(start, end) };
}

/** The offset of the body `{` of a class whose `class` keyword ends at `from`. */
function classBody(text: string, mask: boolean[], from: number): number {
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    if (!mask[k]) continue;
    const ch = text[k];
    if (ch === "(" || ch === "[" || ch === "<") depth++;
    else if (ch === ")" || ch === "]" || (ch === ">" && text[k - 1] !== "=")) depth--;
    else if (ch === "{") {
      if (depth === 0) return k;
      const end = closing(text, mask, k);
      if (end < 0) return -1;
      k = end;
    } else if (ch === ";") return -1;
  }
  return -1;
}

/**
 * Every class declared or expressed in `text`, with its name, its full text (decorators
 * and `export` included) and its first line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findClasses } from "./ts_source.ts";
 * const text = "// x\nexport class A<T extends { a: 1 }> extends B<T> {\n  f(): void {}\n}\n";
 * const [a] = findClasses(text);
 * assert.equal(a.name, "A");
 * assert.equal(a.line, 2);
 * assert.ok(a.text.startsWith("export class A") && a.text.endsWith("}"));
 * ```
 */
export function findClasses(text: string, mask: boolean[] = codeMask(text)): ClassSpan[] {
  const out: ClassSpan[] = [];
  for (const match of text.matchAll(/\bclass\b/g)) {
    const at = match.index;
    if (!mask[at] || /[\w$.]/.test(text[at - 1] ?? "")) continue;
    const name = text.slice(at + 5).match(/^\s+([A-Za-z_$][\w$]*)/)?.[1];
    const own = name && name !== "extends" && name !== "implements" ? name : "";
    const body = classBody(text, mask, at + 5);
    if (body < 0) continue;
    const end = closing(text, mask, body);
    if (end < 0) continue;
    const before = text.slice(lineStart(text, at), at);
    const start = /^\s*(export\s+)?(default\s+)?(abstract\s+)?(declare\s+)?$/.test(before)
      ? withDecorators(text, mask, lineStart(text, at) + before.search(/\S|$/))
      : at;
    out.push({ ...span(text, start, end + 1), name: own, body });
  }
  return out;
}

const MODIFIERS =
  "(?:(?:public|protected|private|static|override|readonly|async|declare|abstract|accessor)\\s+)*";

/** The body `{` of a method whose parameter list closes at `close`. */
function methodBody(text: string, mask: boolean[], close: number): number {
  for (let k = close + 1; k < text.length; k++) {
    if (!mask[k]) continue;
    const ch = text[k];
    if (ch === ";") return -1;
    if (ch === "(" || ch === "[" || ch === "<") {
      if (ch === "<") continue;
      const end = closing(text, mask, k);
      if (end < 0) return -1;
      k = end;
      continue;
    }
    if (ch !== "{") continue;
    const before = text.slice(close + 1, k).trimEnd();
    const prev = before[before.length - 1];
    if (before === "" || prev === ")" || prev === ">" || prev === "}" || /[\w$\]]/.test(prev)) {
      if (!/[:|&<,(]$/.test(before) && !before.endsWith("=>")) return k;
    }
    const end = closing(text, mask, k);
    if (end < 0) return -1;
    k = end;
  }
  return -1;
}

/**
 * A member of a class body by name: a method (`name(...) {...}` with its decorators and
 * modifiers) or a field (`name = ...` up to the end of its initializer).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findClasses, findMember } from "./ts_source.ts";
 * const text = [
 *   "class A extends B {",
 *   "  url = q((): string => `https://${this.domain}`);",
 *   "  @action({ description: \"go\" })",
 *   "  override async go<T>(x: T): Promise<{ ok: T }> {",
 *   "    return { ok: x };",
 *   "  }",
 *   "}",
 * ].join("\n");
 * const [cls] = findClasses(text);
 * const go = findMember(text, cls, "go");
 * assert.equal(go?.line, 3);
 * assert.ok(go?.text.trimStart().startsWith("@action") && go.text.endsWith("}"));
 * assert.equal(findMember(text, cls, "url")?.text, "  url = q((): string => `https://${this.domain}`);");
 * ```
 */
export function findMember(
  text: string,
  cls: ClassSpan,
  name: string,
  mask: boolean[] = codeMask(text),
): Span | undefined {
  const escaped = name.replace(/[$]/g, "\\$");
  const pattern = new RegExp(
    `(^|[\\s;}])${MODIFIERS}(?:get\\s+|set\\s+|\\*\\s*)?(${escaped})\\s*([?!]?)\\s*(<|\\(|:|=|;)`,
    "gm",
  );
  const bodyEnd = cls.end - 1;
  pattern.lastIndex = cls.body + 1;
  for (let match = pattern.exec(text); match && match.index < bodyEnd; match = pattern.exec(text)) {
    const at = match.index + match[1].length;
    const nameAt = text.indexOf(name, at);
    if (!mask[nameAt] || depthIn(text, mask, cls.body, nameAt) !== 1) continue;
    const start = withDecorators(text, mask, at);
    let k = nameAt + name.length;
    while (k < bodyEnd && (!mask[k] || /[\s?!]/.test(text[k]))) k++;
    if (text[k] === "<") k = skipAngles(text, mask, k);
    while (k < bodyEnd && /\s/.test(text[k])) k++;
    if (text[k] === "(") {
      const close = closing(text, mask, k);
      const body = close < 0 ? -1 : methodBody(text, mask, close);
      const end = body < 0 ? -1 : closing(text, mask, body);
      if (end < 0) continue;
      return span(text, start, end + 1);
    }
    return span(text, start, fieldEnd(text, mask, k, bodyEnd));
  }
  return undefined;
}

function skipAngles(text: string, mask: boolean[], from: number): number {
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    if (!mask[k]) continue;
    if (text[k] === "<") depth++;
    if (text[k] === ">" && text[k - 1] !== "=") depth--;
    if (depth === 0) return k + 1;
  }
  return text.length;
}

function depthIn(text: string, mask: boolean[], from: number, to: number): number {
  let depth = 0;
  for (let k = from; k < to; k++) {
    if (!mask[k]) continue;
    const ch = text[k];
    if (ch === "{" || ch === "(" || ch === "[") depth++;
    if (ch === "}" || ch === ")" || ch === "]") depth--;
  }
  return depth;
}

/** The end of a field declaration starting at `from`: its `;`, or the end of its line. */
function fieldEnd(text: string, mask: boolean[], from: number, limit: number): number {
  for (let k = from; k < limit; k++) {
    if (!mask[k]) continue;
    const ch = text[k];
    if (ch === ";") return k + 1;
    if (ch === "{" || ch === "(" || ch === "[") {
      const end = closing(text, mask, k);
      if (end < 0) return limit;
      k = end;
      continue;
    }
    if (ch === "\n") {
      const rest = text.slice(k + 1).trimStart();
      if (!/^[.?:|&+\-*/=<>,)]/.test(rest)) return trimEnd(text, k);
    }
  }
  return trimEnd(text, limit);
}

function trimEnd(text: string, end: number): number {
  let k = end;
  while (k > 0 && /\s/.test(text[k - 1])) k--;
  return k;
}

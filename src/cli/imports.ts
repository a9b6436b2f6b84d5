/**
 * Finds the module specifiers of a JavaScript or TypeScript source: static imports,
 * re-exports, side-effect imports and `import("…")` with a plain string. A small lexer
 * that skips comments, strings, template literals and regular expressions; type-only
 * imports (`import type`, `export type`) are left out, as Deno leaves them out at run time.
 *
 * @module
 */

/** One specifier found in a source. */
export interface ImportRef {
  /** The specifier as written (escapes are not interpreted). */
  readonly specifier: string;
  /** Offset of the first character inside the quotes. */
  readonly start: number;
  /** Offset just past the last character inside the quotes. */
  readonly end: number;
}

interface Token {
  readonly kind: "name" | "string" | "punct" | "other";
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

function isIdStart(c: string): boolean {
  return /[A-Za-z_$\u0080-\uffff]/.test(c);
}

function isIdPart(c: string): boolean {
  return /[\w$\u0080-\uffff]/.test(c);
}

/** Whether a `/` after this token starts a regular expression rather than a division. */
function regexAllowed(previous: Token | undefined): boolean {
  if (!previous) return true;
  if (previous.kind === "name") return REGEX_AFTER_WORD.has(previous.text);
  if (previous.kind === "string" || previous.kind === "other") return false;
  return !/^[)\]}]$/.test(previous.text);
}

function skipString(source: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < source.length && source[i] !== quote && source[i] !== "\n") {
    i += source[i] === "\\" ? 2 : 1;
  }
  return i + 1;
}

function skipRegex(source: string, at: number): number {
  let i = at + 1;
  let inClass = false;
  while (i < source.length && source[i] !== "\n") {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) break;
    i++;
  }
  i++;
  while (i < source.length && isIdPart(source[i])) i++;
  return i;
}

/** Splits a source into the tokens that matter for finding imports. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** Brace depths at which an open template literal resumes. */
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const scanTemplate = (from: number): number => {
    let j = from;
    while (j < source.length) {
      const c = source[j];
      if (c === "\\") j += 2;
      else if (c === "`") return j + 1;
      else if (c === "$" && source[j + 1] === "{") {
        templates.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    return j;
  };
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && source[i + 1] === "/") {
      const newline = source.indexOf("\n", i);
      i = newline < 0 ? source.length : newline;
    } else if (c === "/" && source[i + 1] === "*") {
      const close = source.indexOf("*/", i + 2);
      i = close < 0 ? source.length : close + 2;
    } else if (c === "'" || c === '"') {
      const end = skipString(source, i, c);
      tokens.push({
        kind: "string",
        text: source.slice(i + 1, end - 1),
        start: i + 1,
        end: end - 1,
      });
      i = end;
    } else if (c === "`") {
      const start = i;
      i = scanTemplate(i + 1);
      tokens.push({ kind: "other", text: "`", start, end: i });
    } else if (c === "}" && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      const start = i;
      i = scanTemplate(i + 1);
      tokens.push({ kind: "other", text: "`", start, end: i });
    } else if (c === "/" && regexAllowed(tokens[tokens.length - 1])) {
      const start = i;
      i = skipRegex(source, i);
      tokens.push({ kind: "other", text: "/re/", start, end: i });
    } else if (isIdStart(c)) {
      const start = i;
      while (i < source.length && isIdPart(source[i])) i++;
      tokens.push({ kind: "name", text: source.slice(start, i), start, end: i });
    } else if (/[0-9]/.test(c)) {
      const start = i;
      while (i < source.length && /[\w.]/.test(source[i])) i++;
      tokens.push({ kind: "other", text: source.slice(start, i), start, end: i });
    } else {
      if (c === "{") depth++;
      if (c === "}") depth = Math.max(0, depth - 1);
      tokens.push({ kind: "punct", text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** Whether the `import`/`export` statement starting at token `k` is type-only. */
function typeOnly(tokens: readonly Token[], k: number): boolean {
  const next = tokens[k + 1];
  const after = tokens[k + 2];
  return next?.kind === "name" && next.text === "type" && after !== undefined &&
    (after.text === "{" || after.text === "*" ||
      (after.kind === "name" && after.text !== "from"));
}

/** The index of the `import`/`export` keyword that a `from` at token `k` belongs to. */
function statementStart(tokens: readonly Token[], k: number): number {
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.kind === "name" && (t.text === "import" || t.text === "export")) return j;
    if (t.text === ";") return -1;
  }
  return -1;
}

/**
 * The specifiers a module imports at run time, in source order, with their positions
 * (so that they can be rewritten in place).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanImports } from "./imports.ts";
 * const source = `import { a } from "./a.ts";\n` +
 *   `import type { T } from "./types.ts";\n` +
 *   `// import "./commented.ts";\n` +
 *   `const text = "import './in_a_string.ts'";\n` +
 *   `export * from "https://x.org/b.ts";\n` +
 *   `const lazy = () => import("./c.ts");\n`;
 * const found = scanImports(source).map((ref) => ref.specifier);
 * assert.deepEqual(found, ["./a.ts", "https://x.org/b.ts", "./c.ts"]);
 * const first = scanImports(source)[0];
 * assert.equal(source.slice(first.start, first.end), "./a.ts");
 * ```
 */
export function scanImports(source: string): ImportRef[] {
  const tokens = tokenize(source);
  const found: ImportRef[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== "string") continue;
    const previous = tokens[k - 1];
    const before = tokens[k - 2];
    const ref = { specifier: t.text, start: t.start, end: t.end };
    if (previous?.kind === "name" && previous.text === "from") {
      const start = statementStart(tokens, k - 1);
      if (start >= 0 && !typeOnly(tokens, start)) found.push(ref);
    } else if (
      previous?.kind === "name" && previous.text === "import" && before?.text !== "."
    ) {
      found.push(ref); // import "./side_effect.ts";
    } else if (
      previous?.text === "(" && before?.kind === "name" && before.text === "import" &&
      tokens[k - 3]?.text !== "." && /^[),]$/.test(tokens[k + 1]?.text ?? "")
    ) {
      found.push(ref); // import("./lazy.ts")
    }
  }
  return found;
}

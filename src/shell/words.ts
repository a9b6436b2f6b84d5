/**
 * Splitting a shell line into words. Unlike python-deployer (which splits on single
 * spaces only), arguments may be quoted: `'single quotes'` are literal, `"double quotes"`
 * honour `\"` and `\\`, and outside quotes a backslash escapes the next character.
 * A quoted word is always an argument, never navigation (`".."` is the string `..`).
 *
 * @module
 */

/** One word of a shell line. */
export interface Word {
  /** The word with quotes and escapes removed. */
  readonly text: string;
  /** Whether any part of it was quoted or escaped. */
  readonly quoted: boolean;
}

/** A split line. */
export interface SplitLine {
  /** The words, in order. */
  readonly words: Word[];
  /** Whether the line ends inside a quote (the last word is unfinished). */
  readonly unterminated: boolean;
  /** Whether the line ends with whitespace outside quotes (a new word is starting). */
  readonly trailingSpace: boolean;
}

/**
 * Splits a line into words, shell style.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWords } from "./words.ts";
 * const { words } = splitWords(`deploy 'a b' "c \\"d\\"" e\\ f`);
 * assert.equal(words.map((w) => w.text).join("|"), 'deploy|a b|c "d"|e f');
 * ```
 */
export function splitWords(line: string): SplitLine {
  const words: Word[] = [];
  let text = "";
  let quoted = false;
  let started = false;
  let quote: "'" | '"' | undefined;
  const finish = () => {
    if (started) words.push({ text, quoted });
    text = "";
    quoted = false;
    started = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else text += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) text += line[++i];
      else text += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      quoted = true;
      started = true;
    } else if (c === "\\" && i + 1 < line.length) {
      text += line[++i];
      quoted = true;
      started = true;
    } else if (/\s/.test(c)) {
      finish();
    } else {
      text += c;
      started = true;
    }
  }
  const unterminated = quote !== undefined;
  const trailingSpace = !unterminated && line.length > 0 && /\s$/.test(line) &&
    !line.endsWith("\\ ");
  finish();
  return { words, unterminated, trailingSpace };
}

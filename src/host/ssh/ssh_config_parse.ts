/**
 * Parsing OpenSSH client configuration into a tree that is cheap to evaluate for many
 * hosts: `Host` / `Match` conditions, the directives deployer uses, and `Include` lines
 * (read from disk by `ssh_config_read.ts`). Other well-formed directives are skipped;
 * malformed lines are a {@linkcode SshConfigError} naming the file and line.
 *
 * @module
 */
import { DeployerError } from "../../errors.ts";

/** A malformed SSH config (file and line in the message). */
export class SshConfigError extends DeployerError {
  /** Creates the error for a place in a config file. */
  constructor(file: string, line: number, reason: string, options?: ErrorOptions) {
    super(line > 0 ? `${file} line ${line}: ${reason}` : `${file}: ${reason}`, options);
    this.name = "SshConfigError";
  }
}

/** One `Match` criterion (`host`, `user`, ...), possibly negated. */
export interface MatchCriterion {
  /** Lower-cased name. */
  readonly name: string;
  /** `!criterion`. */
  readonly negated: boolean;
  /** Comma-separated patterns split (empty for `all`, `final`, `canonical`). */
  readonly patterns: readonly string[];
}

/** One item of a parsed config file. */
export type SshConfigItem =
  | {
    readonly kind: "host";
    readonly patterns: readonly string[];
    /** Whether every pattern is a plain lower-case name (no `*`, `?`, `!`). */
    readonly literal: boolean;
    /** Index of the next `host`/`match` item in the same file (or the end). */
    next: number;
  }
  | { readonly kind: "match"; readonly criteria: readonly MatchCriterion[]; next: number }
  | {
    readonly kind: "set";
    /** Lower-cased keyword. */
    readonly key: string;
    /** The argument text, split by {@linkcode configArgs} when used. */
    readonly text: string;
  }
  | { readonly kind: "include"; readonly files: readonly SshConfigFile[] };

/** A parsed config file. */
export interface SshConfigFile {
  /** Its path. */
  readonly path: string;
  /** Its items, in order. */
  readonly items: readonly SshConfigItem[];
  /** Stamps of every file and directory it was read from (for caching). */
  readonly stamps: readonly string[];
}

/** The directives deployer uses (others are skipped). */
const USED = new Set([
  "hostname",
  "port",
  "user",
  "identityfile",
  "proxyjump",
  "connecttimeout",
  "forwardagent",
  "identityagent",
  "userknownhostsfile",
]);
const CRITERIA = new Set([
  "all",
  "canonical",
  "final",
  "exec",
  "localnetwork",
  "host",
  "originalhost",
  "user",
  "localuser",
  "tagged",
  "command",
  "version",
  "sessiontype",
]);

function shownText(text: string): string {
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

/** Splits the arguments of a line: whitespace, quotes, `#` starting a comment word. */
function splitArgs(rest: string, fail: (why: string) => never): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < rest.length) {
    const c = rest[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") break;
    let word = "";
    while (i < rest.length && rest[i] !== " " && rest[i] !== "\t") {
      const q = rest[i];
      if (q === '"' || q === "'") {
        const end = rest.indexOf(q, i + 1);
        if (end < 0) fail("unterminated quote");
        word += rest.slice(i + 1, end);
        i = end + 1;
      } else if (q === "\\" && i + 1 < rest.length) {
        word += rest[i + 1];
        i += 2;
      } else {
        word += q;
        i++;
      }
    }
    args.push(word);
  }
  return args;
}

function firstWord(rest: string): string | undefined {
  const words = /^[ \t]*([^ \t]+)/.exec(rest);
  return words?.[1];
}

/**
 * The arguments of a directive's text: blank-separated words, `"`/`'` quotes and `\`
 * escapes, a word starting with `#` ends the line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { configArgs } from "./ssh_config_parse.ts";
 * assert.deepEqual(configArgs(`"~/my keys/id" other # comment`), ["~/my keys/id", "other"]);
 * ```
 */
export function configArgs(text: string): string[] {
  if (!/["'\\#]/.test(text)) return plainWords(text);
  return splitArgs(text, (why) => {
    throw new Error(why);
  });
}

/** Words separated by blanks (a line without quotes, escapes or comments). */
function plainWords(rest: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < rest.length) {
    let c = rest.charCodeAt(i);
    while (c === 32 || c === 9) c = rest.charCodeAt(++i);
    if (i >= rest.length) break;
    const from = i;
    while (i < rest.length && c !== 32 && c !== 9) c = rest.charCodeAt(++i);
    words.push(rest.slice(from, i));
  }
  return words;
}

function parseCriteria(args: readonly string[], fail: (why: string) => never): MatchCriterion[] {
  if (!args.length) fail("Match needs criteria");
  const out: MatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const negated = args[i].startsWith("!");
    const name = (negated ? args[i].slice(1) : args[i]).toLowerCase();
    if (!CRITERIA.has(name)) fail(`unknown Match criterion "${shownText(args[i])}"`);
    if (name === "all" || name === "canonical" || name === "final" || name === "localnetwork") {
      out.push({ name, negated, patterns: [] });
      continue;
    }
    const value = args[++i];
    if (value === undefined) fail(`Match ${name} needs an argument`);
    out.push({ name, negated, patterns: value.split(",").filter(Boolean) });
  }
  return out;
}

const TIME_UNITS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * An OpenSSH time value (`30`, `1m30s`, `2h`) in seconds, or `undefined` when malformed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshTime } from "./ssh_config_parse.ts";
 * assert.equal(parseSshTime("1m30s"), 90);
 * assert.equal(parseSshTime("7"), 7);
 * assert.equal(parseSshTime("soon"), undefined);
 * ```
 */
export function parseSshTime(value: string): number | undefined {
  if (!/^(\d+[smhdwSMHDW]?)+$/.test(value)) return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+)([a-zA-Z]?)/g)) {
    total += Number(n) * TIME_UNITS[unit.toLowerCase()];
  }
  return total;
}

/**
 * Parses the text of one config file (without following `Include`; those lines become
 * empty includes). Throws {@linkcode SshConfigError} on malformed lines.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfigText } from "./ssh_config_parse.ts";
 * const file = parseSshConfigText("Host web\n  Port 2222\n", "config");
 * assert.equal(file.items.length, 2);
 * assert.throws(() => parseSshConfigText("Host web\n  Port\n", "config"), /config line 2/);
 * ```
 */
export function parseSshConfigText(text: string, path: string): SshConfigFile {
  const items: SshConfigItem[] = [];
  const includes: SshConfigIncludeLine[] = [];
  scanSshConfigText(text, path, items, includes);
  return { path, items, stamps: [] };
}

/** An `Include` line found by {@linkcode scanSshConfigText}, to be read by the caller. */
export interface SshConfigIncludeLine {
  /** Index of its (still empty) `include` item. */
  readonly index: number;
  /** Its line number. */
  readonly line: number;
  /** Its file arguments, as written. */
  readonly args: string[];
}

/**
 * Parses the text of one config file, appending its items to `items` and its `Include`
 * lines (as empty `include` items) to `includes`. Throws {@linkcode SshConfigError} on
 * malformed lines.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   scanSshConfigText,
 *   type SshConfigIncludeLine,
 *   type SshConfigItem,
 * } from "./ssh_config_parse.ts";
 * const items: SshConfigItem[] = [];
 * const includes: SshConfigIncludeLine[] = [];
 * scanSshConfigText("Host web\n  Include extra/*.conf\n", "config", items, includes);
 * assert.deepEqual(includes, [{ index: 1, line: 2, args: ["extra/*.conf"] }]);
 * assert.deepEqual(items[1], { kind: "include", files: [] });
 * ```
 */
export function scanSshConfigText(
  text: string,
  path: string,
  items: SshConfigItem[],
  includes: SshConfigIncludeLine[],
): void {
  let lastCondition = -1;
  let line = 0;
  let start = 0;
  const failAt = (at: number, why: string): never => {
    throw new SshConfigError(path, at, why);
  };
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    let i = start;
    start = end + 1;
    line++;
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9 || c === 13) c = text.charCodeAt(++i);
    if (i >= end || c === 35) continue;
    let k = i;
    // A keyword is a letter, then letters and digits.
    for (; k < end; k++) {
      const d = text.charCodeAt(k);
      const letter = (d | 32) >= 97 && (d | 32) <= 122 && d >= 65;
      if (!letter && !(k > i && d >= 48 && d <= 57)) break;
    }
    c = text.charCodeAt(k);
    if (k === i || (k < end && c !== 32 && c !== 9 && c !== 61 && c !== 13)) {
      failAt(line, `not an SSH config line (bad keyword "${shownText(text.slice(i, k + 1))}")`);
    }
    const keyword = text.slice(i, k);
    const key = keyword.toLowerCase();
    if (key !== "host" && key !== "match" && key !== "include" && !USED.has(key)) {
      if (text.slice(k, end).includes("\0")) failAt(line, "contains a NUL byte (binary file?)");
      continue;
    }
    // The arguments: after blanks and at most one "=", up to the end (less a "\r").
    while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
    if (text.charCodeAt(k) === 61) k++;
    let stop = end;
    if (stop > k && text.charCodeAt(stop - 1) === 13) stop--;
    const rest = text.slice(k, stop);
    if (rest.includes("\0")) failAt(line, "contains a NUL byte (binary file?)");
    const at = line;
    const fail = (why: string): never => failAt(at, why);
    const quoted = /["'\\#]/.test(rest);
    if (key !== "host" && key !== "match" && key !== "include") {
      // Directives keep their text; it is split only when a host uses the value.
      const first = (quoted ? splitArgs(rest, fail)[0] : firstWord(rest)) ??
        fail(`${keyword} needs an argument`);
      if (key === "port" && !(/^\d{1,5}$/.test(first) && +first > 0 && +first < 65536)) {
        fail(`bad Port "${shownText(first)}"`);
      }
      if (key === "connecttimeout" && parseSshTime(first) === undefined) {
        fail(`bad ConnectTimeout "${shownText(first)}"`);
      }
      items.push({ kind: "set", key, text: rest });
      continue;
    }
    const args = quoted ? splitArgs(rest, fail) : plainWords(rest);
    if (key === "host") {
      if (!args.length) fail("Host needs at least one pattern");
      if (lastCondition >= 0) (items[lastCondition] as { next: number }).next = items.length;
      lastCondition = items.length;
      const patterns = args.map((a) => a.toLowerCase());
      const literal = !patterns.some((a) => /[*?!]/.test(a));
      items.push({ kind: "host", patterns, literal, next: -1 });
    } else if (key === "match") {
      const criteria = parseCriteria(args, fail);
      if (lastCondition >= 0) (items[lastCondition] as { next: number }).next = items.length;
      lastCondition = items.length;
      items.push({ kind: "match", criteria, next: -1 });
    } else {
      if (!args.length) fail("Include needs a file");
      includes.push({ index: items.length, line, args });
      items.push({ kind: "include", files: [] });
    }
  }
  if (lastCondition >= 0) (items[lastCondition] as { next: number }).next = items.length;
}

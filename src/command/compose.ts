/**
 * Composition of a command with its context, as python-deployer does it (spec §3.4):
 * `cd '<cwd>' && export TERM=… && export NAME=… && (prefix && command)`, wrapped once more
 * as `sh -c '<…>'` (or `sudo … -- sh -c '<…>'`) so the login shell of the host does not
 * matter. Every piece exists twice: the real text and the masked text logs may show.
 *
 * @module
 */
import { isRaw, isSecret, quote, type Raw, type Secret, type ShellCommand } from "./sh.ts";

/** What a command is composed with. Every field is optional. */
export interface Composition {
  /** The absolute directory to run in; always quoted. */
  cwd?: string;
  /** Variables to export, in order. Strings are quoted, `raw()` inserted as is, secrets masked. */
  env?: ReadonlyArray<readonly [name: string, value: string | Secret | Raw]>;
  /** Commands joined before the command with `&&`, outermost first. */
  prefixes?: readonly ShellCommand[];
  /** When set, `export TERM=<term>` comes before the user's variables (which may override it). */
  term?: string;
  /** Start with `exec </dev/null` so the command cannot read standard input. */
  stdinNull?: boolean;
  /**
   * Run with sudo. With a `marker`, sudo reads the password from stdin and prompts with the
   * marker (`sudo -k -S -p <marker>`); without one it must not ask (`sudo -n`).
   */
  sudo?: { user?: string; marker?: string };
  /** Only syntax-check the command (`bash -n`, else `sh -n`): nothing of it runs; no sudo. */
  sandbox?: boolean;
}

/** A composed command. */
export interface ComposedCommand {
  /** The full command line to execute (secrets included). Never log it. */
  text: string;
  /** The same with every secret shown as `'***'`. */
  masked: string;
  /** What logs show: the masked prefixes and command joined by ` && `. */
  display: string;
}

interface Piece {
  text: string;
  masked: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function same(text: string): Piece {
  return { text, masked: text };
}

function join(pieces: readonly Piece[], separator: string): Piece {
  return {
    text: pieces.map((p) => p.text).join(separator),
    masked: pieces.map((p) => p.masked).join(separator),
  };
}

function map(piece: Piece, f: (s: string) => string): Piece {
  return { text: f(piece.text), masked: f(piece.masked) };
}

function asPiece(command: unknown, what: string): Piece {
  const c = command as Partial<Piece> | null | undefined;
  if (typeof c?.text !== "string" || typeof c?.masked !== "string") {
    throw new TypeError(`compose: ${what} is not a command (use sh\`...\` or toCommand())`);
  }
  return { text: c.text, masked: c.masked };
}

function envPiece(name: unknown, value: unknown): Piece {
  if (typeof name !== "string" || !ENV_NAME.test(name)) {
    throw new TypeError(`Invalid environment variable name: ${JSON.stringify(String(name))}`);
  }
  if (typeof value === "string") return same(`export ${name}=${quote(value)}`);
  if (isRaw(value)) return same(`export ${name}=${value.text}`);
  if (isSecret(value)) {
    return { text: `export ${name}=${quote(value.value)}`, masked: `export ${name}='***'` };
  }
  throw new TypeError(
    `The value of environment variable ${name} must be a string, raw() or secret()`,
  );
}

/** `(body)`, closed on its own line when the body could swallow `)` (comment, here-document). */
function group(body: Piece): Piece {
  return map(body, (s) => /[#\n]/.test(s) ? `(${s}\n)` : `(${s})`);
}

/**
 * Composes `command` with its context. `text` is what runs, `masked` the same with secrets
 * shown as `'***'`, `display` the short form for logs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compose } from "./compose.ts";
 * import { sh } from "./sh.ts";
 * const c = compose(sh`ls`, { cwd: "/srv", env: [["A", "it's"]], prefixes: [sh`p1`] });
 * assert.equal(c.display, "p1 && ls");
 * assert.equal(
 *   c.text,
 *   `sh -c 'cd '"'"'/srv'"'"' && export A='"'"'it'"'"'"'"'"'"'"'"'s'"'"' && (p1 && ls)'`,
 * );
 * ```
 */
export function compose(command: ShellCommand, composition: Composition = {}): ComposedCommand {
  const { cwd, env = [], prefixes = [], term, stdinNull, sudo, sandbox } = composition;
  if (cwd !== undefined && (typeof cwd !== "string" || !cwd.startsWith("/"))) {
    throw new TypeError(`compose: cwd must be an absolute path, got ${JSON.stringify(cwd)}`);
  }
  if (term !== undefined && typeof term !== "string") {
    throw new TypeError("compose: term must be a string");
  }
  const body = join(
    [...prefixes.map((p, i) => asPiece(p, `prefix ${i}`)), asPiece(command, "the command")],
    " && ",
  );
  const exports: Piece[] = [];
  if (term !== undefined) exports.push(same(`export TERM=${quote(term)}`));
  for (const entry of env) exports.push(envPiece(entry?.[0], entry?.[1]));

  const steps: Piece[] = [];
  if (stdinNull) steps.push(same("exec </dev/null"));
  if (sandbox) {
    // Exports go inside the syntax check too: a raw() value could run code.
    const checked = map(join([...exports, group(body)], " && "), quote);
    if (cwd !== undefined) steps.push(same(`{ cd ${quote(cwd)} 2>/dev/null || true; }`));
    steps.push(map(
      checked,
      (q) => `if command -v bash >/dev/null 2>&1; then bash -n -c ${q}; else sh -n -c ${q}; fi`,
    ));
  } else {
    if (cwd !== undefined) steps.push(same(`cd ${quote(cwd)}`));
    steps.push(...exports, group(body));
  }
  const inner = join(steps, " && ");

  let outer: Piece;
  if (sudo && !sandbox) {
    const user = sudo.user ? ` -u ${quote(sudo.user)}` : "";
    const head = sudo.marker !== undefined && sudo.marker !== ""
      ? `sudo -k -S -p ${quote(sudo.marker)}${user}`
      : `sudo -n${user}`;
    outer = map(inner, (s) => `${head} -- sh -c ${quote(s)}`);
  } else {
    outer = map(inner, (s) => `sh -c ${quote(s)}`);
  }
  return { text: outer.text, masked: outer.masked, display: body.masked };
}

/**
 * The injection-safe `sh` tagged template: every interpolated value is quoted in POSIX
 * single quotes (works in dash), arrays become several arguments, `raw()` opts out of
 * quoting, and `secret()` is quoted in the real command but shown as `'***'` in the masked
 * text that logs, errors and sandbox plans see.
 *
 * Values are recognised by `Symbol.for(...)` brands, never by `instanceof`, so two copies
 * of the library (loaded from different URLs or versions) interoperate.
 *
 * @module
 */

import { RAW_BRAND, SECRET_BRAND, SECRETS_KEY, SHELL_COMMAND_BRAND } from "../brands.ts";

const DENO_INSPECT: unique symbol = Symbol.for("Deno.customInspect");
const NODE_INSPECT: unique symbol = Symbol.for("nodejs.util.inspect.custom");

/** What a secret looks like wherever it is shown. */
const MASK = "***";

/** A value `sh` accepts in an interpolation. Anything else is a type error. */
export type Arg =
  | string
  | number
  | boolean
  | Raw
  | Secret
  | ShellCommand
  | readonly Arg[];

/** What `run()` accepts: already-written shell text, or a command built with `sh`. */
export type CommandInput = string | ShellCommand;

/**
 * Shell text inserted without quoting. Create it with {@linkcode raw}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Raw, sh } from "./sh.ts";
 * assert.equal(sh`echo ${new Raw("$HOME")}`.text, "echo $HOME");
 * ```
 */
export class Raw {
  readonly #text: string;
  /** Wraps `text`, which is inserted as is. */
  constructor(text: string) {
    if (typeof text !== "string") throw new TypeError(`raw() needs a string, got ${kind(text)}`);
    this.#text = text;
  }
  /** The unquoted shell text. */
  get text(): string {
    return this.#text;
  }
  /** The brand other copies of the library recognise. */
  get [RAW_BRAND](): true {
    return true;
  }
  /** The text itself. */
  toString(): string {
    return this.#text;
  }
}

/**
 * A value that is quoted in the real command and shown as `***` everywhere else
 * (`toString()`, `JSON.stringify`, `Deno.inspect`, `console.log`). Create it with
 * {@linkcode secret}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Secret } from "./sh.ts";
 * const password = new Secret("hunter2");
 * assert.equal(String(password), "***");
 * assert.equal(JSON.stringify(password), '"***"');
 * assert.equal(password.value, "hunter2");
 * ```
 */
export class Secret {
  readonly #value: string;
  /** Wraps `value`. */
  constructor(value: string) {
    if (typeof value !== "string") {
      throw new TypeError(`secret() needs a string or a number, got ${kind(value)}`);
    }
    this.#value = value;
  }
  /** The real value. Never log it. */
  get value(): string {
    return this.#value;
  }
  /** The brand other copies of the library recognise. */
  get [SECRET_BRAND](): true {
    return true;
  }
  /** Always `"***"`. */
  toString(): string {
    return MASK;
  }
  /** Always `"***"`. */
  toJSON(): string {
    return MASK;
  }
  /** Shows `Secret(***)` in `Deno.inspect` / `console.log`. */
  [DENO_INSPECT](): string {
    return `Secret(${MASK})`;
  }
  /** Shows `Secret(***)` in `node:util` inspect. */
  [NODE_INSPECT](): string {
    return `Secret(${MASK})`;
  }
}

/**
 * A command: the real shell `text`, and the `masked` text with every secret shown as
 * `'***'`. `toString()`, `JSON.stringify` and inspection show the masked text only.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { secret, sh } from "./sh.ts";
 * const cmd = sh`login ${secret("hunter2")}`;
 * assert.equal(cmd.text, "login 'hunter2'");
 * assert.equal(cmd.masked, "login '***'");
 * assert.equal(String(cmd), "login '***'");
 * ```
 */
export class ShellCommand {
  readonly #text: string;
  readonly #masked: string;
  readonly #secrets: readonly string[];
  /**
   * A command from its real text and its masked text (default: the same text), and the
   * secret values it contains (hosts mask them in the command's output too).
   */
  constructor(text: string, masked: string = text, secrets: readonly string[] = []) {
    if (typeof text !== "string" || typeof masked !== "string") {
      throw new TypeError("ShellCommand needs string text and masked text");
    }
    this.#text = text;
    this.#masked = masked;
    this.#secrets = [...secrets];
  }
  /** The secret values inside the command (never log them). */
  get [SECRETS_KEY](): readonly string[] {
    return this.#secrets;
  }
  /** The shell text that runs, secrets included. Never log it. */
  get text(): string {
    return this.#text;
  }
  /** The shell text with every secret shown as `'***'`: what logs and errors show. */
  get masked(): string {
    return this.#masked;
  }
  /** The brand other copies of the library recognise. */
  get [SHELL_COMMAND_BRAND](): true {
    return true;
  }
  /** The masked text. */
  toString(): string {
    return this.#masked;
  }
  /** The masked text. */
  toJSON(): string {
    return this.#masked;
  }
  /** Shows `ShellCommand(<masked>)` in `Deno.inspect` / `console.log`. */
  [DENO_INSPECT](): string {
    return `ShellCommand(${this.#masked})`;
  }
  /** Shows `ShellCommand(<masked>)` in `node:util` inspect. */
  [NODE_INSPECT](): string {
    return `ShellCommand(${this.#masked})`;
  }
}

function branded(v: unknown, brand: symbol): boolean {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    (v as Record<symbol, unknown>)[brand] === true;
}

/**
 * Whether `v` is a command built by `sh` (by any copy of the library).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isShellCommand, sh } from "./sh.ts";
 * assert.ok(isShellCommand(sh`ls`));
 * assert.ok(!isShellCommand("ls"));
 * ```
 */
export function isShellCommand(v: unknown): v is ShellCommand {
  return branded(v, SHELL_COMMAND_BRAND);
}

/**
 * Whether `v` is a {@linkcode Secret} (of any copy of the library).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSecret, secret } from "./sh.ts";
 * assert.ok(isSecret(secret("x")));
 * assert.ok(!isSecret("x"));
 * ```
 */
export function isSecret(v: unknown): v is Secret {
  return branded(v, SECRET_BRAND);
}

/**
 * Whether `v` is a {@linkcode Raw} (of any copy of the library).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRaw, raw } from "./sh.ts";
 * assert.ok(isRaw(raw("$HOME")));
 * assert.ok(!isRaw("$HOME"));
 * ```
 */
export function isRaw(v: unknown): v is Raw {
  return branded(v, RAW_BRAND);
}

/**
 * Quotes a value in POSIX single quotes: `abc` → `'abc'`, `it's` → `'it'"'"'s'`, the empty
 * string → `''`. Works in every POSIX shell, dash included. NUL cannot be passed in a
 * command line, so a string containing it is a `TypeError`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { quote } from "./sh.ts";
 * assert.equal(quote("it's"), `'it'"'"'s'`);
 * assert.equal(quote(42), "'42'");
 * ```
 */
export function quote(value: string | number | boolean): string {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(`quote() needs a string, number or boolean, got ${kind(value)}`);
  }
  const s = String(value);
  if (s.includes("\0")) throw new TypeError("Cannot quote a string that contains a NUL byte");
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Marks shell text to be inserted without quoting (globs, `$VAR`, operators).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { raw, sh } from "./sh.ts";
 * assert.equal(sh`ls ${raw("*.txt")}`.text, "ls *.txt");
 * ```
 */
export function raw(text: string): Raw {
  return new Raw(text);
}

/**
 * Marks a value as secret: quoted in the command that runs, `'***'` in everything shown.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { secret, sh } from "./sh.ts";
 * const cmd = sh`mysql -p${secret("hunter2")}`;
 * assert.equal(cmd.masked, "mysql -p'***'");
 * ```
 */
export function secret(value: string | number): Secret {
  if (typeof value === "number") return new Secret(String(value));
  return new Secret(value);
}

/**
 * Turns what `run()` accepts into a command: a plain string is already-written shell text
 * (`text` and `masked` are the string), a command built by `sh` is returned as is.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCommand } from "./sh.ts";
 * assert.equal(toCommand("ls -l | wc -l").text, "ls -l | wc -l");
 * ```
 */
export function toCommand(input: CommandInput): ShellCommand {
  if (typeof input === "string") return new ShellCommand(input);
  if (isShellCommand(input)) return input;
  throw new TypeError(`Expected a command (a string or sh\`...\`), got ${kind(input)}`);
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && typeof (v as { then?: unknown }).then === "function") {
    return "a Promise (await it first)";
  }
  if (typeof v === "object") return "an object";
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "bigint") return "a bigint";
  return `a ${typeof v}`;
}

interface Rendered {
  text: string[];
  masked: string[];
  secrets: string[];
}

function render(v: unknown, where: string, out: Rendered): void {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    const q = quote(v);
    out.text.push(q);
    out.masked.push(q);
  } else if (isSecret(v)) {
    out.secrets.push(v.value);
    out.text.push(quote(v.value));
    out.masked.push(quote(MASK));
  } else if (isRaw(v)) {
    out.text.push(v.text);
    out.masked.push(v.text);
  } else if (isShellCommand(v)) {
    out.secrets.push(...secretsOf(v));
    out.text.push(v.text);
    out.masked.push(v.masked);
  } else if (Array.isArray(v)) {
    const inner: Rendered = { text: [], masked: [], secrets: out.secrets };
    v.forEach((item, i) => render(item, `${where}, element ${i}`, inner));
    out.text.push(inner.text.join(" "));
    out.masked.push(inner.masked.join(" "));
  } else {
    throw new TypeError(
      `sh: ${where} is ${kind(v)}; only string, number, boolean, raw(), secret(), sh\`\` ` +
        `and arrays are allowed`,
    );
  }
}

/**
 * The tagged template that builds commands. Each interpolation is quoted (strings,
 * numbers, booleans), inserted as is (`raw()`, a nested `sh`), quoted but masked
 * (`secret()`), or — for arrays — rendered element by element and joined by spaces.
 * Any other value throws a `TypeError` naming the interpolation (counted from 0).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sh } from "./sh.ts";
 * const files = ["a b", "it's"];
 * assert.equal(sh`rm -f -- ${files}`.text, `rm -f -- 'a b' 'it'"'"'s'`);
 * ```
 */
export function sh(strings: TemplateStringsArray, ...values: Arg[]): ShellCommand {
  const literal = (i: number): string => strings[i] ?? strings.raw[i];
  if (strings.some((_, i) => literal(i).includes("\0"))) {
    throw new TypeError("sh: the template text contains a NUL character (write \\0 as \\\\0)");
  }
  const text: string[] = [literal(0)];
  const masked: string[] = [literal(0)];
  const secrets: string[] = [];
  values.forEach((v, i) => {
    const out: Rendered = { text: [], masked: [], secrets };
    const before = literal(i).slice(-30);
    render(v, `interpolation ${i}${before ? ` (after ${JSON.stringify(before)})` : ""}`, out);
    text.push(out.text[0], literal(i + 1));
    masked.push(out.masked[0], literal(i + 1));
  });
  return new ShellCommand(text.join(""), masked.join(""), secrets);
}

/**
 * The secret values inside a command (empty for plain strings and other copies that do
 * not track them). Hosts use it to mask secrets that a command prints.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { secret, secretsOf, sh } from "./sh.ts";
 * assert.equal(secretsOf(sh`login ${secret("pw")}`).join(), "pw");
 * ```
 */
export function secretsOf(command: ShellCommand): readonly string[] {
  const found = (command as unknown as Record<symbol, unknown>)[SECRETS_KEY];
  return Array.isArray(found) ? found.filter((s) => typeof s === "string" && s !== "") : [];
}

/**
 * Terminal colours: ANSI escape codes, a stable per-host palette, stripping, and the
 * `NO_COLOR` convention.
 *
 * @module
 */

/** The colours deployer uses. */
export type ColorName = "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "white" | "gray";

const CODES: Readonly<Record<ColorName, number>> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
};

/** Host prefixes cycle through these; red is kept for failures. */
const HOST_PALETTE: readonly ColorName[] = ["cyan", "green", "yellow", "magenta", "blue", "white"];

// CSI sequences (colours, cursor movement, erase) and OSC sequences (titles, links).
// deno-lint-ignore no-control-regex
const ANSI_PATTERN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/**
 * Wraps text in the escape codes of a colour (and bold), or returns it unchanged when
 * colours are disabled.
 *
 * @param text The text to colour.
 * @param color The colour, or `undefined` for none (bold only).
 * @param enabled Whether colours are enabled at all (see {@linkcode colorEnabled}).
 * @param options `bold: true` makes the text bold.
 * @returns The coloured text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { colorize } from "./colors.ts";
 * assert.equal(colorize("ok", "green", true), "\x1b[32mok\x1b[0m");
 * assert.equal(colorize("ok", "green", false), "ok");
 * ```
 */
export function colorize(
  text: string,
  color: ColorName | undefined,
  enabled: boolean,
  options?: { bold?: boolean },
): string {
  const codes: number[] = [];
  if (options?.bold) codes.push(1);
  if (color !== undefined) codes.push(CODES[color]);
  if (!enabled || codes.length === 0 || text === "") return text;
  return `\x1b[${codes.join(";")}m${text}\x1b[0m`;
}

/**
 * The colour of the n-th host, from a small palette that repeats (red is not in it).
 *
 * @param index The position of the host (any integer).
 * @returns A colour name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostColor } from "./colors.ts";
 * assert.equal(hostColor(0), hostColor(6));
 * ```
 */
export function hostColor(index: number): ColorName {
  const n = HOST_PALETTE.length;
  return HOST_PALETTE[((Math.trunc(index) % n) + n) % n];
}

/**
 * Removes ANSI escape sequences (colours, cursor movement, erasing) from text.
 *
 * @param text Text that may contain escape sequences.
 * @returns The visible text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripAnsi } from "./colors.ts";
 * assert.equal(stripAnsi("\x1b[1;31mfailed\x1b[0m"), "failed");
 * ```
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, "");
}

function noColorSet(): boolean {
  try {
    const deno = (globalThis as { Deno?: typeof Deno }).Deno;
    if (!deno) return false;
    const status = deno.permissions.querySync({ name: "env", variable: "NO_COLOR" });
    if (status.state !== "granted") return false;
    return (deno.env.get("NO_COLOR") ?? "") !== "";
  } catch {
    return false;
  }
}

/**
 * Whether to colour what is written to a stream: it must be a TTY and `NO_COLOR` must not
 * be set (https://no-color.org). Without permission to read `NO_COLOR`, it counts as unset
 * (no permission prompt is shown).
 *
 * @param stream The output stream (anything with an optional `isTTY`).
 * @returns `true` when colours should be used.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { colorEnabled } from "./colors.ts";
 * assert.equal(colorEnabled({ isTTY: false }), false);
 * ```
 */
export function colorEnabled(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && !noColorSet();
}

/**
 * Values and errors as the `--json` document and the recap show them: plain JSON, errors
 * reduced to name, message and (when known) host, command and exit code.
 *
 * @module
 */

/** An error in the `--json` document. */
export interface JsonError {
  /** The error class name (`ActionError`, `UsageError`, ...). */
  name: string;
  /** The message (secrets are already masked by the framework). */
  message: string;
  /** The host, when the error names one. */
  host?: string;
  /** The masked command, for a failed command. */
  command?: string;
  /** The exit code, for a failed command. */
  code?: number | null;
}

/**
 * Turns a value into something `JSON.stringify` accepts (`toJSON` is honoured,
 * `undefined` becomes `null`, unserialisable values become their text).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonValue } from "./json_values.ts";
 * assert.equal(jsonValue(undefined), null);
 * assert.equal(jsonValue(1n), "1");
 * ```
 */
export function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return String(value);
  }
}

/**
 * An error as the `--json` document shows it: name, message and, when known, host,
 * command and exit code (found on the error or its causes).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonError } from "./json_values.ts";
 * assert.equal(jsonError(new TypeError("x")).name, "TypeError");
 * ```
 */
export function jsonError(error: unknown): JsonError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const out: JsonError = { name: error.name, message: error.message };
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; depth++) {
    const fields = e as { host?: unknown; command?: unknown; code?: unknown };
    if (out.host === undefined && typeof fields.host === "string") out.host = fields.host;
    if (out.command === undefined && typeof fields.command === "string") {
      out.command = fields.command;
      if (typeof fields.code === "number" || fields.code === null) out.code = fields.code;
    }
    e = e.cause;
  }
  return out;
}

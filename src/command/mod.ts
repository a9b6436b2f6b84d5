/**
 * Commands: the injection-safe `sh` tag, quoting, secrets, python's escaping helpers and
 * the composition of a command with its context (`cd`, `env`, prefixes, sudo, sandbox).
 * Pure: nothing here runs a process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compose, secret, sh } from "./mod.ts";
 * const cmd = sh`mysql -u ${"app"} -p${secret("hunter2")} -e ${"SELECT 1"}`;
 * assert.ok(!compose(cmd).masked.includes("hunter2"));
 * ```
 *
 * @module
 */
export {
  type Arg,
  type CommandInput,
  isRaw,
  isSecret,
  isShellCommand,
  quote,
  Raw,
  raw,
  Secret,
  secret,
  sh,
  ShellCommand,
  toCommand,
} from "./sh.ts";
export { esc1, esc2, indent } from "./escape.ts";
export { compose, type ComposedCommand, type Composition } from "./compose.ts";

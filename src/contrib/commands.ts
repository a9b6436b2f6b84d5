/**
 * Small command builders (python-deployer's `contrib.commands`), quoted with `sh`.
 *
 * @module
 */
import { sh, type ShellCommand } from "../command/sh.ts";

/**
 * `wget <url>`, or `wget <url> --output-document <target>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { wget } from "./commands.ts";
 * assert.equal(wget("https://x.org/a b").text, "wget 'https://x.org/a b'");
 * assert.equal(
 *   wget("https://x.org/a", "/tmp/a").text,
 *   "wget 'https://x.org/a' --output-document '/tmp/a'",
 * );
 * ```
 */
export function wget(url: string, target?: string): ShellCommand {
  return target === undefined ? sh`wget ${url}` : sh`wget ${url} --output-document ${target}`;
}

/**
 * Appends `line` to `~/.bashrc` unless a line exactly like it is there already (`printf`,
 * not `echo`, so backslashes stay as they are).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bashrcAppend } from "./commands.ts";
 * assert.equal(
 *   bashrcAppend("export A=1").text,
 *   "grep -qxF 'export A=1' ~/.bashrc || printf '%s\\n' 'export A=1' >> ~/.bashrc",
 * );
 * ```
 */
export function bashrcAppend(line: string): ShellCommand {
  return sh`grep -qxF ${line} ~/.bashrc || printf '%s\\n' ${line} >> ~/.bashrc`;
}

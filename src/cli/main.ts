/**
 * `main()`: the generic `deployer` command line. It loads a deploy script by path or
 * URL; without one, `run` uses the embedded hello-world tree.
 *
 * @module
 */
import { SayHelloOnLocalHost } from "./hello.ts";
import { executeProgram } from "./program.ts";
import { processIo } from "./run_cli.ts";
import type { CliIo } from "./run.ts";

/**
 * Runs the `deployer` CLI: `run [script] [options] [-- ACTION ARG...]`,
 * `inspect [script] [PATH]`, `compile <script> [-o FILE]`, `completions bash|zsh|fish`,
 * `--version`, `--help`. Resolves to the exit code (0 ok, 1 failed, 2 usage, 130
 * interrupted).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./main.ts";
 * let out = "";
 * const code = await main(["--version"], { out: (t) => (out += t), err: () => {} });
 * assert.equal(code, 0);
 * assert.ok(out.startsWith("deployer "));
 * ```
 */
export function main(args: string[], io: CliIo = processIo()): Promise<number> {
  return executeProgram(args, { name: "deployer", defaultRoot: SayHelloOnLocalHost, io });
}

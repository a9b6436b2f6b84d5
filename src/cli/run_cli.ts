/**
 * `runCli(Root)`: makes a deploy script its own command-line program (python-deployer's
 * `start(Root)`), with `run`, `inspect`, `completions`, `--version` and `--help`.
 *
 * @module
 */
import type { Logger } from "../exec/logger.ts";
import type { NodeClass } from "../node/markers.ts";
import type { CliIo } from "./run.ts";

/** Options of {@linkcode runCli}. */
export interface RunCliOptions {
  /** The program name in usage, completions and the shell (default: the script's name). */
  name?: string;
  /** More loggers for every run (python's `extra_loggers`). */
  loggers?: Logger[];
  /** Where to write (default: this process's stdout and stderr). */
  io?: CliIo;
}

/**
 * Writes text to a Deno output stream synchronously (so that output is complete before
 * the process exits).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAll } from "./run_cli.ts";
 * const written: string[] = [];
 * const slow = { // takes at most 3 bytes per call, like a full pipe
 *   writeSync(bytes: Uint8Array): number {
 *     written.push(new TextDecoder().decode(bytes.subarray(0, 3)));
 *     return Math.min(bytes.length, 3);
 *   },
 * };
 * writeAll(slow, "deployer");
 * assert.deepEqual(written, ["dep", "loy", "er"]);
 * ```
 */
export function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let n = 0; n < bytes.length;) n += stream.writeSync(bytes.subarray(n));
}

/**
 * This process's standard output and error as a {@linkcode CliIo}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * const script = `import { processIo } from "${import.meta.resolve("./run_cli.ts")}";
 * processIo().out("to stdout\\n");
 * processIo().err("to stderr\\n");`;
 * const { stdout, stderr } = await new Deno.Command(Deno.execPath(), { args: ["eval", script] })
 *   .output();
 * assert.equal(new TextDecoder().decode(stdout), "to stdout\n");
 * assert.equal(new TextDecoder().decode(stderr), "to stderr\n");
 * ```
 */
export function processIo(): CliIo {
  return {
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
  };
}

function defaultName(): string {
  const exe = Deno.execPath().split(/[\\/]/).pop() ?? "deno";
  if (!/^deno(\.exe)?$/.test(exe)) return exe.replace(/\.exe$/, "");
  const main = Deno.mainModule.split(/[\\/]/).pop() ?? "deploy";
  return main.replace(/\.[cm]?[jt]sx?$/i, "") || "deploy";
}

/**
 * Runs the command line of a deploy script for its root node class: `run [-- ACTION
 * ARG...]` (or the interactive shell), `inspect [PATH]`, `completions SHELL`,
 * `--version`, `--help`. Returns the exit code and sets `Deno.exitCode` to it; it never
 * calls `Deno.exit` itself, so `if (import.meta.main) await runCli(Root);` is all a
 * script needs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "../host/local.ts";
 * import { Node } from "../node/node.ts";
 * import { runCli } from "./run_cli.ts";
 * class Root extends Node {
 *   static override hosts = { host: new LocalHost() };
 *   answer(): number { return 42; }
 * }
 * let out = "";
 * const io = { out: (t: string) => (out += t), err: () => {} };
 * const code = await runCli(Root, ["run", "--non-interactive", "--", "answer"], { io });
 * assert.equal(code, 0);
 * assert.equal(out, "42\n");
 * Deno.exitCode = 0;
 * ```
 */
export async function runCli(
  root: NodeClass,
  args: string[] = Deno.args,
  options: RunCliOptions = {},
): Promise<number> {
  // The argument parser loads when a command line is parsed, not when mod.ts is imported.
  const { executeProgram } = await import("./program.ts");
  const code = await executeProgram(args, {
    name: options.name ?? defaultName(),
    root,
    loggers: options.loggers,
    io: options.io ?? processIo(),
  });
  Deno.exitCode = code;
  return code;
}

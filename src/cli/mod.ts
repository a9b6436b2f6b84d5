/**
 * The command line: `runCli(Root)` for deploy scripts, and the pieces of the generic
 * `deployer` CLI (whose entry point is `main()` in `./main.ts`, kept out of this barrel
 * because it embeds an example tree that itself imports the library).
 *
 * @module
 */
export { processIo, runCli, type RunCliOptions, writeAll } from "./run_cli.ts";
export { executeProgram, type ProgramSetup } from "./program.ts";
export { type CliIo, executeRun, type RunOptions, type RunRequest } from "./run.ts";
export { isNodeClass, loadScript, looksLikeScript, rootOf, scriptUrl } from "./load.ts";
export { callAction, parameterNames, resolveAction, resolveNode } from "./resolve.ts";
export type { ResolvedAction } from "./resolve.ts";
export { renderTree } from "./tree.ts";
export {
  type CommandSpec,
  completionScript,
  type OptionSpec,
  type ShellName,
  SHELLS,
} from "./completions.ts";
export {
  COMPILE_PERMISSIONS,
  compileArgs,
  type CompileIo,
  type CompileOptions,
  runCompile,
} from "./compile.ts";
export { type JsonError, type JsonHostOutcome, type JsonReport } from "./output.ts";
export { VERSION } from "../version.ts";

/**
 * The console: questions, choices, paging, columns, colours and progress on injected
 * streams.
 *
 * @module
 */
export { Console, type ConsoleOptions } from "./console.ts";
export { ConsoleOutput } from "./console_output.ts";
export type { InputOptions } from "./questions.ts";
export { NoInputError } from "./inquirer.ts";
export { ProgressBar, type ProgressBarOptions } from "./progress.ts";
export type { ParallelProgress } from "./progress.ts";
export { type HostPhase, Screen } from "./screen.ts";
export { colorEnabled, colorize, type ColorName, hostColor, stripAnsi } from "./colors.ts";
export { type ColumnsOptions, inColumns } from "./columns.ts";
export { escapeControl, type EscapeOptions, hasControl } from "./control.ts";
export {
  type IsolationEntry,
  type NodeFilter,
  selectIsolation,
  selectNode,
  type SelectNodeOptions,
  type TreeFacet,
} from "./select.ts";

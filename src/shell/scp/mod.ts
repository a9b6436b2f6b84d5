/**
 * The SCP shell: a remote and a local side on one host, transfers, editing, completion.
 *
 * @module
 */
export { executeScpLine, runScpShell, scpOnNode, type ScpShellOptions } from "./scp_shell.ts";
export {
  type ArgumentKind,
  completeScp,
  type Lister,
  type PathEntry,
  type Side,
} from "./complete.ts";
export { SCP_COMMANDS, type ScpCommand } from "./commands.ts";
export type { ScpState } from "./state.ts";

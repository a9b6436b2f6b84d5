/**
 * deployer: remote execution and deployment for Deno. Describe your infrastructure as
 * a tree of nodes (classes) whose public methods are actions, map them to hosts (local
 * or SSH) by role, and run actions on many hosts in parallel, from code, from the CLI,
 * or from an interactive shell with tab completion.
 *
 * @example Usage
 * ```ts
 * import { Env, LocalHost, Node, sh } from "./mod.ts";
 *
 * class Hello extends Node {
 *   static override hosts = { host: [new LocalHost()] };
 *   async hello(): Promise<string> {
 *     const [result] = await this.hosts.run(sh`echo ${"hello world"}`);
 *     return result.stdout.trim();
 *   }
 * }
 *
 * await using env = new Env({ interactive: false });
 * console.assert((await env.bind(Hello).hello()) === "hello world");
 * ```
 *
 * @module
 */

// The tree
export {
  type ActionName,
  child,
  Node,
  type Parallel,
  ParallelNode,
  type ParallelView,
} from "./src/node/node.ts";
export type { ActionCall, ActionFlags, NodeRuntime, RoleMap } from "./src/node/runtime.ts";
export type { Member, MemberKind } from "./src/node/state.ts";
export {
  ALL_HOSTS,
  type ChildOptions,
  type HostsDefinition,
  type NodeClass,
  q,
  required,
  type RoleSource,
} from "./src/node/markers.ts";
export { action, type ActionInfo, type ActionOptions } from "./src/node/action.ts";
export { ParallelResult } from "./src/outcome.ts";
export {
  beta,
  Group,
  type GroupColor,
  local,
  other,
  production,
  staging,
  utility,
} from "./src/node/groups.ts";
export { Inspector, type ListOptions } from "./src/node/inspect.ts";
export {
  Filter,
  groupOf,
  hasAction,
  inGroup,
  isInstance,
  privateOnly,
  publicOnly,
} from "./src/node/filters.ts";

// Commands
export {
  type Arg,
  type CommandInput,
  quote,
  Raw,
  raw,
  Secret,
  secret,
  secretsOf,
  sh,
  ShellCommand,
  toCommand,
} from "./src/command/sh.ts";
export { compose, type ComposedCommand, type Composition } from "./src/command/compose.ts";
export { esc1, esc2, indent } from "./src/command/escape.ts";

// Hosts
export { Host, type HostOptions } from "./src/host/host.ts";
export { LocalHost } from "./src/host/local.ts";
export { type HostKeyPolicy, SshHost, type SshHostOptions } from "./src/host/ssh/mod.ts";
export { HostHandle } from "./src/host/handle.ts";
export { HostSet } from "./src/host/host_set.ts";
export type { CommandResult, RunOptions } from "./src/host/run.ts";
export type {
  ConnectContext,
  Connection,
  ExecOptions,
  ExitStatus,
  FileData,
  PtyRequest,
  RunningCommand,
  Stat,
} from "./src/host/connection.ts";
export { type CdEntry, type EnvValueOptions, HostContext } from "./src/host/context.ts";
export type {
  CommandEndEvent,
  CommandOutputEvent,
  CommandStartEvent,
  FileEvent,
  HostEvent,
  MessageEvent,
} from "./src/host/events.ts";
export type { HostServices, Terminal } from "./src/host/services.ts";
export type { OpenMode, RemoteFile, WriteOptions } from "./src/host/files.ts";
export type { NetworkInterface } from "./src/host/ifconfig.ts";

// Running
export { Env, type EnvOptions, type PlanEntry } from "./src/exec/env.ts";
export {
  type ActionEndEvent,
  type ActionStartEvent,
  JsonLinesLogger,
  type LogEvent,
  type Logger,
  RecordingLogger,
} from "./src/exec/logger.ts";
export { TerminalLogger, type TerminalLoggerOptions } from "./src/exec/terminal_logger.ts";
export {
  Console,
  type ConsoleOptions,
  type InputOptions,
  NoInputError,
  type ParallelProgress,
  ProgressBar,
  type ProgressBarOptions,
} from "./src/console/mod.ts";
export { type CliIo, runCli, type RunCliOptions } from "./src/cli/mod.ts";
export { runShell, type ShellOptions } from "./src/shell/mod.ts";

// Errors
export {
  ActionError,
  CommandError,
  ConnectionError,
  DeployerError,
  HostKeyError,
  type Outcome,
  ParallelError,
  QueryError,
  UsageError,
} from "./src/errors.ts";

/**
 * Hosts for extension (the `./host` export): the `Host` base class and the `Connection`
 * interface a new kind of host implements, the bound `HostHandle` and `HostSet`, their
 * context, file operations, events and the services an environment gives them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Host, isHost, LocalHost } from "./mod.ts";
 * const host = new LocalHost({ slug: "here" });
 * assert.ok(host instanceof Host);
 * assert.ok(isHost(host));
 * ```
 *
 * @module
 */
export { Host, type HostOptions, isHost } from "./host.ts";
export { LocalHost } from "./local.ts";
export { SshHost } from "./ssh/ssh_host.ts";
export type { HostKeyPolicy } from "./ssh/host_key.ts";
export type { SshHostOptions } from "./ssh/options.ts";
export { HostHandle } from "./handle.ts";
export { HostSet } from "./host_set.ts";
export type { CommandResult, RunOptions } from "./run.ts";
export {
  type ConnectContext,
  type Connection,
  type ExecOptions,
  type ExitStatus,
  type FileData,
  HOST_BRAND,
  type PtyRequest,
  type RunningCommand,
  type Stat,
  type TransferOptions,
  type WriteFileOptions,
} from "./connection.ts";
export { type CdEntry, type EnvValueOptions, HostContext } from "./context.ts";
export type {
  CommandEndEvent,
  CommandOutputEvent,
  CommandStartEvent,
  FileEvent,
  HostEvent,
  MessageEvent,
} from "./events.ts";
export type { HostServices, Terminal } from "./services.ts";
export type { FileTarget, OpenMode, ReadOptions, RemoteFile, WriteOptions } from "./files.ts";
export type { ShellTarget } from "./shell_session.ts";
export type { NetworkInterface } from "./ifconfig.ts";
export type { DirTransferOptions } from "./dir_transfer.ts";

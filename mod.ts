/**
 * deployer: remote execution and deployment for Deno. Describe your infrastructure as
 * a tree of nodes (classes) whose public methods are actions, map them to hosts (local
 * or SSH) by role, and run actions on many hosts in parallel, from code, from the CLI,
 * or from an interactive shell with tab completion.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.equal(await env.bind(Hello).hello(), "hello world");
 * ```
 *
 * The root holds what a deploy script uses. Extension points and helpers live behind
 * subpaths: `./node` (the node model's types), `./host` (host kinds, connections, handles),
 * `./command` (command composition and porting helpers), `./logging` (loggers and events),
 * `./console`, `./shell`, `./cli`, `./contrib` and `./testing`.
 *
 * @module
 */

// The tree
export { action } from "./src/node/action.ts";
export { ALL_HOSTS, q, required } from "./src/node/markers.ts";
export { child, Node, type NodeEnv, type Parallel, ParallelNode } from "./src/node/node.ts";
export { ParallelResult } from "./src/outcome.ts";
export { Group, production, staging } from "./src/node/groups.ts";

// Inspection
export { Inspector } from "./src/node/inspect.ts";
export { hasAction, inGroup, isInstance, privateOnly, publicOnly } from "./src/node/filters.ts";

// Hosts
export { LocalHost } from "./src/host/local.ts";
export { SshHost } from "./src/host/ssh/ssh_host.ts";
export type { SshHostOptions } from "./src/host/ssh/options.ts";
export type { HostHandle } from "./src/host/handle.ts";
export type { HostSet } from "./src/host/host_set.ts";

// Commands
export { quote, raw, secret, sh, type ShellCommand } from "./src/command/sh.ts";
export type { CommandResult, RunOptions } from "./src/host/run.ts";

// Running
export { Env, type EnvOptions, type PlanEntry } from "./src/exec/env.ts";
export { Console } from "./src/console/mod.ts";
export { runCli, type RunCliOptions } from "./src/cli/run_cli.ts";

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

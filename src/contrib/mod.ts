/**
 * Reusable nodes (python-deployer's `contrib`): {@linkcode Config} (a remote file with
 * diff and atomic setup), {@linkcode Git} and {@linkcode GitOverview}, {@linkcode AptGet},
 * {@linkcode Connect}, {@linkcode AnalyseHost}, and the command builders
 * {@linkcode wget} and {@linkcode bashrcAppend}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { Config } from "./mod.ts";
 * class Root extends Node {
 *   static override hosts = { host: new LocalHost() };
 *   motd = child(Config, { set: { remotePath: "/etc/motd", content: "hello\n" } });
 * }
 * await using env = new Env({ interactive: false, sandbox: true });
 * await env.bind(Root).motd.setup();
 * assert.ok(env.plan().some((e) => e.command === "(sudo) write file /etc/motd"));
 * ```
 *
 * @module
 */
export { AnalyseHost, type HostAppearance } from "./analyse_host.ts";
export { AptGet } from "./apt_get.ts";
export { bashrcAppend, wget } from "./commands.ts";
export { Config, unifiedDiff } from "./config.ts";
export { Connect } from "./connect.ts";
export { Git, GitOverview, type GitOverviewLine } from "./git.ts";

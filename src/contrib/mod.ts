/**
 * Reusable nodes (python-deployer's `contrib`): {@linkcode Config} (a remote file with
 * diff and atomic setup), {@linkcode Git} and {@linkcode GitOverview}, {@linkcode AptGet},
 * {@linkcode Connect}, {@linkcode AnalyseHost}, and the command builders
 * {@linkcode wget} and {@linkcode bashrcAppend}.
 *
 * @example Usage
 * ```ts
 * import { child, Env, LocalHost, Node } from "../../mod.ts";
 * import { Config } from "./mod.ts";
 * class Root extends Node {
 *   static override hosts = { host: new LocalHost() };
 *   motd = child(Config, { set: { remotePath: "/etc/motd", content: "hello\n" } });
 * }
 * await using env = new Env({ interactive: false, sandbox: true });
 * await env.bind(Root).motd.setup();
 * console.assert(env.plan().some((e) => e.command === "(sudo) write file /etc/motd"));
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

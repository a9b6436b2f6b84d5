/**
 * Every `Symbol.for` key deployer uses to recognise its own values. Two copies of the
 * library (a script that imports deployer from another URL or version than the CLI that loads
 * it) share these symbols, so they recognise each other's nodes, hosts, actions and commands
 * without `instanceof` or module-level registries. This module is the lowest layer: it
 * imports nothing.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE_BRAND } from "./brands.ts";
 * assert.equal(NODE_BRAND, Symbol.for("deployer.node"));
 * ```
 *
 * @module
 */

/** The brand of node instances (`get [NODE_BRAND](): true` on `Node.prototype`). */
export const NODE_BRAND: unique symbol = Symbol.for("deployer.node") as never;
/** The brand of parallel node instances. */
export const PARALLEL_BRAND: unique symbol = Symbol.for("deployer.parallelNode") as never;
/** Where a bound node keeps its state. */
export const STATE: unique symbol = Symbol.for("deployer.nodeState") as never;
/** Where a parallel view keeps the node it views. */
export const VIEW_OF: unique symbol = Symbol.for("deployer.viewOf") as never;
/** Where `@action` stores its flags on the method. */
export const ACTION_FLAGS: unique symbol = Symbol.for("deployer.actionFlags") as never;
/** The brand of the placeholders `child()`, `required()` and `q()` return. */
export const PLACEHOLDER: unique symbol = Symbol.for("deployer.placeholder") as never;
/**
 * Maps a child's role to every host of its parent. Python's `ALL_HOSTS`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALL_HOSTS } from "./brands.ts";
 * import { Env } from "./exec/env.ts";
 * import { LocalHost } from "./host/local.ts";
 * import { child, Node } from "./node/node.ts";
 * class Monitor extends Node {
 *   slugs(): string[] { return this.hosts.filter("host").hosts().map((h) => h.slug); }
 * }
 * class Root extends Node {
 *   static override hosts = {
 *     web: new LocalHost({ slug: "web1" }),
 *     db: new LocalHost({ slug: "db1" }),
 *   };
 *   monitor = child(Monitor, { roles: { host: ALL_HOSTS } });
 * }
 * await using env = new Env({ interactive: false });
 * assert.deepEqual((await env.bind(Root).monitor.slugs()).sort(), ["db1", "web1"]);
 * ```
 */
export const ALL_HOSTS: unique symbol = Symbol.for("deployer.allHosts") as never;
/** The brand of host definitions. */
export const HOST_BRAND: unique symbol = Symbol.for("deployer.host") as never;
/** The brand of commands built by `sh`. */
export const SHELL_COMMAND_BRAND: unique symbol = Symbol.for("deployer.shellCommand") as never;
/** The brand of `secret()` values. */
export const SECRET_BRAND: unique symbol = Symbol.for("deployer.secret") as never;
/** The brand of `raw()` values. */
export const RAW_BRAND: unique symbol = Symbol.for("deployer.raw") as never;
/** Where a command keeps the secrets it contains. */
export const SECRETS_KEY: unique symbol = Symbol.for("deployer.secrets") as never;

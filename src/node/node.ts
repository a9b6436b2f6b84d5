/**
 * `Node` and `ParallelNode`: the classes a deployment tree is made of, and `child()`,
 * which declares a child node in a class body.
 *
 * @module
 */
import { NODE_BRAND, PARALLEL_BRAND } from "../brands.ts";
import type { Console } from "../console/mod.ts";
import type { HostHandle } from "../host/handle.ts";
import type { HostSet } from "../host/host_set.ts";
import type { ActionOptions } from "./action.ts";
import type { Group } from "./groups.ts";
import { childMarker, type ChildOptions, type HostsDefinition, type NodeClass } from "./markers.ts";
import type { NodeEnv, Parallel } from "./runtime.ts";
import { requireState } from "./state.ts";

export type { ActionName, NodeEnv, Parallel, ParallelView, RootOptions } from "./runtime.ts";

/**
 * A node of the deployment tree. Subclass it: public methods are actions, fields are
 * values, `child()` fields are child nodes, `q()` fields are queries and `required()`
 * fields must be given a value. Nodes are created by an environment (`env.bind()`,
 * `runCli()`), never with `new` directly.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { Node } from "./node.ts";
 * import { sh } from "../command/sh.ts";
 * class Hello extends Node {
 *   static override hosts = { host: [new LocalHost()] };
 *   async greet(): Promise<string> {
 *     const [result] = await this.hosts.run(sh`echo ${"hello"}`);
 *     return result.stdout.trim();
 *   }
 * }
 * await using env = new Env({ interactive: false });
 * assert.equal(await env.bind(Hello).greet(), "hello");
 * ```
 */
export class Node {
  /** Real hosts per role for this node class (python's inner `class Hosts`). */
  static hosts?: HostsDefinition;
  /** The group (production, staging, ...) of this node class and its children. */
  static group?: Group;
  /**
   * Action flags by method name, the decorator-free form of `@action()`:
   * `static override actionOptions = { deploy: { alias: "d" } }`.
   */
  static actionOptions?: Readonly<Record<string, ActionOptions>>;

  /** Brand recognised by every copy of deployer. */
  get [NODE_BRAND](): true {
    return true;
  }

  /** All hosts of this node, by role; run commands on them in parallel. */
  get hosts(): HostSet {
    const state = requireState(this, "hosts");
    state.hostSet ??= state.runtime.hostsOf(this, state.roles);
    return state.hostSet;
  }

  /** The parent node, or `undefined` at the root. */
  get parent(): Node | undefined {
    return requireState(this, "parent").parent as Node | undefined;
  }

  /** The console: questions, choices, progress bars. */
  get console(): Console {
    return requireState(this, "console").runtime.console;
  }

  /**
   * The environment this node runs in: `this.env.sandbox`, `this.env.signal`, and
   * `this.env.bind(Cls)` to create another tree in it (python's `initialize_node`).
   */
  get env(): NodeEnv {
    return requireState(this, "env").runtime.env;
  }

  /**
   * The nearest ancestor that is an instance of `cls` (typed parent access).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { child, Node } from "./node.ts";
   * import { Env } from "../exec/env.ts";
   * class Leaf extends Node {
   *   rootName(): string { return this.parentAs(Root).name; }
   * }
   * class Root extends Node { name = "root"; leaf = child(Leaf); }
   * await using env = new Env({ interactive: false });
   * assert.equal(await env.bind(Root).leaf.rootName(), "root");
   * ```
   */
  parentAs<T extends Node>(cls: NodeClass<T>): T {
    let current = this.parent;
    while (current) {
      if (current instanceof cls) return current;
      current = current.parent;
    }
    throw new TypeError(`No ancestor of ${this.constructor.name} is a ${cls.name}`);
  }
}

/**
 * A node that runs once per host of its `host` role, in parallel: each run is an
 * isolation in which `this.host` is that one host. Reached from a normal node it is a
 * {@linkcode Parallel} view whose actions return per-host results.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node, ParallelNode } from "./node.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { sh } from "../command/sh.ts";
 * class Uptime extends ParallelNode {
 *   async slug(): Promise<string> { return this.host.slug; }
 * }
 * class Root extends Node {
 *   static override hosts = { web: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
 *   uptime = child(Uptime, { roles: { host: "web" } });
 * }
 * await using env = new Env({ interactive: false });
 * const result = await env.bind(Root).uptime.slug();
 * assert.equal([...result].join(), "a,b");
 * ```
 */
export class ParallelNode extends Node {
  /** Brand recognised by every copy of deployer. */
  get [PARALLEL_BRAND](): true {
    return true;
  }

  /** The one host of this isolation. */
  get host(): HostHandle {
    const state = requireState(this, "host");
    if (!state.isolated) {
      throw new Error(
        `this.host is only available inside one isolation of a parallel node; use this.hosts ` +
          `or call the action through the parallel view`,
      );
    }
    return this.hosts.filter("host").at(0);
  }
}

/**
 * Declares a child node in a class body. The field is typed as the child (`N`), or as a
 * {@linkcode Parallel} view for a parallel node (unless `justOne`). Options map roles,
 * bind real hosts, set fields and set the group.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node, ParallelNode } from "./node.ts";
 * class Git extends ParallelNode {
 *   location = "/srv/app";
 *   where(): string { return `${this.host.slug}:${this.location}`; }
 * }
 * class App extends Node {
 *   static override hosts = {
 *     web: [new LocalHost({ slug: "web1" }), new LocalHost({ slug: "web2" })],
 *   };
 *   git = child(Git, { roles: { host: "web" }, set: { location: "/srv/other" } });
 * }
 * await using env = new Env({ interactive: false });
 * const result = await env.bind(App).git.where();
 * assert.deepEqual([...result], ["web1:/srv/other", "web2:/srv/other"]);
 * ```
 */
export function child<N extends ParallelNode>(
  cls: NodeClass<N>,
  options: ChildOptions<N> & { justOne: true },
): N;
/** A parallel child seen from its parent: a {@linkcode Parallel} view. */
export function child<N extends ParallelNode>(
  cls: NodeClass<N>,
  options?: ChildOptions<N>,
): Parallel<N>;
/** A normal child node, typed as the child. */
export function child<N extends Node>(cls: NodeClass<N>, options?: ChildOptions<N>): N;
export function child(cls: NodeClass, options?: ChildOptions<unknown>): unknown {
  return childMarker(cls, options);
}

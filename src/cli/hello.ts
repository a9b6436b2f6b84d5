/**
 * The tree `deployer run` uses when it is given no script: one node that says hello on
 * this machine. (`examples/hello_world.ts` is the same tree written as a user's script.)
 *
 * @module
 */
import { sh } from "../command/sh.ts";
import { LocalHost } from "../host/local.ts";
import { Node } from "../node/node.ts";

/**
 * Says hello on this machine.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { SayHelloOnLocalHost } from "./hello.ts";
 * await using env = new Env({ interactive: false });
 * assert.equal(await env.bind(SayHelloOnLocalHost).hello(), "hello world");
 * ```
 */
export class SayHelloOnLocalHost extends Node {
  /** Where it runs. */
  static override hosts = { host: [new LocalHost()] };

  /** Runs `echo hello world` on every host and returns what the first one printed. */
  async hello(): Promise<string> {
    const results = await this.hosts.run(sh`echo ${"hello world"}`);
    return [...results][0]?.stdout.trim() ?? "";
  }
}

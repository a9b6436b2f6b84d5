/**
 * `Connect`: an interactive shell on one host of a node.
 *
 * @module
 */
import { sh } from "../command/sh.ts";
import { action } from "../node/action.ts";
import { ParallelNode } from "../node/node.ts";

/**
 * Opens an interactive shell on a host (python-deployer's `contrib.nodes.connect.Connect`).
 * With several hosts it asks which one (or picks one at random without a person).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node } from "../node/node.ts";
 * import { Connect } from "./connect.ts";
 * class Root extends Node {
 *   static override hosts = { web: new LocalHost({ slug: "web1" }) };
 *   connect = child(Connect, { roles: { host: "web" }, set: { initialInput: "cd /srv\n" } });
 * }
 * // In the deployer shell, `connect withHost` (or `connect asRoot`) opens a shell on web1.
 * // A sandbox starts no shell:
 * await using env = new Env({ interactive: false, sandbox: true });
 * assert.deepEqual([...await env.bind(Root).connect.withHost()], [null]);
 * ```
 */
export class Connect extends ParallelNode {
  /** Text typed into the shell when it starts (e.g. `cd /srv/app\n`). */
  initialInput: string | undefined = undefined;

  /** Starts the login shell of one host with this terminal attached; resolves to its exit code. */
  @action({ isolateOneOnly: true })
  async withHost(): Promise<number | null> {
    const code = await this.host.startInteractiveShell({ initialInput: this.initialInput });
    this.console.write("\n");
    return code;
  }

  /** Starts a root shell (`sudo bash`) on one host with this terminal attached. */
  @action({ isolateOneOnly: true })
  async asRoot(): Promise<number | null> {
    const result = await this.host.sudo(sh`bash`, { interactive: true, noThrow: true });
    return result.code;
  }
}

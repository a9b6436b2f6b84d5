/**
 * The hello world of deployer (python-deployer's first tutorial): one node with one
 * action, mapped to the local host.
 *
 * Run it as its own CLI:
 *   deno run --allow-run=sh,/bin/sh --allow-read --allow-env examples/hello_world.ts run -- hello
 *
 * @module
 */
import { LocalHost, Node, runCli, sh } from "../mod.ts";

/** Says hello on every host it is given. */
export class SayHello extends Node {
  /** Runs `echo hello world` on all hosts and returns what the first one printed. */
  async hello(): Promise<string> {
    const results = await this.hosts.run(sh`echo ${"hello world"}`);
    return [...results][0]?.stdout.trim() ?? "";
  }
}

/** `SayHello` on this machine. */
export class SayHelloOnLocalHost extends SayHello {
  static override hosts = { host: [new LocalHost()] };
}

export default SayHelloOnLocalHost;

if (import.meta.main) await runCli(SayHelloOnLocalHost);

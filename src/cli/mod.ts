/**
 * Minimal command-line entry (temporary: the full CLI replaces this module).
 *
 * @module
 */
import { Env } from "../exec/env.ts";
import { TerminalLogger } from "../exec/terminal_logger.ts";
import type { NodeClass } from "../node/markers.ts";

/**
 * Runs `-- action args` on a root node class and prints the result.
 *
 * @example Usage
 * ```ts
 * import { runCli } from "./mod.ts";
 * console.assert(typeof runCli === "function");
 * ```
 */
export async function runCli(root: NodeClass, args: string[] = Deno.args): Promise<number> {
  const dash = args.indexOf("--");
  const [name, ...rest] = dash >= 0 ? args.slice(dash + 1) : [];
  await using env = new Env({ interactive: false });
  env.addLogger(
    new TerminalLogger({
      write: (t: string) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    }),
  );
  const node = env.bind(root) as Record<string, (...a: string[]) => Promise<unknown>>;
  const result = await node[name](...rest);
  if (result !== undefined) console.log(String(result));
  return 0;
}

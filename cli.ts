/**
 * The `deployer` command line: runs actions of a deploy script loaded by path or URL,
 * opens its interactive shell, inspects it, or compiles it into one executable.
 *
 * ```sh
 * deno run --allow-run --allow-read --allow-env --allow-net --allow-write \
 *   --allow-import=ops.example cli.ts run https://ops.example/deploy.ts -- production.deploy v1.2
 * ```
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

export { main };
export type { CliIo } from "./src/cli/run.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));

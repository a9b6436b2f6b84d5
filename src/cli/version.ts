/**
 * The version of deployer (kept equal to `deno.json`'s by a test).
 *
 * @module
 */

/**
 * The version of this copy of deployer.
 *
 * @example Usage
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.assert(/^\d+\.\d+\.\d+/.test(VERSION));
 * ```
 */
export const VERSION: string = "0.1.0";

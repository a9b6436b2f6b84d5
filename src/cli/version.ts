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
 * import assert from "node:assert/strict";
 * import { VERSION } from "./version.ts";
 * assert.match(VERSION, /^\d+\.\d+\.\d+/);
 * ```
 */
export const VERSION: string = "0.1.0";

/**
 * The version of deployer, read from `deno.json` (its one source). A JSON import is part of
 * the module graph: it is fetched with the code when deployer is imported by URL and embedded
 * by `deno compile`.
 *
 * @module
 */
import config from "../deno.json" with { type: "json" };

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
export const VERSION: string = config.version;

/**
 * Runs `deno doc --lint` over every export path of `deno.json` at once, so that a type one
 * path's signatures use may be exported by another path (as on JSR), and no path is left out.
 *
 * ```sh
 * deno run --allow-read --allow-run tools/doc_lint.ts
 * ```
 *
 * @module
 */

/**
 * The files behind the export paths of a `deno.json`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportedFiles } from "./doc_lint.ts";
 * assert.deepEqual(exportedFiles({ exports: { ".": "./mod.ts", "./x": "./x.ts" } }), [
 *   "./mod.ts",
 *   "./x.ts",
 * ]);
 * ```
 */
export function exportedFiles(config: { exports?: string | Record<string, string> }): string[] {
  const exports = config.exports ?? {};
  return typeof exports === "string" ? [exports] : Object.values(exports);
}

if (import.meta.main) {
  const config = JSON.parse(await Deno.readTextFile("deno.json"));
  const files = exportedFiles(config);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...files],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code === 0) console.log(`doc_lint: ${files.length} export paths: ${files.join(" ")}`);
  Deno.exit(code);
}

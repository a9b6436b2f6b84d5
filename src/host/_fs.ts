/**
 * Small file-system helpers for the modules of src/ (private: no public path exports them).
 *
 * @module
 */

/**
 * Whether something exists at `path` (a link counts when what it points to exists). Any
 * error (not found, no permission, no `--allow-read`) answers `false`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { exists } from "./_fs.ts";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await exists(dir), true);
 * assert.equal(await exists(`${dir}/missing`), false);
 * await Deno.remove(dir);
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

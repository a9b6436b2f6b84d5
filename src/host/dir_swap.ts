/**
 * The directory-level commit of `putDir` / `getDir`: a complete new tree in a temporary
 * directory next to the target takes the target's place, and the old tree is removed
 * after the swap. Shell text for the remote side, `Deno.rename` for the local side.
 *
 * @module
 */
import { esc1 } from "../command/escape.ts";

/**
 * A path as one POSIX single-quoted shell word.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellWord } from "./dir_swap.ts";
 * assert.equal(shellWord("it's"), `'it'\\''s'`);
 * ```
 */
export function shellWord(text: string): string {
  return `'${esc1(text)}'`;
}

/**
 * Exit code of the swap script when the target exists and is not a directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { NOT_A_DIRECTORY, swapScript } from "./dir_swap.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/file`, "x");
 *   await Deno.mkdir(`${dir}/new`);
 *   const script = swapScript(`${dir}/new`, `${dir}/file`, `${dir}/old`);
 *   const out = await new Deno.Command("sh", { args: ["-c", script], stderr: "null" }).output();
 *   assert.equal(out.code, NOT_A_DIRECTORY);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export const NOT_A_DIRECTORY = 91;

/**
 * Shell text that replaces `target` by the complete directory `temp`: an existing
 * directory is renamed aside to `old`, `temp` is renamed in, then `old` is removed. On a
 * failed swap the old directory is put back and `temp` removed. A target that exists and
 * is not a directory (or is a symbolic link) is refused with {@linkcode NOT_A_DIRECTORY}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { swapScript } from "./dir_swap.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/new`);
 *   await Deno.writeTextFile(`${dir}/new/a`, "new");
 *   await Deno.mkdir(`${dir}/site`);
 *   await Deno.writeTextFile(`${dir}/site/b`, "old");
 *   const script = swapScript(`${dir}/new`, `${dir}/site`, `${dir}/old`);
 *   const out = await new Deno.Command("sh", { args: ["-c", script] }).output();
 *   assert.ok(out.success);
 *   assert.deepEqual([...Deno.readDirSync(`${dir}/site`)].map((e) => e.name), ["a"]);
 *   assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["site"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function swapScript(temp: string, target: string, old: string): string {
  const [t, d, o] = [shellWord(temp), shellWord(target), shellWord(old)];
  return [
    `if [ -L ${d} ] || { [ -e ${d} ] && [ ! -d ${d} ]; }; then rm -rf -- ${t};`,
    `echo "exists and is not a directory" >&2; exit ${NOT_A_DIRECTORY}; fi;`,
    `moved=;`,
    `if [ -e ${d} ]; then mv -f -- ${d} ${o} || { rm -rf -- ${t}; exit 1; }; moved=1; fi;`,
    `if ! mv -f -- ${t} ${d}; then [ -n "$moved" ] && mv -f -- ${o} ${d};`,
    `rm -rf -- ${t}; exit 1; fi;`,
    `if [ -n "$moved" ]; then rm -rf -- ${o}; fi`,
  ].join(" ");
}

/**
 * The same swap on the local file system: `temp` (complete) replaces the directory
 * `target`; the old one is removed after. Throws, with `temp` removed, when the target
 * is not a directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { swapLocal } from "./dir_swap.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/new`);
 *   await Deno.mkdir(`${dir}/site`);
 *   await Deno.writeTextFile(`${dir}/site/old`, "x");
 *   await swapLocal(`${dir}/new`, `${dir}/site`, `${dir}/old`);
 *   assert.deepEqual([...Deno.readDirSync(`${dir}/site`)], []);
 *   assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["site"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function swapLocal(temp: string, target: string, old: string): Promise<void> {
  let existing: Deno.FileInfo | undefined;
  try {
    existing = await Deno.lstat(target);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    if (existing && !existing.isDirectory) {
      throw new Error(`"${target}" exists and is not a directory`);
    }
    if (existing) await Deno.rename(target, old);
    try {
      await Deno.rename(temp, target);
    } catch (error) {
      if (existing) await Deno.rename(old, target).catch(() => {});
      throw error;
    }
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
  if (existing) await Deno.remove(old, { recursive: true });
}

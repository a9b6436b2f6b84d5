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
 * Shell text that removes a tree, read-only directories in it included (`rm -rf` alone
 * cannot empty a directory without write permission unless run as root).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeTreeScript } from "./dir_swap.ts";
 * assert.equal(
 *   removeTreeScript("/srv/x"),
 *   "{ chmod -R u+w -- '/srv/x' 2>/dev/null; rm -rf -- '/srv/x'; }",
 * );
 * ```
 */
export function removeTreeScript(path: string): string {
  const p = shellWord(path);
  return `{ chmod -R u+w -- ${p} 2>/dev/null; rm -rf -- ${p}; }`;
}

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
  const [rmT, rmO] = [removeTreeScript(temp), removeTreeScript(old)];
  return [
    `if [ -L ${d} ] || { [ -e ${d} ] && [ ! -d ${d} ]; }; then ${rmT};`,
    `echo "exists and is not a directory" >&2; exit ${NOT_A_DIRECTORY}; fi;`,
    `moved=;`,
    `if [ -e ${d} ]; then mv -f -- ${d} ${o} || { ${rmT}; exit 1; }; moved=1; fi;`,
    `if ! mv -f -- ${t} ${d}; then [ -n "$moved" ] && mv -f -- ${o} ${d};`,
    `${rmT}; exit 1; fi;`,
    `if [ -n "$moved" ]; then ${rmO}; fi`,
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
    await removeLocalTree(temp).catch(() => {});
    throw error;
  }
  if (existing) await removeLocalTree(old);
}

/**
 * Removes a local tree, making read-only directories in it writable first when that is
 * what stops the removal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeLocalTree } from "./dir_swap.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/ro`);
 * await Deno.writeTextFile(`${dir}/ro/f`, "x");
 * await Deno.chmod(`${dir}/ro`, 0o555);
 * await removeLocalTree(dir);
 * assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
 * ```
 */
export async function removeLocalTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    await writable(path);
    await Deno.remove(path, { recursive: true });
  }
}

async function writable(path: string): Promise<void> {
  const info = await Deno.lstat(path);
  if (!info.isDirectory) return;
  await Deno.chmod(path, ((info.mode ?? 0o700) & 0o7777) | 0o700);
  for await (const entry of Deno.readDir(path)) {
    if (entry.isDirectory) await writable(`${path}/${entry.name}`);
  }
}

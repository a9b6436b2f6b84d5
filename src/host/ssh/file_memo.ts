/**
 * Local files kept for one `Env`: what a connection derives from a file (parsed
 * known_hosts lines, a decrypted key) is kept in the Env's connect memo and used again by
 * every later connection of that Env while the file's stamp (device, inode, size,
 * modification time) stays the same.
 *
 * What a user can expect: within one Env, a file is read and parsed once, however many
 * hosts use it. A file edited mid-run is seen by the connections opened after the edit (its
 * stamp changed), as each `ssh` command would see it; connections already open keep what
 * they used. A new Env reads every file again. The price is one `stat` per file per
 * connection, and connections that start while a `stat` of the same file is under way
 * share it.
 *
 * @module
 */
import { fileStamp } from "./local_file.ts";

interface Cached<T> {
  readonly stamp: string;
  readonly value: Promise<T>;
}

/**
 * The stamp of `path` (see `fileStamp`); concurrent callers with the same memo share one
 * `stat` while it runs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedStamp } from "./file_memo.ts";
 * const memo = new Map<string, unknown>();
 * const [a, b] = await Promise.all([sharedStamp(memo, "/none"), sharedStamp(memo, "/none")]);
 * assert.equal(a, "/none\0");
 * assert.equal(b, a);
 * assert.equal(memo.size, 0); // nothing is kept once the stat is done
 * ```
 */
export function sharedStamp(memo: Map<string, unknown>, path: string): Promise<string> {
  const key = `stat\0${path}`;
  const running = memo.get(key) as Promise<string> | undefined;
  if (running) return running;
  const stamp = fileStamp(path).finally(() => memo.delete(key));
  memo.set(key, stamp);
  return stamp;
}

/**
 * What `load` derives from the file at `path`, kept in `memo` under `kind` and used again
 * while the file's stamp is unchanged. Without a memo, `load` runs every time. A failed
 * `load` is not kept (the next caller tries again), so `load` should reject with errors
 * that do not name one host: every caller waiting on it gets the same error.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoByStamp } from "./file_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/data`;
 *   await Deno.writeTextFile(file, "one");
 *   const memo = new Map<string, unknown>();
 *   let reads = 0;
 *   const load = async () => (reads++, await Deno.readTextFile(file));
 *   assert.equal(await memoByStamp(memo, "text", file, load), "one");
 *   assert.equal(await memoByStamp(memo, "text", file, load), "one");
 *   assert.equal(reads, 1);
 *   await Deno.writeTextFile(file, "three"); // another size: another stamp
 *   assert.equal(await memoByStamp(memo, "text", file, load), "three");
 *   assert.equal(reads, 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function memoByStamp<T>(
  memo: Map<string, unknown> | undefined,
  kind: string,
  path: string,
  load: () => Promise<T>,
): Promise<T> {
  if (!memo) return await load();
  const key = `${kind}\0${path}`;
  const stamp = await sharedStamp(memo, path);
  let cached = memo.get(key) as Cached<T> | undefined;
  if (cached?.stamp !== stamp) {
    const entry: Cached<T> = { stamp, value: load() };
    memo.set(key, entry);
    entry.value.catch(() => memo.get(key) === entry && memo.delete(key));
    cached = entry;
  }
  return await cached.value;
}

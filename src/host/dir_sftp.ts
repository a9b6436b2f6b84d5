/**
 * The SFTP way of `putDir` / `getDir`, for hosts without `tar`: the directory structure
 * is made with a few shell commands, the files move over SFTP, 32 at a time.
 *
 * @module
 */
import type { Connection } from "./connection.ts";
import { shellWord } from "./dir_swap.ts";

/** One entry of a local tree, relative to its root. */
export interface TreeEntry {
  /** The path below the root (`a/b`). */
  readonly path: string;
  /** What it is. */
  readonly kind: "dir" | "file" | "symlink";
  /** Permission bits. */
  readonly mode: number;
  /** Size in bytes (files). */
  readonly size: number;
  /** Where a symbolic link points. */
  readonly link?: string;
}

/** A local directory tree, walked once. */
export interface LocalTree {
  /** The root directory. */
  readonly root: string;
  /** Its permission bits. */
  readonly mode: number;
  /** Every entry below it, parents before children. */
  readonly entries: TreeEntry[];
  /** The sum of the file sizes. */
  readonly bytes: number;
}

/**
 * Walks a local directory (symbolic links are not followed). Rejects when `root` is not
 * a directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkLocal } from "./dir_sftp.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/sub`);
 *   await Deno.writeTextFile(`${dir}/sub/f`, "abc");
 *   const tree = await walkLocal(dir);
 *   assert.deepEqual(tree.entries.map((e) => [e.path, e.kind]), [["sub", "dir"], ["sub/f", "file"]]);
 *   assert.equal(tree.bytes, 3);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function walkLocal(root: string): Promise<LocalTree> {
  const info = await Deno.stat(root);
  if (!info.isDirectory) throw new Error(`"${root}" is not a directory`);
  const entries: TreeEntry[] = [];
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const names: string[] = [];
    for await (const e of Deno.readDir(rel ? `${root}/${rel}` : root)) names.push(e.name);
    names.sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await Deno.lstat(`${root}/${path}`);
      const mode = (st.mode ?? 0o644) & 0o7777;
      if (st.isSymlink) {
        entries.push({
          path,
          kind: "symlink",
          mode,
          size: 0,
          link: await Deno.readLink(`${root}/${path}`),
        });
      } else if (st.isDirectory) {
        entries.push({ path, kind: "dir", mode, size: 0 });
        await walk(path);
      } else if (st.isFile) {
        entries.push({ path, kind: "file", mode, size: st.size });
        bytes += st.size;
      }
    }
  };
  await walk("");
  return { root, mode: (info.mode ?? 0o755) & 0o7777, entries, bytes };
}

/**
 * Runs `f` on every item, `width` at a time. After a failure no new item starts, and the
 * first failure rejects only once the items already running have ended, so that the
 * caller's clean-up never races a write still in flight.
 */
async function pool<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await f(items[next++]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (failure) throw failure.error;
}

/** Runs shell commands in as few execs as fit the 128 KiB argument limit. */
async function runScripts(connection: Connection, lines: string[], what: string): Promise<void> {
  const chunks: string[] = [];
  let current = "";
  for (const line of lines) {
    if (current && current.length + line.length > 100_000) {
      chunks.push(current);
      current = "";
    }
    current += `${line} || exit 1\n`;
  }
  if (current) chunks.push(current);
  for (const script of chunks) {
    let err = "";
    const command = await connection.exec(`sh -c ${shellWord(script)}`, {
      onStderr: (c) => void (err += new TextDecoder().decode(c)),
    });
    await command.closeStdin();
    const status = await command.status;
    if (status.code !== 0) throw new Error(`${what}: ${err.trim() || `exit code ${status.code}`}`);
  }
}

/**
 * Uploads `tree` into the new remote directory `temp` over SFTP, modes included.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalConnection } from "./local.ts";
 * import { putDirSftp, walkLocal } from "./dir_sftp.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src`);
 *   await Deno.writeTextFile(`${dir}/src/run.sh`, "echo", { mode: 0o750 });
 *   const connection = new LocalConnection("local");
 *   await putDirSftp(connection, await walkLocal(`${dir}/src`), `${dir}/dst`, `${dir}/tmp`);
 *   assert.equal((await Deno.stat(`${dir}/tmp/run.sh`)).mode! & 0o777, 0o750);
 *   await connection.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function putDirSftp(
  connection: Connection,
  tree: LocalTree,
  _remote: string,
  temp: string,
  options: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const under = (path: string) => shellWord(`${temp}/${path}`);
  const make = [`umask 077; mkdir -- ${shellWord(temp)}`];
  for (const e of tree.entries) {
    if (e.kind === "dir") make.push(`mkdir -- ${under(e.path)}`);
    if (e.kind === "symlink") make.push(`ln -s -- ${shellWord(e.link ?? "")} ${under(e.path)}`);
  }
  await runScripts(connection, make, "Cannot create the directories");
  let done = 0;
  const files = tree.entries.filter((e) => e.kind === "file");
  await pool(files, 32, async (e) => {
    options.signal?.throwIfAborted();
    const data = await Deno.readFile(`${tree.root}/${e.path}`);
    await connection.writeFile(`${temp}/${e.path}`, data, { mode: e.mode });
    done += e.size;
    options.onProgress?.(done, tree.bytes);
  });
  const modes = tree.entries.filter((e) => e.kind !== "symlink").map((e) =>
    `chmod ${e.mode.toString(8)} -- ${under(e.path)}`
  );
  modes.reverse(); // children before the (maybe read-only) directories that hold them
  modes.push(`chmod ${tree.mode.toString(8)} -- ${shellWord(temp)}`);
  await runScripts(connection, modes, "Cannot set the modes");
}

/**
 * Downloads the remote directory `remote` into the existing local directory `temp` over
 * SFTP, modes included. Resolves with the bytes moved.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalConnection } from "./local.ts";
 * import { getDirSftp } from "./dir_sftp.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src/sub`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/src/sub/f`, "hi");
 *   await Deno.mkdir(`${dir}/tmp`);
 *   const connection = new LocalConnection("local");
 *   assert.equal(await getDirSftp(connection, `${dir}/src`, `${dir}/tmp`), 2);
 *   assert.equal(await Deno.readTextFile(`${dir}/tmp/sub/f`), "hi");
 *   await connection.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function getDirSftp(
  connection: Connection,
  remote: string,
  temp: string,
  options: {
    onProgress?: (done: number, total: number | undefined) => void;
    signal?: AbortSignal;
  } = {},
): Promise<number> {
  const files: { path: string; mode: number }[] = [];
  const dirs: { path: string; mode: number }[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const st of await connection.readDir(rel ? `${remote}/${rel}` : remote)) {
      const path = rel ? `${rel}/${st.filename}` : st.filename;
      if (st.isSymlink) throw new Error(`"${remote}/${path}" is a symbolic link (needs tar)`);
      if (st.isDir) {
        await Deno.mkdir(`${temp}/${path}`, { mode: 0o700 });
        dirs.push({ path, mode: st.mode & 0o7777 });
        await walk(path);
      } else if (st.isFile) files.push({ path, mode: st.mode & 0o7777 });
    }
  };
  const top = await connection.stat(remote);
  if (!top.isDir) throw new Error(`"${remote}" is not a directory`);
  await walk("");
  let done = 0;
  await pool(files, 32, async (f) => {
    options.signal?.throwIfAborted();
    const data = await connection.readFile(`${remote}/${f.path}`);
    await Deno.writeFile(`${temp}/${f.path}`, data, { mode: f.mode });
    await Deno.chmod(`${temp}/${f.path}`, f.mode);
    done += data.length;
    options.onProgress?.(done, undefined);
  });
  for (const d of dirs.reverse()) await Deno.chmod(`${temp}/${d.path}`, d.mode);
  await Deno.chmod(temp, top.mode & 0o7777);
  return done;
}

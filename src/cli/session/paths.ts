/**
 * Where sessions live: a private directory (mode 0700, owned by the user) holding each
 * session's unix socket (0600), its secret token (0600, next to the socket) and its
 * description (`<pid>.json`).
 *
 * @module
 */

/** What `listen` records about a session (the `<pid>.json` file). */
export interface SessionRecord {
  /** The server's process id. */
  readonly pid: number;
  /** The unix socket path. */
  readonly socket: string;
  /** The script path or URL the tree came from (or the program name). */
  readonly script: string;
  /** When it started (ISO 8601). */
  readonly started: string;
}

function uid(): number {
  return Deno.uid() ?? 0;
}

/**
 * The directory of this user's sessions: `$XDG_RUNTIME_DIR/deployer` when that is set,
 * else `/tmp/deployer-<uid>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionDir } from "./paths.ts";
 * assert.ok(sessionDir({ XDG_RUNTIME_DIR: "/run/user/7" }) === "/run/user/7/deployer");
 * assert.match(sessionDir({}), /^\/tmp\/deployer-\d+$/);
 * ```
 */
export function sessionDir(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? `${runtime}/deployer` : `/tmp/deployer-${uid()}`;
}

/**
 * Creates `dir` with mode 0700 if needed, and checks that it is a directory of this user
 * that nobody else can enter (a directory another user made in /tmp is refused).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { privateDir } from "./paths.ts";
 * const dir = `${await Deno.makeTempDir()}/sessions`;
 * await privateDir(dir);
 * assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
 * await Deno.remove(dir);
 * ```
 */
export async function privateDir(dir: string): Promise<string> {
  try {
    await Deno.mkdir(dir, { mode: 0o700, recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const info = await Deno.lstat(dir);
  if (!info.isDirectory) throw new Error(`Session directory "${dir}" is not a directory`);
  if (info.uid !== uid()) {
    throw new Error(`Session directory "${dir}" belongs to uid ${info.uid}, not to you`);
  }
  if ((info.mode! & 0o077) !== 0) await Deno.chmod(dir, 0o700);
  return dir;
}

/**
 * The file holding a socket's secret token.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenPath } from "./paths.ts";
 * assert.equal(tokenPath("/tmp/d/1.sock"), "/tmp/d/1.sock.token");
 * ```
 */
export function tokenPath(socket: string): string {
  return `${socket}.token`;
}

/**
 * Reads the token of a session, or `""` when this user cannot read it (the server then
 * refuses the connection).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readToken } from "./paths.ts";
 * assert.equal(await readToken("/nonexistent/x.sock"), "");
 * ```
 */
export async function readToken(socket: string): Promise<string> {
  try {
    return (await Deno.readTextFile(tokenPath(socket))).trim();
  } catch {
    return "";
  }
}

/**
 * The session records in `dir` (unreadable or broken ones are skipped).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRecords } from "./paths.ts";
 * assert.deepEqual(await readRecords("/nonexistent"), []);
 * ```
 */
export async function readRecords(dir: string): Promise<{ file: string; record: SessionRecord }[]> {
  const found: { file: string; record: SessionRecord }[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !/^\d+\.json$/.test(entry.name)) continue;
      const file = `${dir}/${entry.name}`;
      try {
        found.push({ file, record: JSON.parse(await Deno.readTextFile(file)) });
      } catch {
        // half-written or removed meanwhile
      }
    }
  } catch {
    // no directory: no sessions
  }
  return found.sort((a, b) => a.record.started.localeCompare(b.record.started));
}

/**
 * Removes files, ignoring those already gone.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeQuietly } from "./paths.ts";
 * const file = await Deno.makeTempFile();
 * await removeQuietly(file, `${file}.never-existed`);
 * await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
 * ```
 */
export async function removeQuietly(...paths: string[]): Promise<void> {
  for (const path of paths) {
    try {
      await Deno.remove(path);
    } catch {
      // gone already
    }
  }
}

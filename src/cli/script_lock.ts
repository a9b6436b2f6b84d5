/**
 * `--lock FILE`: deployer's own lock file for scripts loaded by URL, never Deno's. It maps
 * the URL of every remote module of the script (the script, its imports, theirs) to the
 * SHA-256 of its source:
 *
 * ```json
 * { "version": 1, "modules": { "https://ops.example/deploy.ts": "sha256-…" } }
 * ```
 *
 * A missing file is created on the first successful load; later loads check every module
 * against it and add modules it does not list yet.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/**
 * A module whose source does not match the lock file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LockMismatch } from "./script_lock.ts";
 * const error = new LockMismatch("https://x.org/d.ts", "d.lock", "sha256-aa", "sha256-bb");
 * assert.equal(error.url, "https://x.org/d.ts");
 * assert.match(error.message, /^https:\/\/x\.org\/d\.ts does not match d\.lock/);
 * ```
 */
export class LockMismatch extends Error {
  /** The module's URL. */
  readonly url: string;
  /** Creates the error for `url`, pinned as `pinned` in `file` and fetched as `fetched`. */
  constructor(url: string, file: string, pinned: string, fetched: string) {
    super(
      `${url} does not match ${file} (pinned ${pinned.slice(0, 19)}…, fetched ` +
        `${fetched.slice(0, 19)}…): it changed since it was pinned; if the change is expected, ` +
        `delete ${file} (or its entry for this URL) and run again to pin the new version`,
    );
    this.name = "LockMismatch";
    this.url = url;
  }
}

/**
 * A lock file, read once; {@linkcode ScriptLock.save} writes it back when modules were added.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScriptLock } from "./script_lock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/deploy.lock.json`;
 *   const lock = await ScriptLock.open(file);
 *   lock.check("https://x.org/d.ts", "sha256-aa");
 *   await lock.save();
 *   const again = await ScriptLock.open(file);
 *   again.check("https://x.org/d.ts", "sha256-aa");
 *   assert.throws(() => again.check("https://x.org/d.ts", "sha256-bb"), {
 *     name: "LockMismatch",
 *     message: /^https:\/\/x\.org\/d\.ts does not match .*deploy\.lock\.json/,
 *   });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class ScriptLock {
  readonly #file: string;
  readonly #modules: Map<string, string>;
  #changed = false;

  private constructor(file: string, modules: Map<string, string>) {
    this.#file = file;
    this.#modules = modules;
  }

  /** Reads `file` (a missing file is an empty lock). Unreadable or invalid: a `UsageError`. */
  static async open(file: string): Promise<ScriptLock> {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new ScriptLock(file, new Map());
      throw new UsageError(`Cannot read lock file ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let modules: unknown;
    try {
      modules = JSON.parse(text)?.modules;
    } catch (error) {
      throw new UsageError(`Invalid lock file ${file}: not JSON (${(error as Error).message})`);
    }
    const valid = typeof modules === "object" && modules !== null &&
      Object.values(modules).every((v) => typeof v === "string");
    if (!valid) {
      throw new UsageError(
        `Invalid lock file ${file}: expected { "version": 1, "modules": { URL: "sha256-…" } }`,
      );
    }
    return new ScriptLock(file, new Map(Object.entries(modules as Record<string, string>)));
  }

  /** The file it was read from. */
  get file(): string {
    return this.#file;
  }

  /** The pinned hash of `url`, if any. */
  pinned(url: string): string | undefined {
    return this.#modules.get(url);
  }

  /**
   * Checks a module's hash (`sha256-<hex>`): throws {@linkcode LockMismatch} when it differs
   * from the pinned one; records it when the URL is not pinned yet.
   */
  check(url: string, hash: string): void {
    const pinned = this.#modules.get(url);
    if (pinned === undefined) {
      this.#modules.set(url, hash);
      this.#changed = true;
    } else if (pinned !== hash) {
      throw new LockMismatch(url, this.#file, pinned, hash);
    }
  }

  /** Writes the file when modules were added (through a temporary file and a rename). */
  async save(): Promise<void> {
    if (!this.#changed) return;
    const modules = Object.fromEntries([...this.#modules].sort(([a], [b]) => a < b ? -1 : 1));
    const temp = `${this.#file}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.writeTextFile(temp, `${JSON.stringify({ version: 1, modules }, null, 2)}\n`);
      await Deno.rename(temp, this.#file);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw new UsageError(`Cannot write lock file ${this.#file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#changed = false;
  }
}

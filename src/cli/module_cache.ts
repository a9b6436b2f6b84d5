/**
 * deployer's own cache of remote modules (never Deno's): one JSON file per URL under
 * `$DEPLOYER_CACHE_DIR`, else `$XDG_CACHE_HOME/deployer/modules`, else
 * `~/.cache/deployer/modules`. Entries are written to a temporary file and renamed, so
 * runs at the same time never see half an entry. Without the permissions to read the
 * environment or the directory, nothing is cached.
 *
 * @module
 */
import type { RemoteModule } from "./remote_module.ts";

/**
 * The hex SHA-256 of a text (UTF-8).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./module_cache.ts";
 * assert.equal(
 *   await sha256Hex(""),
 *   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 * );
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function env(name: string): string | undefined {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: name });
    return state.state === "granted" ? Deno.env.get(name) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache directory from the environment, or `undefined` when none can be found.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheDirFromEnv } from "./module_cache.ts";
 * const read = (vars: Record<string, string>) => (name: string) => vars[name];
 * assert.equal(cacheDirFromEnv(read({ DEPLOYER_CACHE_DIR: "/c" })), "/c");
 * assert.equal(cacheDirFromEnv(read({ HOME: "/h" })), "/h/.cache/deployer/modules");
 * assert.equal(cacheDirFromEnv(read({})), undefined);
 * ```
 */
export function cacheDirFromEnv(
  read: (name: string) => string | undefined = env,
): string | undefined {
  const own = read("DEPLOYER_CACHE_DIR");
  if (own) return own;
  const xdg = read("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/deployer/modules`;
  const home = read("HOME");
  return home ? `${home}/.cache/deployer/modules` : undefined;
}

/**
 * A cache of remote modules in a directory. Reads and writes never throw: a cache that
 * cannot be used behaves as an empty one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModuleCache } from "./module_cache.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const cache = new ModuleCache(dir);
 *   const module = {
 *     url: "https://x.org/a.ts", finalUrl: "https://x.org/a.ts",
 *     contentType: "application/typescript", source: "export const a = 1;",
 *   };
 *   assert.equal(await cache.get(module.url), undefined);
 *   await cache.put(module);
 *   assert.deepEqual(await cache.get(module.url), module);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class ModuleCache {
  readonly #dir: string;

  /** A cache in `dir` (created on the first write). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  async #file(url: string): Promise<string> {
    return `${this.#dir}/${await sha256Hex(url)}.json`;
  }

  /** The cached module for `url`, if any. */
  async get(url: string): Promise<RemoteModule | undefined> {
    try {
      const entry = JSON.parse(await Deno.readTextFile(await this.#file(url)));
      if (entry?.url !== url || typeof entry.source !== "string") return undefined;
      return {
        url,
        finalUrl: String(entry.finalUrl),
        contentType: String(entry.contentType),
        source: entry.source,
      };
    } catch {
      return undefined;
    }
  }

  /** Stores a module (best effort). */
  async put(module: RemoteModule): Promise<void> {
    const file = await this.#file(module.url);
    const temp = `${file}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.mkdir(this.#dir, { recursive: true });
      await Deno.writeTextFile(temp, JSON.stringify(module));
      await Deno.rename(temp, file);
    } catch {
      await Deno.remove(temp).catch(() => {});
    }
  }
}

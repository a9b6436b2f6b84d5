/**
 * The remote half of loading a script: a private directory for this run, the remote
 * modules fetched into it ({@linkcode vendorScript}), failures as one readable paragraph
 * naming the module, and local paths in later errors mapped back to their URLs.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { remoteUrlOf } from "../shell/private_copy.ts";
import { cacheDirFromEnv, ModuleCache } from "./module_cache.ts";
import { ModuleLoadError, vendorScript } from "./remote_graph.ts";
import { FetchFailure } from "./remote_module.ts";
import { LockMismatch, ScriptLock } from "./script_lock.ts";

/** Options of {@linkcode fetchScript}. */
export interface FetchScriptOptions {
  /** Aborts the fetches (the load timeout). */
  readonly signal: AbortSignal;
  /** Fetch cached modules of other origins again. */
  readonly reload?: boolean;
  /** Path of deployer's lock file. */
  readonly lock?: string;
  /** The module cache directory (default: from the environment; none: no cache). */
  readonly cacheDir?: string;
}

/** A script fetched into this run's private directory. */
export interface FetchedScript {
  /** The `file://` URL to import. */
  readonly entry: string;
  /** Replaces local paths and `file://` URLs of fetched modules in a text by their URLs. */
  readonly unvendor: (text: string) => string;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** One paragraph for a module that could not be loaded. */
function failureText(where: string, error: ModuleLoadError): string {
  const cause = error.cause;
  const isScript = error.importer === undefined;
  const module = isScript ? "" : `it imports ${error.url}` +
    (error.importer === where ? "" : ` (from ${error.importer})`);
  if (cause instanceof LockMismatch) return `Cannot load script ${where}: ${cause.message}`;
  const access = firstLine(cause).match(/Requires (\w+) access to "([^"]+)"/);
  if (access) {
    const [, kind, target] = access;
    return `Cannot load script ${where}: permission denied (${kind} access to "${target}"` +
      `${isScript ? "" : ` for ${error.url}`}); run deno again with --allow-${kind}=${target}`;
  }
  if (cause instanceof FetchFailure && cause.message.startsWith("the server sent it ")) {
    return isScript
      ? `Cannot load script ${where}: ${cause.message}`
      : `Cannot load script ${where}: ${module}, which ${
        cause.message.replace(/^the server sent it /, "the server sent ")
      }`;
  }
  return isScript
    ? `Cannot load script ${where}: ${firstLine(cause)}`
    : `Cannot load script ${where}: ${module}, which could not be fetched: ${firstLine(cause)}`;
}

/** Where `Deno.makeTempDir` creates directories (`$TMPDIR`, else `/tmp`). */
function tempRoot(): string {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "TMPDIR" }).state;
    return (state === "granted" ? Deno.env.get("TMPDIR") : undefined) || "/tmp";
  } catch {
    return "/tmp";
  }
}

/** A new private directory, readable and writable (else a usage error naming the flags). */
async function privateDir(url: URL): Promise<string> {
  const needs = (where: string, error?: unknown) =>
    new UsageError(
      `Cannot load script ${url.href}: deployer fetches it into a private temporary directory ` +
        `and imports it from there, which needs read and write access to ${where}; run deno ` +
        `again with --allow-read=${where} --allow-write=${where}`,
      { cause: error },
    );
  let dir: string;
  try {
    dir = await Deno.makeTempDir({ prefix: "deployer_script_" });
  } catch (error) {
    throw needs(tempRoot(), error);
  }
  const parent = dir.slice(0, dir.lastIndexOf("/")) || "/";
  if ((await Deno.permissions.query({ name: "read", path: dir })).state !== "granted") {
    await Deno.remove(dir);
    throw needs(parent);
  }
  return dir;
}

/**
 * Fetches the script at `url` and its remote imports into a new private directory that
 * is removed when the process exits (or at once when fetching fails). Failures throw a
 * {@linkcode UsageError} naming the module; an aborted `signal` rethrows its reason.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchScript } from "./load_remote.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   new Response("export const a = 1;", { headers: { "content-type": "text/javascript" } }));
 * try {
 *   const url = new URL(`http://127.0.0.1:${server.addr.port}/deploy.js`);
 *   const script = await fetchScript(url, { signal: AbortSignal.timeout(5000), cacheDir: "" });
 *   assert.equal((await import(script.entry)).a, 1);
 *   assert.equal(script.unvendor(`at ${script.entry}:1:1`), `at ${url.href}:1:1`);
 *   script[Symbol.dispose]();
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 */
export async function fetchScript(
  url: URL,
  options: FetchScriptOptions,
): Promise<FetchedScript & Disposable> {
  const lock = options.lock === undefined ? undefined : await ScriptLock.open(options.lock);
  const cacheDir = options.cacheDir ?? cacheDirFromEnv();
  const dir = await privateDir(url);
  const remove = () => {
    globalThis.removeEventListener("unload", remove);
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
  };
  globalThis.addEventListener("unload", remove);
  try {
    const script = await vendorScript(url.href, dir, {
      signal: options.signal,
      reload: options.reload,
      lock,
      cache: cacheDir ? new ModuleCache(cacheDir) : undefined,
    });
    const inDir = new RegExp(
      `(?:file://)?${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/[^\\s"'():]+`,
      "g",
    );
    return {
      entry: script.entry,
      unvendor: (text) => text.replace(inDir, (local) => remoteUrlOf(local) ?? local),
      [Symbol.dispose]: remove,
    };
  } catch (error) {
    remove();
    if (options.signal.aborted) throw options.signal.reason;
    if (error instanceof ModuleLoadError) {
      throw new UsageError(failureText(url.href, error), { cause: error.cause });
    }
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot load script ${url.href}: ${firstLine(error)}`, { cause: error });
  }
}

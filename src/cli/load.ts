/**
 * Loading a deploy script by path or URL: dynamic `import()`, then the root node class
 * is its default export or its export named `root`. Every failure becomes a
 * {@linkcode UsageError} with one readable paragraph (exit code 2). A script by
 * `http(s)://` URL is fetched by deployer itself (see `remote_graph.ts`), never through
 * Deno's module cache or lock file.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { UsageError } from "../errors.ts";
import { NODE_BRAND } from "../brands.ts";
import type { NodeClass } from "../node/markers.ts";

/**
 * Whether a value is a node class of any copy of deployer (checked by brand, never by
 * `instanceof`, so a script importing another copy of the framework still works).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNodeClass } from "./load.ts";
 * import { Node } from "../node/node.ts";
 * class Root extends Node {}
 * assert.ok(isNodeClass(Root));
 * assert.ok(!isNodeClass(class {}));
 * ```
 */
export function isNodeClass(value: unknown): value is NodeClass {
  return typeof value === "function" && typeof value.prototype === "object" &&
    value.prototype !== null && NODE_BRAND in value.prototype;
}

/**
 * Whether a command-line word names a script (a URL, a path with a slash, or a file
 * name ending in `.ts`, `.js`, `.mts`, `.mjs`, `.tsx` or `.jsx`) rather than an action.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { looksLikeScript } from "./load.ts";
 * assert.ok(looksLikeScript("deploy.ts"));
 * assert.ok(looksLikeScript("https://x.org/d"));
 * assert.ok(!looksLikeScript("production.deploy"));
 * ```
 */
export function looksLikeScript(word: string): boolean {
  return /^(https?|file):\/\//i.test(word) || /[\\/]/.test(word) || /\.[cm]?[jt]sx?$/i.test(word);
}

/**
 * The URL a script is imported from: URLs as given, paths resolved against `cwd`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptUrl } from "./load.ts";
 * assert.equal(scriptUrl("d.ts", "/srv").href, "file:///srv/d.ts");
 * assert.equal(scriptUrl("https://x.org/d.ts").href, "https://x.org/d.ts");
 * ```
 */
export function scriptUrl(spec: string, cwd: string = Deno.cwd()): URL {
  if (/^(https?|file):\/\//i.test(spec)) return new URL(spec);
  const absolute = spec.startsWith("/") ? spec : `${cwd.replace(/\/$/, "")}/${spec}`;
  return pathToFileURL(absolute);
}

function shown(url: URL): string {
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
}

function describeExport(name: string, value: unknown): string {
  const kind = isNodeClass(value)
    ? "node class"
    : typeof value === "function"
    ? (/^class\b/.test(Function.prototype.toString.call(value)) ? "class" : "function")
    : value === null
    ? "null"
    : typeof value;
  return `${name} (${kind})`;
}

/**
 * Picks the root node class of a loaded module: its default export, else its export
 * named `root`. Throws a {@linkcode UsageError} listing what was exported otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { rootOf } from "./load.ts";
 * import { Node } from "../node/node.ts";
 * class Root extends Node {}
 * assert.equal(rootOf({ default: Root }, "deploy.ts"), Root);
 * ```
 */
export function rootOf(module: Record<string, unknown>, where: string): NodeClass {
  if (isNodeClass(module.default)) return module.default;
  if (isNodeClass(module.root)) return module.root;
  const names = Object.keys(module).sort();
  const classes = names.filter((n) => isNodeClass(module[n]));
  const found = names.length
    ? `it exports ${names.map((n) => describeExport(n, module[n])).join(", ")}`
    : "it has no exports";
  const hint = classes.length
    ? `; add \`export default ${classes[classes.length - 1]};\``
    : "; a root node class extends Node (from deployer's mod.ts)";
  throw new UsageError(
    `No node class exported by ${where}: export the root node class as the default export ` +
      `or as "root" (${found})${hint}`,
  );
}

async function httpStatus(url: string): Promise<string | undefined> {
  const host = new URL(url).host;
  const state = await Deno.permissions.query({ name: "net", host }).catch(() => undefined);
  if (state?.state !== "granted") return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.ok ? undefined : `HTTP ${response.status} ${response.statusText}`.trim();
  } catch {
    return undefined;
  }
}

/** Turns an import failure into one paragraph saying what went wrong and what to do. */
async function loadError(url: URL, error: unknown): Promise<UsageError> {
  const where = shown(url);
  const message = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  const access = message.match(/Requires (\w+) access to "([^"]+)"/);
  if (access) {
    const [, kind, target] = access;
    const flag = `--allow-${kind}=${target}`;
    return new UsageError(
      `Cannot load script ${where}: permission denied (${kind} access to "${target}"); ` +
        `run deno again with ${flag}`,
      options,
    );
  }
  const missing = message.match(/Module not found "([^"]+)"/);
  if (missing) {
    const target = missing[1];
    const isScript = target === url.href;
    if (/^https?:/.test(target)) {
      const status = await httpStatus(target);
      const why = status ?? "the server did not return it (not found, or an HTTP error)";
      return new UsageError(
        isScript
          ? `Cannot load script ${target}: ${why}`
          : `Cannot load script ${where}: it imports ${target}, which could not be fetched: ${why}`,
        options,
      );
    }
    const path = target.startsWith("file:") ? decodeURIComponent(new URL(target).pathname) : target;
    return new UsageError(
      isScript
        ? `Script not found: ${where} (no such file)`
        : `Cannot load script ${where}: it imports ${path}, which does not exist`,
      options,
    );
  }
  const syntax = message.match(
    /^SyntaxError: ([^\n]*)[\s\S]*?at ((?:file|https?):\/\/\S+?):(\d+):(\d+)/,
  );
  if (syntax) {
    const [, what, file, line, column] = syntax;
    const fileShown = file.startsWith("file:") ? decodeURIComponent(new URL(file).pathname) : file;
    return new UsageError(
      `Cannot load script ${where}: syntax error in ${fileShown} at line ${line}, column ` +
        `${column}: ${what}`,
      options,
    );
  }
  const connect = message.match(/error sending request[^\n]*|Connection refused[^\n]*/i);
  if (connect) {
    return new UsageError(`Cannot load script ${where}: ${connect[0]}`, options);
  }
  const name = error instanceof Error ? error.name : "Error";
  return new UsageError(
    `Cannot load script ${where}: it failed while loading: ${name}: ${message.split("\n")[0]}`,
    options,
  );
}

/** The default time a script (with its imports) may take to load: 30 s. */
export const DEFAULT_LOAD_TIMEOUT = 30_000;

/** Options of {@linkcode loadScript}. */
export interface LoadOptions {
  /**
   * Most milliseconds loading may take (a server that accepts and never answers would
   * otherwise hang forever); `0` waits forever. Default: `DEPLOYER_LOAD_TIMEOUT` (seconds)
   * when set and readable, else 30 s.
   */
  timeout?: number;
  /**
   * A script by URL: fetch every remote module again, including those of other origins
   * that deployer's module cache holds (the script's own origin is always fetched fresh).
   */
  reload?: boolean;
  /**
   * A script by URL: deployer's lock file pinning the SHA-256 of every remote module
   * (created when missing; a module that no longer matches is a `UsageError` naming it).
   */
  lock?: string;
  /**
   * Where modules of other origins are cached (`""`: nowhere). Default:
   * `$DEPLOYER_CACHE_DIR`, else `$XDG_CACHE_HOME/deployer/modules`, else
   * `~/.cache/deployer/modules`.
   */
  cacheDir?: string;
}

/**
 * The load timeout in ms from `DEPLOYER_LOAD_TIMEOUT` (seconds; `0` = none), or the
 * default when it is unset, unreadable (no permission) or not a number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LOAD_TIMEOUT, loadTimeoutFromEnv } from "./load.ts";
 * assert.equal(loadTimeoutFromEnv(() => "2.5"), 2500);
 * assert.equal(loadTimeoutFromEnv(() => undefined), DEFAULT_LOAD_TIMEOUT);
 * assert.equal(loadTimeoutFromEnv(() => "soon"), DEFAULT_LOAD_TIMEOUT);
 * ```
 */
export function loadTimeoutFromEnv(
  read: (name: string) => string | undefined = readEnv,
): number {
  const value = read("DEPLOYER_LOAD_TIMEOUT")?.trim();
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return DEFAULT_LOAD_TIMEOUT;
  return Math.round(Number(value) * 1000);
}

function readEnv(name: string): string | undefined {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: name });
    return state.state === "granted" ? Deno.env.get(name) : undefined;
  } catch {
    return undefined;
  }
}

/** The timeout's own error, told apart from a `UsageError` thrown by the script. */
class LoadTimeoutError extends UsageError {}

function timeoutError(ms: number, where: string): LoadTimeoutError {
  return new LoadTimeoutError(
    `Cannot load script ${where}: no answer within ${ms / 1000} s (the server accepted ` +
      `the connection but did not send the script or one of its imports); ` +
      `set DEPLOYER_LOAD_TIMEOUT=<seconds> to wait longer`,
  );
}

function importWithin(href: string, ms: number, where: string): Promise<Record<string, unknown>> {
  const importing = import(href);
  if (!(ms > 0)) return importing;
  importing.catch(() => {}); // settles later, unobserved, when the timeout won
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(ms, where)), ms);
  });
  return Promise.race([importing, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A script by URL: fetched with its remote imports into a private directory of this run
 * (never through Deno's module cache or lock file), then imported from there.
 */
async function importRemote(
  url: URL,
  ms: number,
  options: LoadOptions,
): Promise<Record<string, unknown>> {
  const started = Date.now();
  const timeout = timeoutError(ms, url.href);
  const signal = ms > 0 ? AbortSignal.timeout(ms) : new AbortController().signal;
  const { fetchScript } = await import("./load_remote.ts"); // only scripts by URL
  const script = await fetchScript(url, { ...options, signal }).catch((error) => {
    throw signal.aborted ? timeout : error;
  });
  try {
    return await importWithin(
      script.entry,
      ms > 0 ? Math.max(1, ms - (Date.now() - started)) : 0,
      url.href,
    );
  } catch (error) {
    if (error instanceof LoadTimeoutError) throw error;
    const message = script.unvendor(error instanceof Error ? error.message : String(error));
    const unfetched = message.match(/Module not found "(https?:\/\/[^"]+)"/);
    if (unfetched) {
      throw new UsageError(
        `Cannot load script ${url.href}: it imports ${unfetched[1]}, which deployer did not ` +
          `fetch ahead (an import() of a computed string?): import it with a plain string`,
        { cause: error },
      );
    }
    const mapped = error instanceof Error
      ? Object.assign(new Error(message), {
        name: error.name,
        stack: script.unvendor(`${error.stack}`),
      })
      : message;
    throw await loadError(url, mapped);
  }
}

/**
 * Imports a deploy script (path, `file://`, `http://` or `https://` URL) and returns its
 * root node class. Failures (not found, HTTP errors, syntax errors, permissions, no node
 * class exported, no answer within the load timeout) throw a {@linkcode UsageError} with
 * a readable message.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadScript } from "./load.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const node = import.meta.resolve("../node/node.ts");
 *   await Deno.writeTextFile(
 *     `${dir}/deploy.ts`,
 *     `import { Node } from "${node}";\nexport default class Root extends Node {}\n`,
 *   );
 *   assert.equal((await loadScript("deploy.ts", dir)).name, "Root");
 *   await assert.rejects(loadScript("missing.ts", dir), { name: "UsageError" });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function loadScript(
  spec: string,
  cwd?: string,
  options: LoadOptions = {},
): Promise<NodeClass> {
  let url: URL;
  try {
    url = scriptUrl(spec, cwd);
  } catch (error) {
    throw new UsageError(`Invalid script path or URL: ${spec}`, { cause: error });
  }
  const ms = options.timeout ?? loadTimeoutFromEnv();
  const remote = url.protocol === "http:" || url.protocol === "https:";
  if (!remote && options.lock !== undefined) {
    throw new UsageError(
      `--lock pins scripts loaded by URL; ${shown(url)} is a local file (a local script's ` +
        `remote imports are Deno's: use deno's own --lock)`,
    );
  }
  if (remote) return rootOf(await importRemote(url, ms, options), url.href);
  let module: Record<string, unknown>;
  try {
    module = await importWithin(url.href, ms, shown(url));
  } catch (error) {
    if (error instanceof LoadTimeoutError) throw error;
    throw await loadError(url, error);
  }
  return rootOf(module, shown(url));
}

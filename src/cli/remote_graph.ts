/**
 * Loading a script by URL without Deno's module cache or lock file: every remote module
 * of the script (the script, what it imports over HTTP, and so on) is fetched with our
 * own `fetch` and written, with its remote specifiers rewritten, into a private directory
 * of this run; the script is then imported from there as a local file.
 *
 * Cache policy: modules from the script's own origin are fetched fresh on every run (so a
 * changed script, or a changed helper next to it, is always picked up); modules from
 * other origins (versioned libraries) come from {@linkcode ModuleCache} when present, and
 * `reload` fetches them again. With a {@linkcode ScriptLock}, every module must match it.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { privateCopyPath } from "../shell/private_copy.ts";
import { scanImports } from "./imports.ts";
import { type ModuleCache, sha256Hex } from "./module_cache.ts";
import { fetchModule, type ModuleKind, moduleKind, type RemoteModule } from "./remote_module.ts";
import type { ScriptLock } from "./script_lock.ts";

/** Options of {@linkcode vendorScript}. */
export interface VendorOptions {
  /** Aborts every fetch (the load timeout). */
  readonly signal: AbortSignal;
  /** The cache for modules of other origins (none: always fetch). */
  readonly cache?: ModuleCache;
  /** Fetch every module again, cached or not (and refresh the cache). */
  readonly reload?: boolean;
  /** Every module must match it (modules it does not list are added). */
  readonly lock?: ScriptLock;
}

/**
 * A remote module that could not be loaded: which one, who imports it, and why.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModuleLoadError } from "./remote_graph.ts";
 * const error = new ModuleLoadError("https://x.org/b.ts", "https://x.org/a.ts", new Error("HTTP 404"));
 * assert.equal(error.message, "HTTP 404");
 * assert.equal(error.importer, "https://x.org/a.ts");
 * ```
 */
export class ModuleLoadError extends Error {
  /** The module's URL. */
  readonly url: string;
  /** The module that imports it (undefined for the script itself). */
  readonly importer: string | undefined;
  /** Creates the error; `cause` says why. */
  constructor(url: string, importer: string | undefined, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "ModuleLoadError";
    this.url = url;
    this.importer = importer;
  }
}

/** The vendored script. */
export interface VendoredScript {
  /** The `file://` URL to import. */
  readonly entry: string;
  /** Local `file://` URL → remote URL, for error messages. */
  readonly origins: ReadonlyMap<string, string>;
}

interface Loaded {
  readonly module: RemoteModule;
  readonly kind: ModuleKind;
  /** Remote URLs of its imports, by position in the source. */
  readonly deps: { start: number; end: number; url: string }[];
}

function resolveRemote(specifier: string, base: string): string | undefined {
  if (/^https?:\/\//i.test(specifier)) return new URL(specifier).href;
  if (/^\.{0,2}\//.test(specifier)) {
    const url = new URL(specifier, base);
    return /^https?:$/.test(url.protocol) ? url.href : undefined;
  }
  return undefined;
}

async function loadOne(
  url: string,
  fresh: boolean,
  options: VendorOptions,
): Promise<RemoteModule> {
  const hashOf = async (m: RemoteModule) => `sha256-${await sha256Hex(m.source)}`;
  if (!fresh && !options.reload && options.cache) {
    const cached = await options.cache.get(url);
    const pinned = options.lock?.pinned(url);
    if (cached && (pinned === undefined || pinned === await hashOf(cached))) {
      options.lock?.check(url, await hashOf(cached));
      return cached;
    }
  }
  const module = await fetchModule(url, options.signal);
  options.lock?.check(url, await hashOf(module));
  if (!fresh) await options.cache?.put(module);
  return module;
}

/** Fetches the script and everything it imports over HTTP, level by level. */
async function collect(root: string, options: VendorOptions): Promise<Map<string, Loaded>> {
  const origin = new URL(root).origin;
  const loaded = new Map<string, Loaded>();
  const seen = new Set<string>([root]);
  let level: { url: string; importer?: string }[] = [{ url: root }];
  while (level.length) {
    const next: { url: string; importer?: string }[] = [];
    for (let i = 0; i < level.length; i += 16) {
      await Promise.all(
        level.slice(i, i + 16).map(async ({ url, importer }) => {
          let module: RemoteModule;
          try {
            module = await loadOne(url, new URL(url).origin === origin, options);
          } catch (error) {
            throw new ModuleLoadError(url, importer, error);
          }
          const kind = moduleKind(module.finalUrl, module.contentType) as ModuleKind;
          const deps = kind === ".json" ? [] : scanImports(module.source).flatMap((ref) => {
            const dep = resolveRemote(ref.specifier, module.finalUrl);
            return dep ? [{ start: ref.start, end: ref.end, url: dep }] : [];
          });
          loaded.set(url, { module, kind, deps });
          for (const dep of deps) {
            if (!seen.has(dep.url)) {
              seen.add(dep.url);
              next.push({ url: dep.url, importer: url });
            }
          }
        }),
      );
    }
    level = next;
  }
  return loaded;
}

/** A readable local path for a URL inside `dir`, ending in the module's kind. */
/**
 * Fetches the script at `root` with all its remote imports into `dir` and returns the
 * local entry point. Throws {@linkcode ModuleLoadError} naming the module that failed
 * (HTTP status, Content-Type, network, permission, lock mismatch); saves the lock file
 * when everything loaded.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { vendorScript } from "./remote_graph.ts";
 * const files: Record<string, string> = {
 *   "/deploy.ts": `import { a } from "./lib/a.ts";\nexport const answer = a * 2;\n`,
 *   "/lib/a.ts": `export const a = 21;\n`,
 * };
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) =>
 *   new Response(files[new URL(req.url).pathname], {
 *     headers: { "content-type": "application/typescript" },
 *   }));
 * const dir = await Deno.makeTempDir();
 * try {
 *   const url = `http://127.0.0.1:${server.addr.port}/deploy.ts`;
 *   const script = await vendorScript(url, dir, { signal: AbortSignal.timeout(5000) });
 *   assert.equal((await import(script.entry)).answer, 42);
 *   assert.equal(script.origins.get(script.entry), url);
 * } finally {
 *   await server.shutdown();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function vendorScript(
  root: string,
  dir: string,
  options: VendorOptions,
): Promise<VendoredScript> {
  const loaded = await collect(root, options);
  /** One local file per final URL: URLs redirected to the same module share it, as in Deno. */
  const byFinal = new Map<string, string>();
  const local = new Map<string, string>();
  for (const [url, { module, kind }] of loaded) {
    let href = byFinal.get(module.finalUrl);
    if (href === undefined) {
      href = pathToFileURL(privateCopyPath(dir, new URL(module.finalUrl), kind)).href;
      byFinal.set(module.finalUrl, href);
    }
    local.set(url, href);
  }
  const origins = new Map<string, string>();
  for (const [url, { module, deps }] of loaded) {
    if (origins.has(local.get(url)!)) continue;
    let source = module.source;
    for (const dep of [...deps].sort((a, b) => b.start - a.start)) {
      source = source.slice(0, dep.start) + local.get(dep.url)! + source.slice(dep.end);
    }
    const href = local.get(url)!;
    const path = decodeURIComponent(new URL(href).pathname);
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, source);
    origins.set(href, module.finalUrl);
  }
  await options.lock?.save();
  return { entry: local.get(root)!, origins };
}

/**
 * Fetching one remote module with our own `fetch`: the HTTP status and the Content-Type
 * are checked and turned into a readable reason, and the kind of module (TypeScript,
 * JavaScript, JSON) is decided the way Deno decides it.
 *
 * @module
 */

/** The kinds of module a script may import over HTTP, by the extension they are stored with. */
export type ModuleKind =
  | ".ts"
  | ".tsx"
  | ".mts"
  | ".cts"
  | ".js"
  | ".jsx"
  | ".mjs"
  | ".cjs"
  | ".json";

/** A module fetched (or read from the cache). */
export interface RemoteModule {
  /** The URL it was asked for. */
  readonly url: string;
  /** The URL it came from after redirects (relative imports resolve against it). */
  readonly finalUrl: string;
  /** The Content-Type the server sent (`""` when none). */
  readonly contentType: string;
  /** The source text. */
  readonly source: string;
}

/**
 * Why a module could not be fetched: a readable reason, without the URL.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { FetchFailure } from "./remote_module.ts";
 * const failure = new FetchFailure("HTTP 404 Not Found");
 * assert.equal(failure.name, "FetchFailure");
 * assert.equal(failure.message, "HTTP 404 Not Found");
 * ```
 */
export class FetchFailure extends Error {
  /** Creates a failure with its reason. */
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = "FetchFailure";
  }
}

const BY_EXTENSION: Record<string, ModuleKind> = {
  ts: ".ts",
  tsx: ".tsx",
  mts: ".mts",
  cts: ".cts",
  js: ".js",
  jsx: ".jsx",
  mjs: ".mjs",
  cjs: ".cjs",
  json: ".json",
};

const TYPESCRIPT = new Set([
  "application/typescript",
  "text/typescript",
  "application/x-typescript",
  "video/vnd.dlna.mpeg-tts",
  "video/mp2t",
]);
const JAVASCRIPT = new Set([
  "application/javascript",
  "text/javascript",
  "application/ecmascript",
  "text/ecmascript",
  "application/x-javascript",
  "application/node",
]);
const BY_EXTENSION_ONLY = new Set(["", "text/plain", "application/octet-stream"]);

function extensionOf(url: string): string {
  const path = new URL(url).pathname;
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/**
 * The kind of a module from its URL and Content-Type, or a reason why it is not a module
 * (a string starting with "the server sent").
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { moduleKind } from "./remote_module.ts";
 * assert.equal(moduleKind("https://x.org/d.ts", "application/typescript"), ".ts");
 * assert.equal(moduleKind("https://x.org/d", "text/javascript; charset=utf-8"), ".js");
 * assert.equal(moduleKind("https://x.org/d.tsx", "text/plain"), ".tsx");
 * assert.match(moduleKind("https://x.org/d.ts", "text/html"), /^the server sent .* as text\/html/);
 * ```
 */
export function moduleKind(url: string, contentType: string): ModuleKind | string {
  const type = contentType.split(";")[0].trim().toLowerCase();
  const ext = extensionOf(url);
  const byExt = BY_EXTENSION[ext];
  if (TYPESCRIPT.has(type)) return /^[mc]?tsx?$/.test(ext) ? byExt : ".ts";
  if (JAVASCRIPT.has(type)) return /^[mc]?jsx?$/.test(ext) ? byExt : ".js";
  if (type === "text/jsx") return ".jsx";
  if (type === "text/tsx") return ".tsx";
  if (type === "application/json" || type === "text/json") return ".json";
  if (BY_EXTENSION_ONLY.has(type) && byExt) return byExt;
  const sent = type ? `as ${type}` : "without a Content-Type";
  return `the server sent it ${sent}: not a JavaScript, TypeScript or JSON ` +
    `module (serve it as application/typescript or application/javascript)`;
}

function authTokensFromEnv(): string | undefined {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "DENO_AUTH_TOKENS" });
    return state.state === "granted" ? Deno.env.get("DENO_AUTH_TOKENS") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `Authorization` header for `url` from `DENO_AUTH_TOKENS` (the format Deno uses for
 * private module servers: `token@host;user:password@host:port`), or `undefined`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorization } from "./remote_module.ts";
 * const tokens = "abc@ops.example;me:pw@127.0.0.1:8080";
 * assert.equal(authorization("https://ops.example/d.ts", tokens), "Bearer abc");
 * assert.equal(authorization("http://127.0.0.1:8080/d.ts", tokens), `Basic ${btoa("me:pw")}`);
 * assert.equal(authorization("https://other.example/d.ts", tokens), undefined);
 * ```
 */
export function authorization(url: string, tokens: string | undefined): string | undefined {
  const { host, hostname } = new URL(url);
  for (const entry of tokens?.split(";") ?? []) {
    const at = entry.lastIndexOf("@");
    const target = entry.slice(at + 1).trim();
    if (at < 0 || (target !== host && target !== hostname)) continue;
    const credential = entry.slice(0, at).trim();
    return credential.includes(":") ? `Basic ${btoa(credential)}` : `Bearer ${credential}`;
  }
  return undefined;
}

/**
 * Fetches a module: follows redirects, checks the status and the Content-Type. Throws a
 * {@linkcode FetchFailure} with the reason (HTTP status, wrong Content-Type); network and
 * permission errors are thrown as they are.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchModule } from "./remote_module.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) =>
 *   req.url.endsWith("/d.ts")
 *     ? new Response("export const a = 1;", { headers: { "content-type": "text/typescript" } })
 *     : new Response("<html>", { headers: { "content-type": "text/html" } }));
 * try {
 *   const origin = `http://127.0.0.1:${server.addr.port}`;
 *   const module = await fetchModule(`${origin}/d.ts`, AbortSignal.timeout(5000));
 *   assert.equal(module.source, "export const a = 1;");
 *   await assert.rejects(fetchModule(`${origin}/page.ts`, AbortSignal.timeout(5000)), {
 *     name: "FetchFailure",
 *     message: /^the server sent it as text\/html/,
 *   });
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 */
export async function fetchModule(
  url: string,
  signal: AbortSignal,
  tokens: string | undefined = authTokensFromEnv(),
): Promise<RemoteModule> {
  const headers = new Headers({
    accept: "application/typescript, application/javascript, */*;q=0.5",
  });
  const auth = authorization(url, tokens);
  if (auth) headers.set("authorization", auth);
  const response = await fetch(url, { signal, headers });
  if (!response.ok) {
    await response.body?.cancel();
    throw new FetchFailure(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  const contentType = response.headers.get("content-type") ?? "";
  const finalUrl = response.url || url;
  const kind = moduleKind(finalUrl, contentType);
  if (!kind.startsWith(".")) {
    await response.body?.cancel();
    throw new FetchFailure(kind);
  }
  return { url, finalUrl, contentType, source: await response.text() };
}

/**
 * Where the CLI keeps its private copy of a module loaded by URL, and back: the copy of
 * `https://host:port/dir/mod.ts?v=1` is `<dir>/https/host_PORTport/dir/mod.ts%3Fv%3D1`,
 * with `#<ext>` appended when the name does not end with the module's extension. The
 * mapping is reversible, so errors and `path:line` locations can name the URL.
 *
 * @module
 */

const PRIVATE_DIR = /\/deployer_script_[^/]+\/(https?)\/([^/]+)(\/.*)$/;

/**
 * The path of the private copy of `url` under `dir` (a `deployer_script_*` directory),
 * ending in `ext` (`.ts`, `.js`, `.json`, …).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { privateCopyPath } from "./private_copy.ts";
 * const dir = "/tmp/deployer_script_1";
 * assert.equal(
 *   privateCopyPath(dir, new URL("http://127.0.0.1:8000/d/deploy.ts"), ".ts"),
 *   "/tmp/deployer_script_1/http/127.0.0.1_PORT8000/d/deploy.ts",
 * );
 * assert.equal(
 *   privateCopyPath(dir, new URL("https://x.org/lib?v=1"), ".js"),
 *   "/tmp/deployer_script_1/https/x.org/lib%3Fv%3D1#.js",
 * );
 * ```
 */
export function privateCopyPath(dir: string, url: URL, ext: string): string {
  const host = url.port ? `${url.hostname}_PORT${url.port}` : url.hostname;
  let name = url.pathname + (url.search ? encodeURIComponent(url.search) : "");
  if (!name.endsWith(ext)) name += `#${ext}`;
  return `${dir}/${url.protocol.slice(0, -1)}/${host}${name}`;
}

/**
 * The URL whose private copy `location` (a path or `file://` URL) is, or `undefined` for
 * any other location.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { privateCopyPath, remoteUrlOf } from "./private_copy.ts";
 * const url = new URL("http://127.0.0.1:8000/lib?v=1");
 * const path = privateCopyPath("/tmp/deployer_script_1", url, ".ts");
 * assert.equal(remoteUrlOf(path), url.href);
 * assert.equal(remoteUrlOf(`file://${path.replace("#", "%23")}`), url.href);
 * assert.equal(remoteUrlOf("/srv/deploy.ts"), undefined);
 * ```
 */
export function remoteUrlOf(location: string): string | undefined {
  let path = location;
  if (location.startsWith("file:")) {
    try {
      path = decodeURIComponent(new URL(location).pathname);
    } catch {
      return undefined;
    }
  }
  const match = PRIVATE_DIR.exec(path);
  if (!match) return undefined;
  const [, scheme, host, rest] = match;
  const name = rest.replace(/#[^/]*$/, "");
  const query = name.indexOf("%3F");
  const pathname = query < 0 ? name : name.slice(0, query);
  const search = query < 0 ? "" : decodeURIComponent(name.slice(query));
  return `${scheme}://${host.replace(/_PORT(\d+)$/, ":$1")}${pathname}${search}`;
}

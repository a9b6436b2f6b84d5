/**
 * The source of a node's classes, actions and queries as the user wrote it (TypeScript,
 * with `path:line`), for `--source-code`, `--inspect`, `help` and `deployer inspect`.
 *
 * The runtime only holds transpiled JavaScript (`Function.prototype.toString`), so the
 * original module is read: a local file, or a remote module from Deno's cache
 * (`$DENO_DIR/remote/...`). The module and line of a class come from the stack a node
 * records when it is constructed (each class with fields, decorators or a constructor
 * has a frame there); a class without one is searched by name in the modules of that
 * stack, the main module and their relative imports. Members are then found by name
 * in the class body.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CREATED_AT } from "../node/node.ts";
import { stateOf } from "../node/state.ts";
import { type ClassSpan, codeMask, findClasses, findMember, type Span } from "./ts_source.ts";
import { displayModule, isUserModule, parseStack } from "./user_code.ts";

/** Source text found for a class or member. */
export interface SourceText {
  /** The module's URL. */
  readonly url: string;
  /** 1-based first line. */
  readonly line: number;
  /** The TypeScript text. */
  readonly text: string;
}

/** Whether a permission is granted, asking nobody (a terminal prompt would be a surprise). */
function granted(descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

function readText(path: string | URL): string | undefined {
  const shown = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  if (!granted({ name: "read", path: shown })) return undefined;
  return Deno.readTextFileSync(path);
}

/** Deno's cache directory (`DENO_DIR`, else the platform's default), when readable. */
function denoDir(): string | undefined {
  try {
    const env = (name: string) =>
      granted({ name: "env", variable: name }) ? Deno.env.get(name) : undefined;
    const dir = env("DENO_DIR");
    if (dir) return dir;
    if (Deno.build.os === "windows") {
      const local = env("LOCALAPPDATA");
      return local ? `${local}\\deno` : undefined;
    }
    const home = env("HOME");
    if (Deno.build.os === "darwin") return home ? `${home}/Library/Caches/deno` : undefined;
    const xdg = env("XDG_CACHE_HOME");
    return xdg ? `${xdg}/deno` : home ? `${home}/.cache/deno` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where Deno caches a remote module: `remote/<scheme>/<host>[_PORT<port>]/<sha256 of
 * the path and query>` below its cache directory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { remoteCachePath } from "./source.ts";
 * assert.equal(
 *   remoteCachePath("http://127.0.0.1:8765/lib.ts", "/cache"),
 *   "/cache/remote/http/127.0.0.1_PORT8765/" +
 *     "b2c21762ee5fb853ec7e5786387fd8ecadf5e72b2811c2e47c9f41d00552f673",
 * );
 * ```
 */
export function remoteCachePath(url: string, dir: string): string {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(/:$/, "");
  const host = parsed.hostname + (parsed.port ? `_PORT${parsed.port}` : "");
  const hash = createHash("sha256").update(parsed.pathname + parsed.search).digest("hex");
  return `${dir}/remote/${scheme}/${host}/${hash}`;
}

/**
 * The source text of a module: a local file, or a remote module from Deno's cache (its
 * metadata trailer removed). `undefined` when it cannot be read.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readModule } from "./source.ts";
 * assert.ok(readModule(import.meta.resolve("./source.ts"))?.includes("export function readModule"));
 * assert.equal(readModule("file:///nonexistent/x.ts"), undefined);
 * ```
 */
export function readModule(url: string): string | undefined {
  if (url.includes("#")) return undefined; // a virtual module (e.g. a documentation test)
  try {
    if (url.startsWith("file:")) return readText(new URL(url));
    if (!/^https?:/.test(url)) return undefined;
    const dir = denoDir();
    if (!dir) return undefined;
    const text = readText(remoteCachePath(url, dir));
    if (text === undefined) return undefined;
    const trailer = text.lastIndexOf("\n// denoCacheMetadata=");
    return trailer >= 0 ? text.slice(0, trailer + 1) : text;
  } catch {
    return undefined;
  }
}

interface Parsed {
  readonly text: string;
  readonly mask: boolean[];
  readonly classes: ClassSpan[];
}

const IMPORT =
  /\b(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']/g;
const MAX_MODULES = 40;

/** Where a class of the node was constructed: the frames `new <Class>` of its stack. */
function constructionFrames(node: object): ReturnType<typeof parseStack> {
  const error = (node as Record<symbol, unknown>)[CREATED_AT];
  const stack = error instanceof Error ? error.stack : undefined;
  return stack ? parseStack(stack).filter((f) => f.fn?.startsWith("new ")) : [];
}

/**
 * Finds the TypeScript source of the classes of one node and of their members. One
 * instance reads each module at most once.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SourceFinder } from "./source.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const node = import.meta.resolve("../node/node.ts");
 *   await Deno.writeTextFile(
 *     `${dir}/web.ts`,
 *     `import { Node } from "${node}";\n` +
 *       `export class Web extends Node {\n  port: number = 80;\n` +
 *       `  start<T>(flag: T): T {\n    return flag;\n  }\n}\n`,
 *   );
 *   const { Web } = await import(`file://${dir}/web.ts`);
 *   const found = new SourceFinder(new Web()).member(Web, "start");
 *   assert.equal(found?.line, 4);
 *   assert.equal(found?.text, "start<T>(flag: T): T {\n  return flag;\n}");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class SourceFinder {
  #node: object;
  #modules = new Map<string, Parsed | null>();
  #candidates: string[] | undefined;

  /** A finder for the classes of `node` (a constructed node). */
  constructor(node: object) {
    this.#node = node;
  }

  #parsed(url: string): Parsed | undefined {
    if (!this.#modules.has(url)) {
      const text = readModule(url);
      if (text === undefined) this.#modules.set(url, null);
      else {
        const mask = codeMask(text);
        this.#modules.set(url, { text, mask, classes: findClasses(text, mask) });
      }
    }
    return this.#modules.get(url) ?? undefined;
  }

  /**
   * User modules of the construction stacks of the node and its ancestors and the main
   * module, then their relative imports.
   */
  #candidateModules(): string[] {
    if (this.#candidates) return this.#candidates;
    const start: string[] = [];
    for (let n: object | undefined = this.#node; n; n = stateOf(n)?.parent) {
      start.push(...constructionFrames(n).map((f) => f.url));
    }
    try {
      start.push(Deno.mainModule);
    } catch {
      // No main module: only the stack's modules.
    }
    const queue = [...new Set(start.filter(isUserModule))];
    const seen = new Set(queue);
    for (let i = 0; i < queue.length && seen.size < MAX_MODULES; i++) {
      const parsed = this.#parsed(queue[i]);
      if (!parsed) continue;
      for (const match of parsed.text.matchAll(IMPORT)) {
        const spec = match[1] ?? match[2];
        if (!spec.startsWith(".") && !spec.startsWith("/")) continue;
        const url = new URL(spec, queue[i]).href;
        if (!seen.has(url) && isUserModule(url)) {
          seen.add(url);
          queue.push(url);
        }
      }
    }
    this.#candidates = queue;
    return queue;
  }

  /** The module and class span of `cls`, when found. */
  locate(cls: { name: string }): { url: string; cls: ClassSpan } | undefined {
    const frames = constructionFrames(this.#node);
    const wanted = `new ${cls.name || "<anonymous>"}`;
    for (const frame of frames.filter((f) => f.fn === wanted)) {
      const parsed = this.#parsed(frame.url);
      const around = parsed?.classes
        .filter((c) =>
          (c.name === cls.name || c.name === "") && c.line <= frame.line &&
          frame.line <= c.line + c.text.split("\n").length - 1
        )
        .sort((a, b) => b.start - a.start)[0];
      if (around) return { url: frame.url, cls: around };
    }
    if (!cls.name) return undefined;
    for (const url of this.#candidateModules()) {
      const found = this.#parsed(url)?.classes.find((c) => c.name === cls.name);
      if (found) return { url, cls: found };
    }
    return undefined;
  }

  /** The TypeScript source of a class. */
  class(cls: { name: string }): SourceText | undefined {
    const found = this.locate(cls);
    return found && { url: found.url, line: found.cls.line, text: found.cls.text };
  }

  /** The TypeScript source of a member (method or field) declared in `cls`. */
  member(cls: { name: string }, name: string): SourceText | undefined {
    const found = this.locate(cls);
    const parsed = found && this.#parsed(found.url);
    if (!found || !parsed) return undefined;
    const span: Span | undefined = findMember(parsed.text, found.cls, name, parsed.mask);
    return span && { url: found.url, line: span.line, text: dedent(span.text) };
  }

  /** The source of a member, from the most derived class of the node that declares it. */
  declared(name: string): SourceText | undefined {
    for (
      let proto = Object.getPrototypeOf(this.#node);
      proto && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      const cls = proto.constructor as { name: string };
      if (isFramework(proto)) break;
      const found = this.member(cls, name);
      if (found) return found;
    }
    return undefined;
  }
}

function isFramework(proto: object): boolean {
  return [Symbol.for("deployer.node"), Symbol.for("deployer.parallelNode")].some((brand) =>
    Object.prototype.hasOwnProperty.call(proto, brand)
  );
}

/**
 * Text with the indentation its lines share removed (the first line's own indentation
 * counts).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { dedent } from "./source.ts";
 * assert.equal(dedent("  a() {\n    b;\n  }"), "a() {\n  b;\n}");
 * ```
 */
export function dedent(text: string): string {
  const lines = text.split("\n");
  const widths = lines.filter((l) => l.trim()).map((l) => l.match(/^\s*/)![0].length);
  const cut = Math.min(...widths, Infinity);
  return cut === Infinity ? text : lines.map((l) => l.slice(cut)).join("\n");
}

/**
 * `path:line` of found source, the path relative to the working directory when below it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { where } from "./source.ts";
 * assert.equal(where({ url: "https://ops.example/d.ts", line: 3, text: "" }), "https://ops.example/d.ts:3");
 * ```
 */
export function where(found: SourceText): string {
  return `${displayModule(found.url)}:${found.line}`;
}

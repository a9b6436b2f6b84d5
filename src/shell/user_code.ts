/**
 * Where an error came from in the user's own code: the first stack frame that belongs
 * to the deploy script (not to deployer's own `src/`, npm packages or the runtime).
 * Deno source-maps stack frames of local and remote TypeScript modules, so the line and
 * column are those of the TypeScript the user wrote.
 *
 * @module
 */
import { remoteUrlOf } from "./private_copy.ts";

/** One frame of a stack trace. */
export interface Frame {
  /** The module: a `file:` or `http(s):` URL. */
  readonly url: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** The function (`Root.deploy`, `new Root`), when the frame names one. */
  readonly fn?: string;
}

/** The root of this copy of deployer (the directory holding `src/`). */
const OWN_ROOT = new URL("../../", import.meta.url).href;
const OWN_PREFIXES = [`${OWN_ROOT}src/`, `${OWN_ROOT}mod.ts`, `${OWN_ROOT}cli.ts`];
/** Frames below these are the script's call of `runCli` (or the shell), not its code. */
const ENTRY_PREFIXES = [`${OWN_ROOT}src/cli/`, `${OWN_ROOT}src/shell/`, `${OWN_ROOT}cli.ts`];

const FRAME = /^\s*at (?:(.*?) \()?((?:file|https?):\/\/.+?):(\d+):(\d+)\)?\s*$/;

/**
 * The frames of a stack trace that have a `file:` or `http(s):` location.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStack } from "./user_code.ts";
 * const frames = parseStack("Error: x\n    at async Root.go (file:///d/s.ts:3:5)\n    at ext:core/a.js:1:2");
 * assert.deepEqual(frames, [{ url: "file:///d/s.ts", line: 3, column: 5, fn: "Root.go" }]);
 * ```
 */
export function parseStack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split("\n")) {
    const match = text.match(FRAME);
    if (!match) continue;
    const fn = match[1]?.replace(/^async /, "");
    frames.push({
      url: match[2],
      line: Number(match[3]),
      column: Number(match[4]),
      ...(fn ? { fn } : {}),
    });
  }
  return frames;
}

/**
 * Whether a module belongs to the user: not deployer's own `src/` (nor its `mod.ts` or
 * `cli.ts`), not an npm package, not the runtime.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUserModule } from "./user_code.ts";
 * assert.ok(isUserModule("file:///srv/ops/deploy.ts"));
 * assert.ok(!isUserModule(new URL("./user_code.ts", import.meta.url).href));
 * assert.ok(!isUserModule("file:///root/.cache/deno/npm/registry.npmjs.org/ssh2/1.0.0/a.js"));
 * ```
 */
export function isUserModule(url: string): boolean {
  if (!/^(file|https?):/.test(url)) return false;
  if (OWN_PREFIXES.some((prefix) => url.startsWith(prefix))) return false;
  return !/\/node_modules\/|\/deno\/npm\/|\/npm\/registry\.npmjs\.org\//.test(url);
}

function errorsOf(error: unknown, depth = 0): unknown[] {
  if (depth > 10 || typeof error !== "object" || error === null) return [];
  const out: unknown[] = [];
  const outcomes = (error as { outcomes?: { ok: boolean; error?: unknown }[] }).outcomes;
  if (Array.isArray(outcomes)) {
    for (const o of outcomes) if (!o.ok) out.push(...errorsOf(o.error, depth + 1));
  }
  out.push(...errorsOf((error as { cause?: unknown }).cause, depth + 1));
  out.push(error);
  return out;
}

/**
 * The first frame of a stack in the user's code, above deployer's command line and shell
 * (what lies below them is where the script started `runCli`, not where it failed).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstUserFrame, parseStack } from "./user_code.ts";
 * const cli = new URL("../cli/run.ts", import.meta.url).href;
 * const frames = parseStack(`E\n    at run (${cli}:1:1)\n    at file:///srv/deploy.ts:9:1`);
 * assert.equal(firstUserFrame(frames), undefined);
 * ```
 */
export function firstUserFrame(frames: readonly Frame[]): Frame | undefined {
  for (const frame of frames) {
    if (ENTRY_PREFIXES.some((prefix) => frame.url.startsWith(prefix))) return undefined;
    if (isUserModule(frame.url)) return frame;
  }
  return undefined;
}

/**
 * The first frame in the user's code of an error, looking first at what caused it
 * (`cause`, the failed hosts of a parallel error), innermost first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { userFrame } from "./user_code.ts";
 * const own = new URL("../node/bind.ts", import.meta.url).href;
 * const error = new Error("boom");
 * error.stack = `Error: boom\n    at run (${own}:1:1)\n    at Root.go (file:///srv/d.ts:3:5)`;
 * const wrapped = new Error("failed", { cause: error });
 * assert.deepEqual(userFrame(wrapped), { url: "file:///srv/d.ts", line: 3, column: 5, fn: "Root.go" });
 * assert.equal(userFrame("not an error"), undefined);
 * ```
 */
export function userFrame(error: unknown): Frame | undefined {
  for (const e of errorsOf(error)) {
    const stack = e instanceof Error ? e.stack : (e as { stack?: unknown })?.stack;
    if (typeof stack !== "string") continue;
    const frame = firstUserFrame(parseStack(stack));
    if (frame) return frame;
  }
  return undefined;
}

/**
 * A module URL as a user reads it: a path relative to `cwd` when below it, an absolute
 * path for other files, the URL itself otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayModule } from "./user_code.ts";
 * assert.equal(displayModule("file:///srv/ops/deploy.ts", "/srv"), "ops/deploy.ts");
 * assert.equal(displayModule("file:///etc/x.ts", "/srv"), "/etc/x.ts");
 * assert.equal(displayModule("https://ops.example/d.ts", "/srv"), "https://ops.example/d.ts");
 * ```
 */
export function displayModule(url: string, cwd?: string): string {
  if (!url.startsWith("file:")) return url;
  const remote = remoteUrlOf(url); // the CLI's private copy of a script loaded by URL
  if (remote) return remote;
  const path = decodeURIComponent(new URL(url).pathname);
  let base = cwd;
  if (base === undefined) {
    try {
      base = Deno.cwd();
    } catch {
      return path;
    }
  }
  const dir = base.endsWith("/") ? base : `${base}/`;
  return path.startsWith(dir) ? path.slice(dir.length) : path;
}

/**
 * The lines that follow an error's message: where in the user's code it was thrown
 * (`  thrown at deploy.ts:12:5 (Root.deploy)`) and how to see the full stack (`hint`). Empty for
 * errors with no frame in the user's code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { whereText } from "./user_code.ts";
 * const error = new Error("boom");
 * error.stack = "Error: boom\n    at Root.explode (file:///srv/ops/deploy.ts:12:11)";
 * assert.equal(
 *   whereText(error, "(--debug prints the full stack)"),
 *   "  thrown at /srv/ops/deploy.ts:12:11 (Root.explode)\n  (--debug prints the full stack)\n",
 * );
 * ```
 */
export function whereText(error: unknown, hint: string): string {
  const frame = userFrame(error);
  if (!frame) return "";
  const fn = frame.fn ? ` (${frame.fn})` : "";
  return `  thrown at ${displayModule(frame.url)}:${frame.line}:${frame.column}${fn}\n  ${hint}\n`;
}

/**
 * The full stack of an error and of each error that caused it, for `--debug`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fullStack } from "./user_code.ts";
 * const text = fullStack(new Error("outer", { cause: new Error("inner") }));
 * assert.match(text, /^Error: outer\n\s+at /);
 * assert.match(text, /Caused by: Error: inner/);
 * ```
 */
export function fullStack(error: unknown): string {
  if (!(error instanceof Error)) return `${String(error)}\n`;
  let text = `${error.stack ?? error.message}\n`;
  for (let e = error.cause, depth = 0; e instanceof Error && depth < 10; depth++) {
    text += `Caused by: ${e.stack ?? e.message}\n`;
    e = e.cause;
  }
  return text;
}

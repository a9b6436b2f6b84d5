/**
 * Helpers for the CLI tests: run `cli.ts` (or a script) as a subprocess with explicit
 * permission flags, and serve the repository over HTTP.
 *
 * @module
 */

import { tempHome } from "../_support/home.ts";

/** The repository root (a directory path ending in `/`). */
export const REPO: string = new URL("../../", import.meta.url).pathname;

/** The fixtures directory. */
export const FIXTURES: string = `${REPO}tests/cli/fixtures/`;

/** The permission flags the README documents for running deploy scripts (local hosts). */
export const PERMS: readonly string[] = [
  "--allow-run",
  "--allow-read",
  "--allow-env",
  "--allow-net=127.0.0.1",
  "--allow-write",
];

/** What a finished subprocess left. */
export interface Output {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `deno run <perms> <entry> <args>` in the repository and collects its output. */
export async function deno(
  entry: string,
  args: readonly string[],
  perms: readonly string[] = PERMS,
  env: Record<string, string> = {},
): Promise<Output> {
  await using home = await tempHome();
  const output = await new Deno.Command(Deno.execPath(), {
    // --no-lock: scripts served over HTTP on random ports must not end up in deno.lock.
    args: ["run", "--quiet", "--no-lock", ...perms, entry, ...args],
    cwd: REPO,
    stdin: "null",
    env: { NO_COLOR: "1", ...home.env, ...env },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs the `deployer` CLI (`cli.ts`). */
export function deployer(
  args: readonly string[],
  perms: readonly string[] = PERMS,
  env: Record<string, string> = {},
): Promise<Output> {
  return deno("cli.ts", args, perms, env);
}

/** A static file server for a directory on 127.0.0.1 (port chosen by the system). */
export interface FileServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `127.0.0.1:<port>`, for `--allow-import`. */
  readonly host: string;
}

const TYPES: Record<string, string> = {
  ts: "application/typescript",
  js: "application/javascript",
  json: "application/json",
};

/** Serves `root` over HTTP until disposed. Unknown paths get a 404. */
export function serveDirectory(root: string): FileServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(`${root}${path.replace(/^\//, "")}`);
      const ext = path.split(".").pop() ?? "";
      return new Response(body, {
        headers: { "content-type": TYPES[ext] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const host = `127.0.0.1:${server.addr.port}`;
  return {
    origin: `http://${host}`,
    host,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** Asserts that text carries no stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}

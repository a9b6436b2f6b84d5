/**
 * `deployer compile <script>`: turns a deploy script that calls `runCli(Root)` into one
 * executable with `deno compile`, granting the permissions a deployment needs (never
 * `-A`).
 *
 * @module
 */
import { DeployerError } from "../errors.ts";
import { scriptUrl } from "./load.ts";

/** What to compile. */
export interface CompileOptions {
  /** The script: a path or a URL. */
  readonly script: string;
  /** The executable to write (default: the script's name without its extension). */
  readonly output?: string;
  /** More `deno compile` arguments (e.g. `--target`), placed before the script. */
  readonly extra?: readonly string[];
}

/**
 * The permissions a compiled deploy script gets, and why:
 * - `--allow-run`: local commands (`LocalHost`, the pager, `sudo`);
 * - `--allow-net`: SSH connections to hosts that are only known when the tree is built;
 * - `--allow-read`: SSH keys, `~/.ssh/known_hosts`, `~/.ssh/config`, files to upload;
 * - `--allow-env`: `HOME`, `USER`, `SSH_AUTH_SOCK`, `TERM`, `DEPLOYER_DEBUG`;
 * - `--allow-write`: `--log FILE`, downloaded files, `known_hosts` updates.
 */
export const COMPILE_PERMISSIONS: readonly string[] = [
  "--allow-run",
  "--allow-net",
  "--allow-read",
  "--allow-env",
  "--allow-write",
];

/**
 * The `deno compile` arguments for a script (without the `deno` executable).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileArgs } from "./compile.ts";
 * const args = compileArgs({ script: "deploy.ts" }, "/srv");
 * assert.ok(args.join(" ").endsWith("--output deploy /srv/deploy.ts"));
 * assert.ok(!args.includes("-A"));
 * ```
 */
export function compileArgs(options: CompileOptions, cwd: string = Deno.cwd()): string[] {
  const url = scriptUrl(options.script, cwd);
  const local = url.protocol === "file:";
  const target = local ? decodeURIComponent(url.pathname) : url.href;
  const base = (url.pathname.split("/").pop() || "deploy").replace(/\.[cm]?[jt]sx?$/i, "");
  // A script by URL: never Deno's lock file in effect, and its own origin fetched fresh.
  const imports = local
    ? []
    : [`--allow-import=${url.host}`, "--no-lock", `--reload=${url.origin}/`];
  return [
    "compile",
    ...COMPILE_PERMISSIONS,
    ...imports,
    ...(options.extra ?? []),
    "--output",
    options.output ?? base,
    target,
  ];
}

/** Quotes a word for display as a shell command. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What `runCompile` needs to print. */
export interface CompileIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
}

/**
 * Runs `deno compile` for a script, printing the exact command first. Resolves to the
 * exit code (0 when the executable was written). When `deno compile` cannot download
 * its runtime (`denort`), throws a {@linkcode DeployerError} saying so.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCompile } from "./compile.ts";
 * let out = "";
 * let err = "";
 * const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
 * // A missing script fails before `deno compile` downloads anything:
 * const code = await runCompile({ script: "/nonexistent/deploy.ts" }, io);
 * assert.notEqual(code, 0);
 * assert.match(out, / compile --allow-run .* --output deploy \/nonexistent\/deploy\.ts\n$/);
 * assert.match(err, /Cannot find module 'file:\/\/\/nonexistent\/deploy\.ts'/);
 * ```
 */
export async function runCompile(options: CompileOptions, io: CompileIo): Promise<number> {
  const args = compileArgs(options);
  const deno = Deno.execPath();
  io.out(`${[deno, ...args].map(shellWord).join(" ")}\n`);
  const child = new Deno.Command(deno, {
    args,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  // Progress lines are shown as they come; from the first `error:` line on, the text
  // is kept back so that a known failure is reported in one paragraph, not a backtrace.
  let stderr = "";
  let partial = "";
  let failing = false;
  const decoder = new TextDecoder();
  const forward = (line: string) => {
    if (/^error:/.test(line)) failing = true;
    if (!failing) io.err(`${line}\n`);
  };
  for await (const chunk of child.stderr) {
    const text = decoder.decode(chunk, { stream: true });
    stderr += text;
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    lines.forEach(forward);
  }
  if (partial) forward(partial);
  const status = await child.status;
  if (status.success) return 0;
  const missing = stderr.match(/Could not find denort at '([^']*)'/);
  if (missing) {
    throw new DeployerError(
      `deno compile could not find its runtime (denort) at ${missing[1]}, where DENORT_BIN ` +
        `points: point it at a denort binary for Deno ${Deno.version.deno}, or unset it so ` +
        `deno compile downloads one.`,
    );
  }
  const download = stderr.match(/https?:\/\/\S*denort\S*?\.zip/);
  if (
    download &&
    /error sending request|dns error|Connect|timed out|Setting up base binary/i.test(stderr)
  ) {
    throw new DeployerError(
      `deno compile could not download its runtime (denort) from ${download[0]}: this machine ` +
        `has no network access to it. Run the same command where dl.deno.land is reachable, or ` +
        `point DENORT_BIN at a denort binary for Deno ${Deno.version.deno}. Until then, run the ` +
        `script with \`deno run\` and the same permission flags.`,
    );
  }
  if (failing) {
    io.err(
      stderr.slice(stderr.search(/^error:/m)).split(/\n\s*Stack backtrace:/)[0].trimEnd() + "\n",
    );
  }
  return status.code || 1;
}

/**
 * Helpers for the CLI tests: run `cli.ts` (or a script) as a subprocess with explicit
 * permission flags, and serve the repository over HTTP.
 *
 * @module
 */

import { type TempHome, tempHome } from "../_support/home.ts";
import { WatchedProcess } from "../_support/watched.ts";
import { denoLine, shellQuote } from "../_support/command_line.ts";
import type { TestServers } from "../../src/testing/mod.ts";

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
  return outputOf(output);
}

/** The exit code and the decoded output of a finished subprocess. */
export function outputOf(output: Deno.CommandOutput): Output {
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

/** The flags a fixture's CLI runs with: quiet, no lock file, {@linkcode PERMS}. */
const FIXTURE_FLAGS: readonly string[] = ["--quiet", "--no-lock", ...PERMS];

/** The shell text that runs a fixture's CLI from the repository root (in a terminal). */
export function fixtureLine(fixture: string, args: readonly string[]): string {
  return `cd ${shellQuote(REPO)} && ${denoLine(FIXTURE_FLAGS, `${FIXTURES}${fixture}`, args)}`;
}

/**
 * What the SSH fixtures (`ssh_hold.ts`, `fleet.ts`) read from `DPL_TEST_SSH`: the servers,
 * how to log in (the key user, or the password user) and how long commands sleep.
 */
export function sshSetup(
  ssh: TestServers,
  seconds = 0,
  user: "key" | "password" = "key",
): string {
  return JSON.stringify({
    servers: ssh.servers.map((s) => ({ slug: s.slug, address: s.address, port: s.port })),
    username: user === "key" ? ssh.keyUser.name : ssh.passwordUser.name,
    keyFile: user === "key" ? ssh.keyUser.keyFile : undefined,
    password: user === "key" ? undefined : ssh.passwordUser.password,
    knownHostsFile: ssh.knownHostsFile,
    seconds,
  });
}

/**
 * A script's CLI as a subprocess (no terminal, a temporary HOME), its standard error read
 * as it comes (`until`, `text`). Disposing it kills what is left of it.
 */
export class CliChild extends WatchedProcess {
  /** Standard output, when it was asked for (`stdout: true`). */
  readonly stdout: Promise<string>;

  private constructor(process: Deno.ChildProcess, home: TempHome, stdout: boolean) {
    super(process, home, process.stderr);
    this.stdout = stdout ? new Response(process.stdout).text() : Promise.resolve("");
  }

  /** Starts the script `entry` (a path, or relative to the repository) with `args`. */
  static async spawn(
    entry: string,
    args: readonly string[],
    env: Record<string, string> = {},
    options: { stdout?: boolean } = {},
  ): Promise<CliChild> {
    const home = await tempHome();
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", ...FIXTURE_FLAGS, entry, ...args],
      cwd: REPO,
      stdin: "null",
      stdout: options.stdout ? "piped" : "null",
      stderr: "piped",
      env: { NO_COLOR: "1", ...home.env, ...env },
    }).spawn();
    return new CliChild(process, home, options.stdout ?? false);
  }

  /** Kills what is left of the process and removes its HOME. */
  override async [Symbol.asyncDispose](): Promise<void> {
    await super[Symbol.asyncDispose]();
    await this.stdout.catch(() => "");
  }
}

/**
 * A command line run under `script` (a PTY, `TERM=dumb`, a temporary HOME), from the
 * repository root: lines are typed in, the screen is read as it comes (`until`, `text`,
 * without escape sequences).
 */
export class ScriptPty extends WatchedProcess {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  private constructor(process: Deno.ChildProcess, home: TempHome) {
    super(process, home, process.stdout);
    this.#writer = process.stdin.getWriter();
  }

  /** Starts `command` (shell text) with extra environment variables. */
  static async spawn(command: string, env: Record<string, string> = {}): Promise<ScriptPty> {
    const home = await tempHome();
    const process = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      cwd: REPO,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
      env: { NO_COLOR: "1", TERM: "dumb", ...home.env, ...env },
    }).spawn();
    return new ScriptPty(process, home);
  }

  /** The screen without its escape sequences. */
  protected override shown(text: string): string {
    // deno-lint-ignore no-control-regex
    return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  }

  /** Types `line` and Return. */
  async enter(line: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(`${line}\r`));
  }

  /** Closes the keyboard, kills what is left, removes the HOME. */
  override async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.close().catch(() => {});
    await super[Symbol.asyncDispose]();
  }
}

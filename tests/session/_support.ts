/**
 * Helpers of the session tests: a `deployer listen` subprocess in a private runtime
 * directory, and the `deployer` CLI run against it.
 *
 * @module
 */
import { REPO } from "../cli/helpers.ts";

/** The tree the session tests serve. */
export const TREE: string = `${REPO}tests/session/fixtures/tree.ts`;

/** The deno cache of this process, for subprocesses that get another HOME. */
export const DENO_DIR: string = Deno.env.get("DENO_DIR") ??
  `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/deno`;

/** A temporary HOME and XDG_RUNTIME_DIR, removed on dispose. */
export class Place implements AsyncDisposable {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }
  /** Creates it. */
  static async create(): Promise<Place> {
    const dir = await Deno.makeTempDir({ prefix: "deployer-session-test-" });
    await Deno.mkdir(`${dir}/home`);
    await Deno.mkdir(`${dir}/run`, { mode: 0o700 });
    return new Place(dir);
  }
  /** The environment of the CLI subprocesses. */
  get env(): Record<string, string> {
    return {
      HOME: `${this.dir}/home`,
      XDG_RUNTIME_DIR: `${this.dir}/run`,
      DENO_DIR,
      NO_COLOR: "1",
      TERM: "xterm-256color",
    };
  }
  /** Where sessions live. */
  get sessions(): string {
    return `${this.dir}/run/deployer`;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** A running `deployer listen`. */
export class Listener implements AsyncDisposable {
  readonly process: Deno.ChildProcess;
  readonly socket: string;
  readonly #stderr: Promise<string>;
  private constructor(process: Deno.ChildProcess, socket: string, stderr: Promise<string>) {
    this.process = process;
    this.socket = socket;
    this.#stderr = stderr;
  }

  /** Starts `deployer listen <script> [args]` and waits until it listens. */
  static async start(
    place: Place,
    script: string = TREE,
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<Listener> {
    const process = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-lock",
        "--allow-all",
        `${REPO}cli.ts`,
        "listen",
        script,
        ...args,
      ],
      cwd: REPO,
      env: { ...place.env, ...env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let text = "";
    const { promise: listening, resolve: ready, reject: failed } = Promise.withResolvers<string>();
    const stderr = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of process.stderr) {
        text += decoder.decode(chunk, { stream: true });
        const match = text.match(/Listening on (\S+) /);
        if (match) ready(match[1]);
      }
      failed(new Error(`deployer listen ended before listening:\n${text}`));
      return text;
    })();
    const socket = await listening.catch(async (error) => {
      await process.status;
      throw error;
    });
    return new Listener(process, socket, stderr);
  }

  /** Stops it with SIGTERM; resolves to its exit code and stderr. */
  async stop(): Promise<{ code: number; stderr: string }> {
    try {
      this.process.kill("SIGTERM");
    } catch {
      // ended already
    }
    const status = await this.process.status;
    return { code: status.code, stderr: await this.#stderr };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Runs the `deployer` CLI with the place's environment. */
export async function deployer(
  place: Place,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", "--allow-all", `${REPO}cli.ts`, ...args],
    cwd: REPO,
    env: place.env,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

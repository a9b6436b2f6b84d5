/**
 * The client side of a session: `deployer connect` (this terminal, in raw mode, becomes
 * one more shell of the session), `querySession` (what `sessions` shows) and
 * {@linkcode SessionClient}, a terminal-less client for programs and tests.
 *
 * @module
 */
import { readToken } from "./paths.ts";
import { encodeFrame, FRAME, type Frame, jsonOf, readFrames } from "./protocol.ts";
import type { SessionRecord } from "./paths.ts";

/** A session's description, as its server reports it. */
export interface SessionInfo extends SessionRecord {
  /** How many shells are connected. */
  readonly clients: number;
}

/** Options of a client connection. */
export interface ClientOptions {
  /** Terminal width (default 80). */
  cols?: number;
  /** Terminal height (default 24). */
  rows?: number;
  /** `TERM` (default `xterm`). */
  term?: string;
  /** Colours (default false). */
  color?: boolean;
  /** Node names to start the shell in. */
  path?: string[];
  /** `ACTION ARG...` to run without a shell. */
  action?: string[];
  /** The token to present (default: read from the session's token file). */
  token?: string;
}

async function open(socket: string): Promise<Deno.UnixConn> {
  try {
    return await Deno.connect({ transport: "unix", path: socket });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot connect to the session at "${socket}": ${why}`, { cause: error });
  }
}

/**
 * Refuses a socket that belongs to another user: a session of yours has your socket, and
 * keys (sudo passwords too) typed into someone else's would go to them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOwner } from "./client.ts";
 * const dir = await Deno.makeTempDir();
 * const listener = Deno.listen({ transport: "unix", path: `${dir}/s.sock` });
 * await checkOwner(`${dir}/s.sock`); // ours: no error
 * await assert.rejects(checkOwner(`${dir}/none.sock`), /Cannot connect to the session/);
 * listener.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkOwner(socket: string): Promise<void> {
  let owner: number | null;
  try {
    owner = (await Deno.lstat(socket)).uid;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot connect to the session at "${socket}": ${why}`, { cause: error });
  }
  const me = Deno.uid();
  if (owner !== null && me !== null && owner !== me) {
    throw new Error(
      `Cannot connect to the session at "${socket}": the socket belongs to uid ${owner}, ` +
        `not to you (uid ${me})`,
    );
  }
}

function refused(frame: Frame, socket: string): Error {
  return new Error(`Session at "${socket}": ${jsonOf<{ message: string }>(frame).message}`);
}

/**
 * Asks a live session for its description.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { querySession } from "./client.ts";
 * await assert.rejects(querySession("/nonexistent/s.sock"), /Cannot connect to the session/);
 * ```
 */
export async function querySession(socket: string, token?: string): Promise<SessionInfo> {
  const conn = await open(socket);
  try {
    const writer = conn.writable.getWriter();
    await writer.write(encodeFrame(FRAME.info, { token: token ?? await readToken(socket) }));
    for await (const frame of readFrames(conn.readable)) {
      if (frame.type === FRAME.described) return jsonOf<SessionInfo>(frame);
      if (frame.type === FRAME.error) throw refused(frame, socket);
    }
    throw new Error(`Session at "${socket}" closed without answering`);
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the server
    }
  }
}

/**
 * A shell of a session without a terminal: send keys, wait for text on the screen. It
 * does not check who owns the socket (`connect` does, with {@linkcode checkOwner}).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionClient } from "./client.ts";
 * await assert.rejects(SessionClient.open("/nonexistent/s.sock"), /Cannot connect/);
 * ```
 */
export class SessionClient implements AsyncDisposable {
  readonly #conn: Deno.UnixConn;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #done: Promise<void>;
  #text = "";
  #code: number | undefined;
  #error: string | undefined;
  #waiters = new Set<() => void>();

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
    this.#writer = conn.writable.getWriter();
    this.#done = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const frame of readFrames(conn.readable)) {
          if (frame.type === FRAME.output) {
            this.#text += decoder.decode(frame.data, { stream: true });
          }
          if (frame.type === FRAME.exit) this.#code = jsonOf<{ code: number }>(frame).code;
          if (frame.type === FRAME.error) this.#error = jsonOf<{ message: string }>(frame).message;
          this.#wake();
        }
      } catch {
        // the connection broke
      }
      this.#wake();
    })();
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
  }

  /** Connects and opens a shell. */
  static async open(socket: string, options: ClientOptions = {}): Promise<SessionClient> {
    const conn = await open(socket);
    const client = new SessionClient(conn);
    await client.#writer.write(encodeFrame(FRAME.hello, {
      token: options.token ?? await readToken(socket),
      cols: options.cols ?? 80,
      rows: options.rows ?? 24,
      term: options.term ?? "xterm",
      color: options.color ?? false,
      path: options.path ?? [],
      action: options.action ?? [],
    }));
    return client;
  }

  /** Everything the shell wrote so far. */
  get text(): string {
    return this.#text;
  }

  /** The shell's exit code once it ended. */
  get code(): number | undefined {
    return this.#code;
  }

  /** The server's refusal or error message, if any. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Types keys (`\r` is Enter, `\t` Tab). */
  async type(keys: string): Promise<void> {
    await this.#writer.write(encodeFrame(FRAME.input, new TextEncoder().encode(keys)));
  }

  /** Tells the server the terminal's new size. */
  async resize(cols: number, rows: number): Promise<void> {
    await this.#writer.write(encodeFrame(FRAME.resize, { cols, rows }));
  }

  /**
   * Waits until `test` holds for the text written after `from` (an offset in
   * {@linkcode text}), or the connection ends, or `ms` pass; returns that text.
   */
  async waitFor(test: RegExp | string, from = 0, ms = 15_000): Promise<string> {
    const holds = () => {
      const text = this.#text.slice(from);
      return typeof test === "string" ? text.includes(test) : test.test(text);
    };
    let ended = false;
    this.#done.then(() => (ended = true));
    const deadline = Date.now() + ms;
    while (!holds()) {
      if (ended || Date.now() > deadline) {
        throw new Error(
          `Waited for ${test} in the session's output${this.#error ? ` (${this.#error})` : ""}; ` +
            `got: ${JSON.stringify(this.#text.slice(from).slice(-400))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.#waiters.add(wake);
      });
    }
    return this.#text.slice(from);
  }

  /** Resolves when the server closed the connection. */
  ended(): Promise<void> {
    return this.#done;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    try {
      await this.#writer.close();
    } catch {
      // closed already
    }
    await this.#done;
    try {
      this.#conn.close();
    } catch {
      // closed already
    }
  }

  /** Closes it (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

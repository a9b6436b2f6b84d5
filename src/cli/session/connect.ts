/**
 * `deployer connect`: this terminal becomes one more shell of a running session. The
 * terminal is put in raw mode and its keys, size and `TERM` are forwarded, so line
 * editing and Tab completion behave as in the normal shell.
 *
 * @module
 */
import { UsageError } from "../../errors.ts";
import { readToken } from "./paths.ts";
import { liveSessions } from "./list.ts";
import { encodeFrame, FRAME, jsonOf, readFrames } from "./protocol.ts";

/** What `connect` needs. */
export interface ConnectRequest {
  /** The socket (default: the only live session of this user). */
  readonly socket?: string;
  /** Node names to start the shell in (or the node `action` is relative to). */
  readonly path?: string[];
  /** `ACTION ARG...`: run it in the session without a shell. */
  readonly action?: string[];
  /** Error output. */
  readonly err: (text: string) => void;
}

/**
 * The socket to connect to: the one given, or the only live session.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseSocket } from "./connect.ts";
 * assert.equal(await chooseSocket("/x/1.sock"), "/x/1.sock");
 * ```
 */
export async function chooseSocket(socket: string | undefined): Promise<string> {
  if (socket !== undefined) return socket;
  const live = await liveSessions();
  if (live.length === 1) return live[0].socket;
  if (live.length === 0) {
    throw new UsageError("No live session: start one with `deployer listen [script]`");
  }
  throw new UsageError(
    `Several live sessions; choose one with --socket: ${live.map((s) => s.socket).join(", ")}`,
  );
}

function size(): { cols: number; rows: number } {
  try {
    const { columns, rows } = Deno.consoleSize();
    return { cols: columns, rows };
  } catch {
    return { cols: 80, rows: 24 };
  }
}

/**
 * Runs a shell of the session in this process's terminal; resolves to its exit code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectTerminal } from "./connect.ts";
 * let err = "";
 * const code = await connectTerminal({ socket: "/nonexistent/s.sock", err: (t) => (err += t) });
 * assert.equal(code, 1);
 * assert.match(err, /Cannot connect to the session at "\/nonexistent\/s.sock"/);
 * ```
 */
export async function connectTerminal(request: ConnectRequest): Promise<number> {
  const socket = await chooseSocket(request.socket);
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch (error) {
    request.err(
      `Cannot connect to the session at "${socket}": ${
        error instanceof Error ? error.message : error
      }\n`,
    );
    return 1;
  }
  const writer = conn.writable.getWriter();
  const send = (frame: Uint8Array) => void writer.write(frame).catch(() => {});
  const action = request.action ?? [];
  const tty = action.length === 0 && Deno.stdin.isTerminal();
  let term = "xterm";
  try {
    term = Deno.env.get("TERM") ?? term;
  } catch {
    // no env permission: a plain xterm
  }
  send(encodeFrame(FRAME.hello, {
    token: await readToken(socket),
    ...size(),
    term,
    color: Deno.stdout.isTerminal() && !Deno.noColor,
    path: request.path ?? [],
    action,
  }));
  const onResize = () => send(encodeFrame(FRAME.resize, size()));
  try {
    Deno.addSignalListener("SIGWINCH", onResize);
  } catch {
    // no SIGWINCH here
  }
  if (tty) Deno.stdin.setRaw(true);
  let reading = action.length === 0;
  const keys = (async () => {
    const buffer = new Uint8Array(4096);
    while (reading) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      if (reading) send(encodeFrame(FRAME.input, buffer.slice(0, n)));
    }
  })().catch(() => {});
  let code = 1;
  try {
    for await (const frame of readFrames(conn.readable)) {
      if (frame.type === FRAME.output) await Deno.stdout.write(frame.data);
      else if (frame.type === FRAME.exit) code = jsonOf<{ code: number }>(frame).code;
      else if (frame.type === FRAME.error) {
        request.err(`Session at "${socket}": ${jsonOf<{ message: string }>(frame).message}\n`);
      }
    }
  } catch (error) {
    request.err(
      `The session at "${socket}" broke: ${error instanceof Error ? error.message : error}\n`,
    );
  } finally {
    reading = false;
    try {
      Deno.removeSignalListener("SIGWINCH", onResize);
    } catch {
      // never added
    }
    if (tty) Deno.stdin.setRaw(false);
    try {
      conn.close();
    } catch {
      // closed by the server
    }
  }
  void keys;
  return code;
}

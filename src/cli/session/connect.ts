/**
 * `deployer connect`: this terminal becomes one more shell of a running session. The
 * terminal is put in raw mode and its keys, size and `TERM` are forwarded, so line
 * editing and Tab completion behave as in the normal shell.
 *
 * @module
 */
import { UsageError } from "../../errors.ts";
import { readToken } from "./paths.ts";
import { checkOwner } from "./client.ts";
import { liveSessions } from "./list.ts";
import { encodeFrame, FRAME, jsonOf, readFrames } from "./protocol.ts";
import type { PaneSetup } from "./panes.ts";

/** What `connect` needs. */
export interface ConnectRequest {
  /** The socket (default: the only live session of this user). */
  readonly socket?: string;
  /** Node names to start the shell in (or the node `action` is relative to). */
  readonly path?: string[];
  /** `ACTION ARG...`: run it in the session without a shell. */
  readonly action?: string[];
  /** Inside tmux: run each isolation of a parallel action in a pane of its own. */
  readonly panes?: boolean;
  /** Show one pane's isolation (started by the session, not by people). */
  readonly pane?: string;
  /** Error output. */
  readonly err: (text: string) => void;
}

/**
 * The tmux set-up a `--panes` client sends: the tmux socket and pane from `$TMUX` and
 * `$TMUX_PANE`, and the command that opens a pane client of `socket`; `undefined`
 * outside tmux.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { paneSetup } from "./connect.ts";
 * assert.equal(paneSetup("/s.sock", {}), undefined);
 * const setup = paneSetup("/s.sock", { TMUX: "/tmp/tmux-0/default,12,0", TMUX_PANE: "%3" });
 * assert.equal(setup?.socket, "/tmp/tmux-0/default");
 * assert.deepEqual(setup?.command.slice(-3), ["connect", "--socket", "/s.sock"]);
 * ```
 */
export function paneSetup(
  socket: string,
  env: Record<string, string | undefined>,
): PaneSetup | undefined {
  const tmux = env.TMUX?.split(",")[0];
  if (!tmux || !env.TMUX_PANE) return undefined;
  const exec = Deno.execPath();
  // Under `deno`, run the same main module again; a compiled binary is the program itself.
  const program = exec.split("/").pop() === "deno"
    ? [exec, "run", "--quiet", "--allow-read", "--allow-env", "--allow-import"]
      .concat(["--allow-sys=uid", `--allow-write=${socket}`, `--allow-net=unix:${socket}`])
      .concat([Deno.mainModule])
    : [exec];
  return {
    socket: tmux,
    pane: env.TMUX_PANE,
    command: [...program, "connect", "--socket", socket],
  };
}

/** Shows one pane's isolation until it ends, then waits for Enter. */
async function showPane(conn: Deno.UnixConn, key: string, socket: string): Promise<number> {
  const writer = conn.writable.getWriter();
  await writer.write(encodeFrame(FRAME.hello, { token: await readToken(socket), pane: key }));
  for await (const frame of readFrames(conn.readable)) {
    if (frame.type === FRAME.output) await Deno.stdout.write(frame.data);
    if (frame.type === FRAME.error) {
      await Deno.stdout.write(
        new TextEncoder().encode(`${jsonOf<{ message: string }>(frame).message}\n`),
      );
      break;
    }
    if (frame.type === FRAME.exit) break;
  }
  await Deno.stdout.write(new TextEncoder().encode("\n[done] Press Enter to close this pane.\n"));
  await Deno.stdin.read(new Uint8Array(64)).catch(() => null);
  try {
    conn.close();
  } catch {
    // closed by the server
  }
  return 0;
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
    await checkOwner(socket);
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Cannot connect")) {
      request.err(`${error.message}\n`);
      return 1;
    }
    request.err(
      `Cannot connect to the session at "${socket}": ${
        error instanceof Error ? error.message : error
      }\n`,
    );
    return 1;
  }
  if (request.pane !== undefined) return await showPane(conn, request.pane, socket);
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
  const panes = request.panes ? paneSetup(socket, Deno.env.toObject()) : undefined;
  if (request.panes && !panes) {
    request.err("--panes works inside tmux only: the isolations' output is prefixed here.\n");
  }
  send(encodeFrame(FRAME.hello, {
    token: await readToken(socket),
    ...size(),
    term,
    color: Deno.stdout.isTerminal() && !Deno.noColor,
    tty: Deno.stdout.isTerminal(),
    path: request.path ?? [],
    action,
    panes,
  }));
  const onResize = () => send(encodeFrame(FRAME.resize, size()));
  try {
    Deno.addSignalListener("SIGWINCH", onResize);
  } catch {
    // no SIGWINCH here
  }
  if (tty) Deno.stdin.setRaw(true);
  const reading = action.length === 0;
  // A stream reader can be cancelled when the session ends (a pending read would keep
  // the process alive).
  const stdin = reading ? Deno.stdin.readable.getReader() : undefined;
  const keys = (async () => {
    while (stdin) {
      const { value, done } = await stdin.read();
      if (done) break;
      send(encodeFrame(FRAME.input, value));
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
    await stdin?.cancel().catch(() => {});
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
  await keys;
  return code;
}

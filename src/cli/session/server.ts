/**
 * `deployer listen`: one long-lived process that keeps a tree, its `Env` (open SSH
 * connections, sudo passwords) and serves interactive shells to `deployer connect`
 * clients over a unix socket. Each client has its own shell (prompt, working node,
 * terminal size) and sees the output of its own actions.
 *
 * Access: the socket is created with mode 0600 in a private 0700 directory, and every
 * client must first send the session's secret token, which `listen` writes to a 0600 file
 * only the same user can read (`<socket>.token`). A client of another user cannot read
 * the token, so it is refused even when the socket itself was made reachable.
 *
 * @module
 */
import { Env } from "../../exec/env.ts";
import { JsonLinesLogger, type Logger } from "../../exec/logger.ts";
import { TerminalLogger } from "../../exec/terminal_logger.ts";
import { UsageError } from "../../errors.ts";
import type { NodeClass } from "../../node/markers.ts";
import { runShell } from "../../shell/mod.ts";
import { ClientTerminal, type Hello } from "./client_shell.ts";
import { privateDir, removeQuietly, sessionDir, type SessionRecord, tokenPath } from "./paths.ts";
import { encodeFrame, FRAME, type Frame, jsonOf, readFrames } from "./protocol.ts";
import { RoutingLogger } from "./routing.ts";
import { runRemoteAction } from "./remote_run.ts";
import { type PaneRegistry, PaneRouter, type PaneSetup } from "./panes.ts";
import { probeSocket } from "./probe.ts";

/** What `listen` needs. */
export interface ListenRequest {
  /** The root node class. */
  readonly root: NodeClass;
  /** The script it came from (shown by `sessions`). */
  readonly script: string;
  /** The program name (shell `--version`). */
  readonly name: string;
  /** The session directory (default: {@linkcode sessionDir}). */
  readonly dir?: string;
  /** The socket path (default: `<session dir>/<pid>.sock`). */
  readonly socket?: string;
  /** How many commands run at once. */
  readonly parallel?: number;
  /** Append JSON-lines events to this file. */
  readonly log?: string;
  /** Extra loggers. */
  readonly loggers?: readonly Logger[];
  /** Status lines (listening, refused clients). */
  readonly err: (text: string) => void;
  /** Stops the server (besides SIGINT, SIGTERM and SIGHUP). */
  readonly signal?: AbortSignal;
}

/** How long a new connection may take to authenticate. */
const HELLO_TIMEOUT_MS = 10_000;

function sameToken(a: string, b: string): boolean {
  const [x, y] = [new TextEncoder().encode(a), new TextEncoder().encode(b)];
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0 && x.length > 0;
}

function randomToken(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Removes a socket left by a session that is gone; refuses one that still answers. */
async function claimSocket(socket: string): Promise<void> {
  const state = await probeSocket(socket);
  if (state === "live") throw new UsageError(`A session already listens on "${socket}"`);
  if (state === "stale") await removeQuietly(socket, tokenPath(socket));
  if (state === "other") {
    throw new UsageError(
      `"${socket}" exists and is not a session socket; remove it or choose another`,
    );
  }
}

async function firstFrame(frames: AsyncGenerator<Frame>): Promise<Frame | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((
    resolve,
  ) => (timer = setTimeout(() => resolve(undefined), HELLO_TIMEOUT_MS)));
  try {
    return await Promise.race([frames.next().then((r) => (r.done ? undefined : r.value)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a session server until SIGINT, SIGTERM, SIGHUP or `signal`; resolves to the exit
 * code. Cleans up its socket, token and record.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Node } from "../../node/node.ts";
 * import { listenSession } from "./server.ts";
 * import { querySession } from "./client.ts";
 * class Root extends Node {}
 * const dir = await Deno.makeTempDir();
 * const stop = new AbortController();
 * let ready: () => void;
 * const listening = new Promise<void>((resolve) => (ready = resolve));
 * const socket = `${dir}/s.sock`;
 * const done = listenSession({
 *   root: Root, script: "example", name: "deployer", socket, dir: `${dir}/sessions`,
 *   signal: stop.signal,
 *   err: (text) => text.startsWith("Listening") && ready(),
 * });
 * await listening;
 * assert.equal((await querySession(socket)).clients, 0);
 * stop.abort();
 * assert.equal(await done, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function listenSession(request: ListenRequest): Promise<number> {
  const dir = await privateDir(request.dir ?? sessionDir());
  const socket = request.socket ?? `${dir}/${Deno.pid}.sock`;
  await claimSocket(socket);
  const router = new RoutingLogger();
  const loggers: Logger[] = [...(request.loggers ?? []), router];
  if (request.log) loggers.push(JsonLinesLogger.open(request.log));
  const stop = new AbortController();
  await using env = new Env({ interactive: false, parallel: request.parallel, loggers });
  const root = env.bind(request.root) as object;

  const token = randomToken();
  await removeQuietly(tokenPath(socket));
  await Deno.writeTextFile(tokenPath(socket), `${token}\n`, { mode: 0o600, createNew: true });
  const listener = Deno.listen({ transport: "unix", path: socket });
  await Deno.chmod(socket, 0o600);
  const record: SessionRecord = {
    pid: Deno.pid,
    socket,
    script: request.script,
    started: new Date().toISOString(),
  };
  const recordFile = `${dir}/${Deno.pid}.json`;
  await Deno.writeTextFile(recordFile, JSON.stringify(record), { mode: 0o600 });

  const clients = new Set<Deno.Conn>();
  const panes: PaneRegistry = new Map();
  let shells = 0;
  const shutdown = () => stop.abort();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const name of signals) Deno.addSignalListener(name, shutdown);
  request.signal?.addEventListener("abort", shutdown, { once: true });
  stop.signal.addEventListener("abort", () => {
    listener.close();
    for (const conn of clients) {
      try {
        conn.close();
      } catch {
        // closed already
      }
    }
  }, { once: true });
  request.err(
    `Listening on ${socket} (pid ${Deno.pid}); open shells with: ${request.name} connect --socket ${socket}\n`,
  );

  const serve = async (conn: Deno.Conn) => {
    const writer = conn.writable.getWriter();
    const send = (frame: Uint8Array) => void writer.write(frame).catch(() => {});
    const frames = readFrames(conn.readable);
    try {
      const first = await firstFrame(frames);
      if (!first) return; // a probe, or a client that said nothing
      const asked = first && (first.type === FRAME.hello || first.type === FRAME.info)
        ? jsonOf<Partial<Hello> & { token?: string; tty?: boolean }>(first)
        : undefined;
      if (!asked || !sameToken(String(asked.token ?? ""), token)) {
        request.err(`Refused a client on ${socket}: it did not present the session token\n`);
        await writer.write(encodeFrame(FRAME.error, {
          message: "Refused: this session belongs to another user (wrong or missing token)",
        }));
        return;
      }
      if (first!.type === FRAME.info) {
        await writer.write(encodeFrame(FRAME.described, { ...record, clients: shells }));
        return;
      }
      const paneKey = (asked as { pane?: unknown }).pane;
      if (typeof paneKey === "string") {
        // A tmux pane showing one isolation of another client's action.
        const sink = panes.get(paneKey);
        if (!sink) {
          await writer.write(encodeFrame(FRAME.error, { message: "That pane's action is over" }));
          return;
        }
        panes.delete(paneKey);
        await new Promise<void>((resolve) =>
          sink.attach((text) => send(encodeFrame(FRAME.output, text)), (code) => {
            send(encodeFrame(FRAME.exit, { code }));
            resolve();
          })
        );
        return;
      }
      const hello: Hello = {
        cols: Number(asked.cols) || 80,
        rows: Number(asked.rows) || 24,
        term: String(asked.term ?? "xterm"),
        color: asked.color === true,
        path: Array.isArray(asked.path) ? asked.path.map(String) : [],
        action: Array.isArray(asked.action) ? asked.action.map(String) : [],
      };
      const client = new ClientTerminal(send, hello);
      const pump = (async () => {
        for await (const frame of frames) {
          if (frame.type === FRAME.input) client.type(frame.data);
          else if (frame.type === FRAME.resize) {
            const { cols, rows } = jsonOf<{ cols: number; rows: number }>(frame);
            client.resize(Number(cols) || 80, Number(rows) || 24);
          }
        }
      })().catch(() => {}).finally(() => client.end());
      const gone = new AbortController();
      pump.finally(() => gone.abort(new Error("The session client disconnected")));
      const fork = env.fork({
        console: client.console,
        terminal: client.terminal,
        signal: gone.signal,
      });
      const terminalLogger = new TerminalLogger(
        { write: (t: string) => client.output.write(t) },
        // A one-action client writing to a pipe gets plain lines, a terminal gets line clears.
        { color: client.console.color, clearLine: !hello.action.length || asked.tty === true },
      );
      const paneSetup = (asked as { panes?: PaneSetup }).panes;
      const logger = paneSetup
        ? new PaneRouter(
          terminalLogger,
          paneSetup,
          panes,
          (t) => void client.output.write(t),
          client.console.color,
        )
        : terminalLogger;
      shells++;
      const write = (text: string) => void client.output.write(text);
      const code = await router.run(
        logger,
        () =>
          hello.action.length
            // Its own tree in a fork that stops when the client goes away (same connections).
            ? runRemoteAction(
              env.fork({ signal: gone.signal }).bind(request.root) as object,
              hello.path,
              hello.action,
              write,
            )
            : runShell({
              root,
              env: fork,
              name: request.name,
              startPath: hello.path,
              input: client.input,
              output: client.output,
              interrupts: client.interrupts,
            }),
      ).finally(() => shells--);
      await writer.write(encodeFrame(FRAME.exit, { code })).catch(() => {});
    } catch (error) {
      request.err(`Session client failed: ${error instanceof Error ? error.message : error}\n`);
    } finally {
      clients.delete(conn);
      try {
        await writer.close();
      } catch {
        // already closed
      }
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };

  const served = new Set<Promise<void>>();
  try {
    for await (const conn of listener) {
      clients.add(conn);
      const job = serve(conn);
      served.add(job);
      job.finally(() => served.delete(job));
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    for (const name of signals) Deno.removeSignalListener(name, shutdown);
    await Promise.allSettled([...served]);
    await removeQuietly(socket, tokenPath(socket), recordFile);
  }
  return 0;
}

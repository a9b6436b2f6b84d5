/**
 * A {@linkcode RunningCommand} for a local child process (private to `local.ts`). The
 * child runs in its own session and process group, so `kill()` reaches the whole tree.
 * With a PTY the command runs under util-linux `script`, which owns the terminal.
 *
 * @module
 */
import type { ExecOptions, ExitStatus, PtyRequest, RunningCommand } from "./connection.ts";
import { descendants, sendSignal } from "./_process_tree.ts";

/** Sends `KILL` to `pid`; false only when the system refused (another user's process). */
function killed(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch (error) {
    return !(error instanceof Deno.errors.PermissionDenied);
  }
  return true;
}

/**
 * `sudo -n kill -KILL` for processes the operator may not signal (they run under sudo).
 * Without passwordless sudo (or without permission to run it) they are left, as before.
 */
async function killWithSudo(pids: number[]): Promise<void> {
  try {
    await new Deno.Command("sudo", {
      args: ["-n", "kill", "-KILL", ...pids.map(String)],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  } catch {
    // no sudo here, or not allowed to run it
  }
}

/** How long `kill()` waits after the signal before it sends `KILL` to the whole tree. */
export const KILL_GRACE_MS = 2000;
/** After `KILL`, how long output from escaped processes is still awaited. */
const DRAIN_GRACE_MS = 1000;

/** Quotes a string for a POSIX shell: `'...'` with `'\''` for quotes inside. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The program and arguments of a local command. */
export interface LocalSpawn {
  /** Program (looked up in PATH). */
  program: string;
  /** Arguments. */
  args: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** The PTY, when the command runs under `script`. */
  pty?: PtyRequest;
}

/**
 * Wraps `inner` (shell text) so it runs under a PTY of the requested size: `script` runs
 * the text with `$SHELL -c`, so `SHELL` is pinned to `sh` for that and restored inside.
 */
export function ptySpawn(inner: string, pty: PtyRequest, shell: string | undefined): LocalSpawn {
  const restore = shell === undefined ? "unset SHELL" : `SHELL=${shellQuote(shell)}; export SHELL`;
  const text = `stty cols ${Math.trunc(pty.cols)} rows ${Math.trunc(pty.rows)} 2>/dev/null; ` +
    `${restore}; ${inner}`;
  return {
    program: "script",
    args: ["-qfec", text, "/dev/null"],
    env: { TERM: pty.term, SHELL: "/bin/sh" },
    pty,
  };
}

function signalName(signal: string): Deno.Signal {
  const name = signal.toUpperCase().replace(/^(SIG)?/, "SIG");
  return /^SIG[A-Z0-9]+$/.test(name) ? name as Deno.Signal : "SIGTERM";
}

async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  deliver: ((chunk: Uint8Array) => void) | undefined,
): Promise<void> {
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      deliver?.(value);
    }
  } catch {
    // cancelled after KILL: processes that escaped still held the pipe
  }
}

/** `script` reports its own end on stderr when it is killed; that is not command output. */
function withoutScriptNotes(deliver?: (chunk: Uint8Array) => void) {
  if (!deliver) return undefined;
  return (chunk: Uint8Array) => {
    const text = new TextDecoder().decode(chunk);
    if (!/^Session terminated, killing shell/.test(text)) deliver(chunk);
  };
}

/**
 * A started local command.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalCommand } from "./_local_command.ts";
 * let out = "";
 * const command = new LocalCommand({ program: "sh", args: ["-c", "tr a-z A-Z"] }, {
 *   onStdout: (chunk) => out += new TextDecoder().decode(chunk),
 * });
 * await command.write("hello\n");
 * await command.closeStdin();
 * assert.deepEqual(await command.status, { code: 0 });
 * assert.equal(out, "HELLO\n");
 * ```
 */
export class LocalCommand implements RunningCommand {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #readers: ReadableStreamDefaultReader<Uint8Array>[];
  #pty: boolean;
  #stdinClosed = false;
  #exited = false;
  #done = false;
  #killedWith: string | undefined;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #pending: Promise<unknown>[] = [];
  /** Resolves when the command has ended and all its output has been delivered. */
  readonly status: Promise<ExitStatus>;

  /** Spawns the program (throws when it cannot be started). */
  constructor(spawn: LocalSpawn, options: ExecOptions) {
    this.#pty = spawn.pty !== undefined;
    this.#child = new Deno.Command(spawn.program, {
      args: spawn.args,
      env: spawn.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true, // own session and process group: kill(-pid) reaches the tree
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#readers = [this.#child.stdout.getReader(), this.#child.stderr.getReader()];
    const drained = Promise.all([
      pump(this.#readers[0], options.onStdout),
      pump(this.#readers[1], this.#pty ? withoutScriptNotes(options.onStderr) : options.onStderr),
    ]);
    this.status = this.#finish(drained);
  }

  async #finish(drained: Promise<unknown>): Promise<ExitStatus> {
    const status = await this.#child.status;
    this.#exited = true;
    if (!this.#stdinClosed) {
      this.#stdinClosed = true;
      await this.#writer.abort().catch(() => {});
    }
    await drained;
    this.#done = true;
    for (const timer of this.#timers) clearTimeout(timer);
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
    if (status.signal) return { code: null, signal: status.signal.replace(/^SIG/, "") };
    // `script` exits 0 when it is killed: report the signal we sent.
    if (this.#pty && this.#killedWith) return { code: null, signal: this.#killedWith };
    return { code: status.code };
  }

  /** The PID of the child (the session and process group leader). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Writes to standard input; does nothing once stdin is closed or the process ended. */
  async write(data: Uint8Array | string): Promise<void> {
    if (this.#stdinClosed || this.#exited) return;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    try {
      await this.#writer.write(bytes);
    } catch {
      // the process stopped reading (broken pipe)
    }
  }

  /** Closes standard input (EOF); under a PTY `script` passes EOF on as `^D`. */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    await this.#writer.close().catch(() => {});
  }

  /**
   * Changes the PTY size with `stty -F <pty>` (needs `--allow-run=stty`); the terminal then
   * sends `SIGWINCH` to the command. Best effort: failures are ignored.
   */
  resize(cols: number, rows: number): void {
    if (!this.#pty || this.#exited) return;
    this.#pending.push(resizePty(this.#child.pid, cols, rows).catch(() => {}));
  }

  /**
   * Sends the signal (default `TERM`) to the command's process group and every process
   * below it, then `KILL` to all of them when the command has not ended within 2 s.
   */
  kill(signal = "TERM"): void {
    if (this.#done) return;
    const name = signalName(signal);
    this.#killedWith ??= name.slice(3);
    this.#signalTree(name, false);
    if (this.#timers.length > 0) return;
    this.#timers.push(setTimeout(() => {
      this.#signalTree("SIGKILL", true);
      this.#timers.push(setTimeout(() => {
        for (const reader of this.#readers) reader.cancel().catch(() => {});
      }, DRAIN_GRACE_MS));
    }, KILL_GRACE_MS));
  }

  /**
   * Sends `KILL` at once, with no `TERM` first, to the command's process group and every
   * process below it: for a program about to exit, which cannot wait for the grace period.
   * Processes the operator may not signal (a sudo'd command's, owned by root) get it
   * through `sudo -n kill`. Resolves once the signals are sent (the processes may end a
   * moment later).
   */
  async killNow(): Promise<void> {
    if (this.#done) return;
    const pid = this.#child.pid;
    // The tree is read first: once the leader is gone its children belong to init.
    const below = this.#exited ? [] : await descendants(pid);
    sendSignal(-pid, "SIGKILL");
    if (!this.#exited) sendSignal(pid, "SIGKILL");
    // Processes of a sudo'd command belong to root: the operator's own kill is refused.
    const refused = below.filter((kid) => !killed(kid));
    if (refused.length) await killWithSudo(refused);
  }

  /**
   * Signals the tree. Without a PTY the process group first (synchronously), then every
   * descendant. Under a PTY only the processes below `script` (their end makes `script`
   * exit; `script` itself answers TERM with a 2 s sleep before it kills), or `script`
   * when there are none yet. The `KILL` escalation hits everything.
   */
  #signalTree(signal: Deno.Signal, escalate: boolean): void {
    const pid = this.#child.pid;
    if (!escalate && !this.#pty) {
      sendSignal(-pid, signal);
      sendSignal(pid, signal);
    }
    this.#pending.push(
      descendants(pid).then((pids) => {
        for (const kid of pids) sendSignal(kid, signal);
        if (escalate || (this.#pty && pids.length === 0)) sendSignal(-pid, signal);
      }),
    );
  }
}

async function resizePty(pid: number, cols: number, rows: number): Promise<void> {
  for (const kid of await descendants(pid)) {
    const tty = await Deno.readLink(`/proc/${kid}/fd/0`).catch(() => "");
    if (!tty.startsWith("/dev/pts/")) continue;
    await new Deno.Command("stty", {
      args: ["-F", tty, "cols", String(Math.trunc(cols)), "rows", String(Math.trunc(rows))],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return;
  }
}

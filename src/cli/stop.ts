/**
 * Stopping a run on a signal (private to the CLI): which signals stop it, what the first,
 * second and third one do, and what was stopped (told from the log events).
 *
 * @module
 */
import type { LogEvent, Logger } from "../exec/logger.ts";

/** Where stop messages go: the CLI's standard error. */
interface ErrorOutput {
  err(text: string): void;
}

/**
 * How long a second signal waits for the local commands to be sent `KILL` before the CLI
 * exits (the processes of a command that ignores `TERM` must not outlive it).
 */
const EXIT_KILL_MS = 1_000;

/** The signals that stop a run, with their numbers (the exit code is 128 + the number). */
export const STOP_SIGNALS: ReadonlyArray<readonly [Deno.Signal, number]> = [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
  ["SIGQUIT", 3],
];

/**
 * Collects the hosts whose commands were stopped by the abort signal (confirmed on the
 * host, or not), and counts the commands still running.
 */
export class StopTracker implements Logger {
  readonly stopped: Set<string> = new Set();
  readonly unconfirmed: Set<string> = new Set();
  /** Hosts whose file transfers the abort stopped. */
  readonly transfers: Set<string> = new Set();
  #running = 0;
  #idle: (() => void)[] = [];
  log(event: LogEvent): void {
    if (event.type === "file" && !event.ok && /\baborted\b/.test(event.error ?? "")) {
      this.transfers.add(event.host);
    }
    if (event.type === "command.start") this.#running++;
    if (event.type !== "command.end") return;
    this.#running = Math.max(0, this.#running - 1);
    if (this.#running === 0) { for (const wake of this.#idle.splice(0)) wake(); }
    if (event.code === null && event.reason?.startsWith("aborted")) {
      (event.stopped === false ? this.unconfirmed : this.stopped).add(event.host);
    }
  }
  /** Resolves when no command runs (or after `ms`). */
  idle(ms: number): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  /** What was stopped, in words. */
  summary(): string {
    const stopped = [...this.stopped].filter((h) => !this.unconfirmed.has(h));
    const parts = [];
    if (stopped.length) parts.push(`stopped the commands on ${stopped.join(", ")}`);
    if (this.transfers.size) {
      parts.push(`stopped the file transfers on ${[...this.transfers].join(", ")}`);
    }
    if (this.unconfirmed.size) {
      parts.push(
        `could not confirm that the commands on ${[...this.unconfirmed].join(", ")} stopped ` +
          `(some of their processes may still run)`,
      );
    }
    return parts.join("; ");
  }
}

/** Writes to stderr, ignoring failures (after SIGHUP the terminal may be gone). */
export function tryWrite(io: ErrorOutput, text: string): void {
  try {
    io.err(text);
  } catch {
    // nowhere to write
  }
}

/**
 * Listens for the stop signals: the first calls `onFirst`; a second one exits, once
 * `beforeExit` is done or after {@linkcode EXIT_KILL_MS}; a third exits at once. Returns the
 * function that removes the listeners.
 */
export function listenForStop(
  io: ErrorOutput,
  signals: ReadonlyArray<readonly [Deno.Signal, number]>,
  onFirst: (name: Deno.Signal, code: number) => void,
  beforeExit: () => Promise<void>,
): () => void {
  let caught = 0;
  const removers: (() => void)[] = [];
  for (const [name, number] of signals) {
    const listener = () => {
      caught++;
      if (caught === 1) return onFirst(name, 128 + number);
      if (caught > 2) Deno.exit(128 + number);
      tryWrite(io, `${name} again: exiting now.\n`);
      const late = new Promise((resolve) => setTimeout(resolve, EXIT_KILL_MS));
      Promise.race([beforeExit().catch(() => {}), late]).finally(() => Deno.exit(128 + number));
    };
    try {
      Deno.addSignalListener(name, listener);
      removers.push(() => Deno.removeSignalListener(name, listener));
    } catch {
      // not supported on this platform
    }
  }
  return () => removers.forEach((remove) => remove());
}

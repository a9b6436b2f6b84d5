/**
 * What bound hosts need from the environment they run in. `Env` (src/exec) implements
 * it; hosts never reach for globals.
 *
 * @module
 */
import type { Connection } from "./connection.ts";
import type { HostEvent } from "./events.ts";
import type { Host } from "./host.ts";

/** The local terminal, for interactive commands. */
export interface Terminal {
  /** Whether it is a real TTY (interactive commands need one). */
  readonly isTTY: boolean;
  /** The `TERM` value to give remote PTYs. */
  readonly term: string;
  /** The current size. */
  size(): { cols: number; rows: number };
  /**
   * Takes the terminal over (raw mode): input goes to `onInput`, size changes to
   * `onResize`. Returns a function that gives it back.
   */
  attach(handlers: {
    onInput(data: Uint8Array): void;
    onResize(cols: number, rows: number): void;
  }): () => void;
  /** Writes bytes straight to the terminal. */
  write(data: Uint8Array): void;
}

/** The environment's services for hosts. */
export interface HostServices {
  /** The connection to a host (opened once per Env). */
  connection(host: Host): Promise<Connection>;
  /** Whether the environment is a sandbox (dry run). */
  readonly sandbox: boolean;
  /** Aborts everything the environment runs. */
  readonly signal: AbortSignal | undefined;
  /** The local terminal, when there is one. */
  readonly terminal: Terminal | undefined;
  /** The random prompt sudo is given, recognised in its output. */
  readonly sudoMarker: string;
  /** Reports an event to the loggers. */
  emit(event: HostEvent): void;
  /** A new command id. */
  nextId(): number;
  /** Runs `task` within the environment's concurrency limit. */
  limit<T>(task: () => Promise<T>): Promise<T>;
  /** The sudo password of a host: its own, or asked once per Env. */
  sudoPassword(host: Host, user: string): Promise<string>;
  /** Forgets a sudo password that turned out wrong. */
  forgetSudoPassword(host: Host): void;
  /** A per-Env memo for one host (e.g. whether sudo needs a password). */
  memo(host: Host): Map<string, unknown>;
  /** Records a command of the sandbox plan, with its directory, variable names and sudo user. */
  recordPlan(
    host: string,
    command: string,
    details?: { cwd?: string; env?: readonly string[]; user?: string },
  ): void;
}

/**
 * Structured events that hosts report while they work. Loggers (src/exec) receive them
 * together with action events.
 *
 * @module
 */

/** A command started. `command` is masked and shows prefixes but not cd/export. */
export interface CommandStartEvent {
  /** Event type. */
  readonly type: "command.start";
  /** Identifies the command across its events. */
  readonly id: number;
  /** Host slug. */
  readonly host: string;
  /** The masked command as shown to people. */
  readonly command: string;
  /** The working directory, when one was set with `cd`. */
  readonly cwd?: string;
  /** Whether it runs with sudo (and as which user). */
  readonly sudo: boolean;
  /** The sudo target user. */
  readonly user?: string;
  /** Whether this is only a sandbox syntax check. */
  readonly sandbox: boolean;
  /** Whether the terminal is attached. */
  readonly interactive: boolean;
}

/** A command wrote output (already masked). */
export interface CommandOutputEvent {
  /** Event type. */
  readonly type: "command.output";
  /** The command's id. */
  readonly id: number;
  /** Host slug. */
  readonly host: string;
  /** Which stream. */
  readonly stream: "stdout" | "stderr";
  /** The text of the chunk. */
  readonly text: string;
}

/** A command ended. */
export interface CommandEndEvent {
  /** Event type. */
  readonly type: "command.end";
  /** The command's id. */
  readonly id: number;
  /** Host slug. */
  readonly host: string;
  /** The exit code, `null` when stopped. */
  readonly code: number | null;
  /** Milliseconds it took. */
  readonly duration: number;
  /** Why it was stopped, if it was. */
  readonly reason?: string;
  /** When it was stopped: whether the host confirmed that none of its processes is left. */
  readonly stopped?: boolean;
}

/** A file was read or written. */
export interface FileEvent {
  /** Event type. */
  readonly type: "file";
  /** Host slug. */
  readonly host: string;
  /** What happened. */
  readonly operation: "read" | "write" | "put" | "get";
  /** The path on the host. */
  readonly path: string;
  /** The local path, for put/get. */
  readonly localPath?: string;
  /** Whether sudo was used. */
  readonly sudo: boolean;
  /** In sandbox mode nothing is written. */
  readonly sandbox: boolean;
  /** Bytes moved. */
  readonly bytes?: number;
  /** Whether it succeeded. */
  readonly ok: boolean;
  /** The error message when it failed. */
  readonly error?: string;
}

/** A free-form message. */
export interface MessageEvent {
  /** Event type. */
  readonly type: "message";
  /** Severity. */
  readonly level: "info" | "warning" | "error";
  /** The message. */
  readonly text: string;
  /** Host slug, when it concerns one host. */
  readonly host?: string;
}

/** Every event a host reports. */
export type HostEvent =
  | CommandStartEvent
  | CommandOutputEvent
  | CommandEndEvent
  | FileEvent
  | MessageEvent;

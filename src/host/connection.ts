/**
 * The transport interface between a host handle and a real machine. A `Connection`
 * runs shell text and moves files; everything above it (composition of cd / env /
 * sudo, logging, sandbox, results) is shared by every kind of host.
 *
 * @module
 */
import { HOST_BRAND } from "../brands.ts";

/** File metadata, the same on every kind of host. */
export interface Stat {
  /** The base name of the file. */
  readonly filename: string;
  /** Size in bytes. */
  readonly size: number;
  /** Owner user id. */
  readonly uid: number;
  /** Owner group id. */
  readonly gid: number;
  /** Full `st_mode` (type and permission bits). */
  readonly mode: number;
  /** Whether it is a directory. */
  readonly isDir: boolean;
  /** Whether it is a regular file. */
  readonly isFile: boolean;
  /** Whether it is a symbolic link (only when not followed). */
  readonly isSymlink: boolean;
  /** Modification time. */
  readonly mtime: Date;
}

/** A pseudo terminal requested for a command. */
export interface PtyRequest {
  /** `TERM` for the remote side. */
  term: string;
  /** Columns. */
  cols: number;
  /** Rows. */
  rows: number;
}

/** How to start a command on a connection. */
export interface ExecOptions {
  /** Allocate a PTY (stdout and stderr then arrive merged on stdout). */
  pty?: PtyRequest;
  /** Called with every chunk of standard output, as it arrives. */
  onStdout?: (chunk: Uint8Array) => void;
  /** Called with every chunk of standard error, as it arrives. */
  onStderr?: (chunk: Uint8Array) => void;
}

/** How a started command ended. */
export interface ExitStatus {
  /** The exit code, or `null` when it was killed by a signal or the channel closed. */
  code: number | null;
  /** The signal name that ended it, if any (`TERM`, `KILL`, ...). */
  signal?: string;
}

/** A command that has been started on a connection. */
export interface RunningCommand {
  /** Writes to the command's standard input. */
  write(data: Uint8Array | string): Promise<void>;
  /** Closes the command's standard input (EOF). */
  closeStdin(): Promise<void>;
  /** Changes the PTY size, when one was requested. */
  resize(cols: number, rows: number): void;
  /**
   * Stops the command: sends the signal (default `TERM`), and closes the channel
   * or kills the process group when it does not end soon after.
   */
  kill(signal?: string): void;
  /** Resolves when the command has ended and all its output has been delivered. */
  readonly status: Promise<ExitStatus>;
}

/** A source of bytes to write to a file. */
export type FileData = Uint8Array | ReadableStream<Uint8Array>;

/** Options of a file transfer on a connection. */
export interface TransferOptions {
  /**
   * Stops the transfer: it rejects at once, the remote side is stopped and no temporary
   * file is left. Closing the connection stops its transfers too.
   */
  signal?: AbortSignal;
}

/** Options of {@linkcode Connection.writeFile}. */
export interface WriteFileOptions extends TransferOptions {
  /** The mode of the file (default: the existing file's, else 0644). */
  mode?: number;
}

/**
 * A live link to one host. Obtained from {@linkcode Host} through an `Env`, which opens at
 * most one per host and closes it when the Env closes.
 */
export interface Connection {
  /**
   * Starts shell text on the host. The text is given to a POSIX shell (the remote login
   * shell over SSH, `/bin/sh` locally); the host handle passes `sh -c '<...>'`, or the
   * inner text alone where {@linkcode Connection.loginShellIsSh} is `true`.
   */
  exec(command: string, options?: ExecOptions): Promise<RunningCommand>;
  /**
   * Whether the shell that runs the text given to {@linkcode Connection.exec} is the host's
   * `/bin/sh` itself: `true` or `false` once learned (see
   * {@linkcode Connection.learnLoginShell}), `undefined` while not known. A connection
   * that was re-opened after a drop does not know it again until told. Connections
   * without {@linkcode Connection.learnLoginShell} never know it.
   */
  readonly loginShellIsSh?: boolean;
  /**
   * Records what `command` (started by {@linkcode Connection.exec} on this connection)
   * found out about the login shell. Ignored when the connection was re-opened since the
   * command started: what it found may not hold for the new one.
   */
  learnLoginShell?(command: RunningCommand, isSh: boolean): void;
  /**
   * Starts the login shell of the user with a PTY (SSH `shell` request; locally
   * `$SHELL -l` under a PTY). Used by `startInteractiveShell()`.
   */
  shell(options: ExecOptions & { pty: PtyRequest }): Promise<RunningCommand>;
  /** The directory commands start in (the login directory over SSH, the process cwd locally). */
  startPath(): Promise<string>;
  /** The home directory of the login user. */
  home(): Promise<string>;
  /** Reads a whole file. */
  readFile(path: string, options?: TransferOptions): Promise<Uint8Array>;
  /** Reads a file as a stream (for large files); the signal errors the stream. */
  readStream(path: string, options?: TransferOptions): Promise<ReadableStream<Uint8Array>>;
  /**
   * Writes a file atomically: the data goes to a temporary file in the same directory,
   * which is renamed over `path` only when everything was written. On failure the
   * temporary file is removed and `path` is untouched (also when `options.signal` aborts).
   */
  writeFile(path: string, data: FileData, options?: WriteFileOptions): Promise<void>;
  /** Stats a path, following symbolic links unless `lstat` is set. Rejects when it does not exist. */
  stat(path: string, options?: { lstat?: boolean }): Promise<Stat>;
  /** Lists a directory with the stat of every entry (not `.` and `..`), sorted by name. */
  readDir(path: string): Promise<Stat[]>;
  /** Removes a file (not a directory). */
  remove(path: string): Promise<void>;
  /** Renames a file, replacing the target. */
  rename(from: string, to: string): Promise<void>;
  /** Whether the connection is still usable. */
  readonly alive: boolean;
  /** Closes the connection and everything running on it. */
  close(): Promise<void>;
}

/** What a host needs from its Env to open a connection. */
export interface ConnectContext {
  /** Aborts connecting. */
  signal?: AbortSignal;
  /** Whether a person can be asked questions (host key policy `ask`). */
  interactive: boolean;
  /** Asks a yes/no question (used by the host-key policy `ask`). */
  confirm(question: string): Promise<boolean>;
  /** Reports progress lines while connecting (optional). */
  progress?(message: string): void;
  /** Asks to pick one answer (the host key policy `ask` offers "yes to all remaining"). */
  choose?<T>(question: string, options: ReadonlyArray<readonly [string, T]>): Promise<T>;
  /** Reports what connecting does now: `connecting`, then `authenticating` (optional). */
  phase?(phase: "connecting" | "authenticating"): void;
  /**
   * A run-scoped memo (one per `Env`) where hosts keep what they parsed from local files
   * (SSH config, known_hosts) so that a run reads them once, not on every connect.
   */
  memo?: Map<string, unknown>;
}

export { HOST_BRAND };

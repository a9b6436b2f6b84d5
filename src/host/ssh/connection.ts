/**
 * {@linkcode SshConnection}: one SSH connection (through its jump hosts) shared by every
 * command, shell and file operation on a host. Channels are multiplexed and queued under
 * sshd's `MaxSessions`; one SFTP session is opened lazily and reused; a dropped
 * connection is re-opened once, transparently, by the next operation.
 *
 * @module
 */
// @ts-types="npm:@types/ssh2@1.15.6"
import type { Client, ClientChannel, SFTPWrapper } from "npm:ssh2@1.17.0";
import { ConnectionError } from "../../errors.ts";
import type {
  ConnectContext,
  Connection,
  ExecOptions,
  FileData,
  PtyRequest,
  RunningCommand,
  Stat,
  TransferOptions,
  WriteFileOptions,
} from "../connection.ts";
import { isTempName } from "../file_names.ts";
import { Transfers } from "../transfer_abort.ts";
import { ChannelCommand } from "./command.ts";
import { SftpFiles } from "./sftp.ts";
import { ChannelBusyError } from "./sftp_guard.ts";
import { CHANNEL_OPEN_RETRIES, refusalMessage, SessionSlots } from "./session_slots.ts";
import { type HopTarget, openClient } from "./transport.ts";

/** What an {@linkcode SshConnection} connects to. */
export interface SshConnectionPlan {
  /** The slug of the host (for messages). */
  slug: string;
  /** The jump hosts in order, then the host itself (last). */
  hops: HopTarget[];
  /** Most session channels (commands, shells) open at once; more wait. Default 8. */
  maxSessions?: number;
  /** Runs a connection set-up within the host's limit of concurrent set-ups. */
  gate?: <T>(task: () => Promise<T>) => Promise<T>;
  /**
   * Temporary files that uploads cut by a lost connection left on the host, shared by
   * every connection of one host definition: the next connection removes them.
   */
  leftovers?: Set<string>;
}

interface Session {
  clients: Client[];
  main: Client;
  dead: boolean;
  files?: Promise<SftpFiles>;
  sftp?: SFTPWrapper;
  startPath?: Promise<string>;
  /** Whether the login shell is the host's `/bin/sh` (unknown until a command says). */
  loginShellIsSh?: boolean;
}

function waitClosed(client: Client, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The {@linkcode Connection} of an `SshHost`. Obtain it with `SshHost.connect()`.
 *
 * @example Usage
 * ```ts
 * // Illustrative: needs a reachable SSH server, so this is type-checked but not run.
 * import { SshHost } from "./ssh_host.ts";
 * async function hello(address: string): Promise<string> {
 *   const host = new SshHost({ slug: "web1", address, username: "deploy" });
 *   const connection = await host.connect({ interactive: false, confirm: async () => false });
 *   try {
 *     let out = "";
 *     const command = await connection.exec("echo hello", {
 *       onStdout: (chunk) => out += new TextDecoder().decode(chunk),
 *     });
 *     await command.closeStdin();
 *     await command.status; // { code: 0 }
 *     return out; // "hello\n"
 *   } finally {
 *     await connection.close();
 *   }
 * }
 * ```
 */
export class SshConnection implements Connection {
  #plan: SshConnectionPlan;
  #context: ConnectContext;
  #session: Session | undefined;
  #opening: Promise<Session> | undefined;
  #closed = false;
  readonly #slots: SessionSlots;
  /** Temporary files a lost connection kept us from removing; removed after reconnecting. */
  readonly #temps: Set<string>;
  /** The session every command was started on (for {@linkcode SshConnection.learnLoginShell}). */
  readonly #started = new WeakMap<RunningCommand, Session>();
  /** The file transfers in flight: stopped by their signal, or when the connection closes. */
  readonly #transfers: Transfers;

  /** Prepares a connection; nothing is opened until {@linkcode SshConnection.open}. */
  constructor(plan: SshConnectionPlan, context: ConnectContext) {
    this.#plan = plan;
    this.#transfers = new Transfers(plan.slug);
    this.#context = context;
    this.#slots = new SessionSlots(plan.maxSessions ?? 8);
    this.#temps = plan.leftovers ?? new Set();
  }

  /** Opens the connection now (rejects with `ConnectionError` / `HostKeyError`). */
  async open(): Promise<this> {
    await this.#ensure();
    return this;
  }

  /** Whether the connection is open and has not dropped. */
  get alive(): boolean {
    return !this.#closed && this.#session !== undefined && !this.#session.dead;
  }

  /**
   * Whether the login shell of this connection is the host's `/bin/sh` (`undefined` until a
   * command found out; a new connection after a drop finds out again).
   */
  get loginShellIsSh(): boolean | undefined {
    const session = this.#session;
    return session && !session.dead ? session.loginShellIsSh : undefined;
  }

  /**
   * Records whether the login shell is the host's `/bin/sh`, as `command` found out; ignored
   * when `command` ran on an earlier connection (before a drop).
   */
  learnLoginShell(command: RunningCommand, isSh: boolean): void {
    const session = this.#started.get(command);
    if (session && session === this.#session && !session.dead) session.loginShellIsSh = isSh;
  }

  #ensure(): Promise<Session> {
    if (this.#closed) {
      return Promise.reject(new ConnectionError(this.#plan.slug, "the connection was closed"));
    }
    if (this.#session && !this.#session.dead) return Promise.resolve(this.#session);
    const gate = this.#plan.gate ?? ((task) => task());
    this.#opening ??= gate(() => this.#connect()).finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #connect(): Promise<Session> {
    const clients: Client[] = [];
    try {
      for (const hop of this.#plan.hops) {
        clients.push(await openClient(hop, this.#context, clients.at(-1)));
      }
    } catch (error) {
      for (const client of clients.reverse()) client.end();
      throw error;
    }
    const session: Session = { clients, main: clients.at(-1)!, dead: false };
    const drop = () => {
      if (session.dead) return;
      session.dead = true;
      for (const client of [...clients].reverse()) client.end();
    };
    for (const client of clients) client.on("close", drop);
    if (this.#closed) {
      drop();
      throw new ConnectionError(this.#plan.slug, "the connection was closed");
    }
    this.#session = session;
    // Uploads cut by the drop that ended the previous session left temporary files.
    if (this.#temps.size) await this.#filesOf(session).catch(() => {});
    return session;
  }

  async #channel(
    open: (client: Client, cb: (error: Error | undefined, channel: ClientChannel) => void) => void,
    options: ExecOptions,
    now = false, // no channel free at once: ChannelBusyError instead of waiting
  ): Promise<RunningCommand> {
    const session = await this.#ensure();
    if (now && this.#slots.full) throw new ChannelBusyError(this.#plan.slug);
    let release = await this.#slots.take();
    for (let attempt = 0;; attempt++) {
      try {
        if (session.dead) {
          throw new Error(this.#closed ? "the connection was closed" : "the connection was lost");
        }
        // The command must listen from the callback on: `exit` may arrive in the same
        // socket read as the channel confirmation.
        const command = await new Promise<RunningCommand>((resolve, reject) =>
          open(
            session.main,
            (error, channel) =>
              error ? reject(error) : resolve(new ChannelCommand(channel, options, release)),
          )
        );
        this.#started.set(command, session);
        return command;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const refused = !session.dead && /open failed/i.test(message);
        const others = this.#slots.used - 1;
        if (refused && others > 0 && !this.#closed) {
          // sshd's MaxSessions is below ours: learn its limit, wait for one of our own
          // channels to close, then try again.
          this.#slots.lower(others);
          release();
          if (now) throw new ChannelBusyError(this.#plan.slug);
          release = await this.#slots.take();
          attempt = -1;
          continue;
        }
        // Another client of the same connection may hold sessions: wait and retry.
        if (refused && now) {
          release();
          throw new ChannelBusyError(this.#plan.slug);
        }
        if (refused && attempt < CHANNEL_OPEN_RETRIES) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        release();
        throw new ConnectionError(
          this.#plan.slug,
          refused ? this.#refusal(message) : `cannot open a channel: ${message}`,
          { cause: error },
        );
      }
    }
  }

  /** Why the server refused a session channel, and what to do about it. */
  #refusal(message: string): string {
    const { maxSessions = 8 } = this.#plan;
    return refusalMessage(message, {
      used: this.#slots.used,
      sftp: !!this.#session?.sftp,
      maxSessions,
    });
  }

  /** Starts `command` on a new channel (with a PTY when `options.pty` is given). */
  exec(command: string, options: ExecOptions = {}): Promise<RunningCommand> {
    return this.#channel(
      (client, cb) =>
        client.exec(command, options.pty ? { pty: ptyOptions(options.pty) } : {}, cb as never),
      options,
    );
  }

  /** Starts the login shell with a PTY. */
  shell(options: ExecOptions & { pty: PtyRequest }): Promise<RunningCommand> {
    return this.#channel(
      (client, cb) => client.shell(ptyOptions(options.pty), cb as never),
      options,
    );
  }

  async #files(): Promise<SftpFiles> {
    return await this.#filesOf(await this.#ensure());
  }

  #filesOf(session: Session): Promise<SftpFiles> {
    session.files ??= this.#startSftp(session).catch((error) => {
      session.files = undefined;
      throw error;
    });
    return session.files;
  }

  async #startSftp(session: Session): Promise<SftpFiles> {
    for (let attempt = 0;; attempt++) {
      const opened = await new Promise<SFTPWrapper | Error>((resolve) =>
        session.main.sftp((error, sftp) => resolve(error ?? sftp))
      );
      if (!(opened instanceof Error)) return this.#wrapSftp(session, opened);
      const refused = !session.dead && /open failed/i.test(opened.message);
      if (refused && attempt < CHANNEL_OPEN_RETRIES) {
        // Our commands hold every session sshd allows: leave room for SFTP from now on.
        if (this.#slots.used > 1) this.#slots.lower(this.#slots.used - 1);
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        continue;
      }
      const why = refused ? this.#refusal(opened.message) : opened.message;
      throw new ConnectionError(this.#plan.slug, `cannot start SFTP: ${why}`, { cause: opened });
    }
  }

  #wrapSftp(session: Session, sftp: SFTPWrapper): Promise<SftpFiles> {
    session.sftp = sftp;
    const files = new SftpFiles(
      sftp,
      this.#plan.slug,
      this.#temps,
      (c, o = {}) => this.#channel((client, cb) => client.exec(c, {}, cb as never), o, true),
    );
    sftp.on("close", () => (session.files = undefined));
    // ssh2 does not fail SFTP requests in flight when the connection drops.
    session.main.on(
      "close",
      () => files.fail(new ConnectionError(this.#plan.slug, "the connection was lost")),
    );
    // What uploads cut by an earlier drop left behind goes first.
    return this.#temps.size ? files.removeLeftovers().then(() => files) : Promise.resolve(files);
  }

  /** The login directory (SFTP `realpath(".")`). */
  async startPath(): Promise<string> {
    const session = await this.#ensure();
    session.startPath ??= this.#files().then((f) => f.realpath(".")).catch((error) => {
      session.startPath = undefined;
      throw error;
    });
    return session.startPath;
  }

  /** The home directory of the login user (the login directory). */
  home(): Promise<string> {
    return this.startPath();
  }

  /**
   * Reads a whole file. An abort of `options.signal` stops it and rejects with a
   * `CommandError` (reason `aborted`); closing the connection with a `ConnectionError`.
   */
  readFile(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    return this.#transfers.run(
      `read file ${path}`,
      options.signal,
      async (signal) => await (await this.#files()).readFile(path, { signal }),
    );
  }

  /** Reads a file as a stream; `options.signal`, or closing the connection, errors it. */
  readStream(path: string, options: TransferOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#transfers.run(
      `read file ${path}`,
      options.signal,
      async (signal) => await (await this.#files()).readStream(path, { signal }),
    );
  }

  /**
   * Writes a file atomically (temporary file + rename). An abort of `options.signal` stops
   * it (the remote `cat` or the SFTP writes; the temporary file removed, the target left as
   * it was) and rejects with a `CommandError` (reason `aborted`).
   */
  writeFile(path: string, data: FileData, options: WriteFileOptions = {}): Promise<void> {
    return this.#transfers.run(`write file ${path}`, options.signal, async (signal) => {
      let files: SftpFiles;
      try {
        files = await this.#files();
      } catch (error) {
        if (data instanceof ReadableStream) await data.cancel().catch(() => {});
        throw error;
      }
      return await files.writeFile(path, data, { mode: options.mode, signal });
    }, data);
  }

  /** Stats a path. */
  async stat(path: string, options?: { lstat?: boolean }): Promise<Stat> {
    return await (await this.#files()).stat(path, options);
  }

  /** Lists a directory, sorted by name. */
  async readDir(path: string): Promise<Stat[]> {
    return await (await this.#files()).readDir(path);
  }

  /**
   * Removes a file. When the connection is lost first, one of deployer's temporary files
   * is remembered and removed after reconnecting.
   */
  async remove(path: string): Promise<void> {
    try {
      return await (await this.#files()).remove(path);
    } catch (error) {
      const lost = error instanceof ConnectionError ||
        (error as { cause?: unknown })?.cause instanceof ConnectionError;
      if (lost && isTempName(path.slice(path.lastIndexOf("/") + 1))) this.#temps.add(path);
      throw error;
    }
  }

  /** Renames a file, replacing the target. */
  async rename(from: string, to: string): Promise<void> {
    return await (await this.#files()).rename(from, to);
  }

  /**
   * Closes the connection, its channels and its jump hosts; file transfers in flight are
   * stopped first (their temporary files removed). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Stopped as the commands are, and given a moment to remove their temporary files over
    // the session still open.
    await this.#transfers.close();
    await this.#opening?.catch(() => {});
    const session = this.#session;
    this.#session = undefined;
    this.#slots.close();
    if (!session) return;
    session.dead = true;
    const closed = session.clients.map((c) => waitClosed(c, 2000));
    session.sftp?.end();
    for (const client of [...session.clients].reverse()) client.end();
    await Promise.all(closed);
  }
}

function ptyOptions(pty: PtyRequest): { term: string; cols: number; rows: number } {
  return { term: pty.term, cols: pty.cols, rows: pty.rows };
}

/**
 * A {@linkcode RunningCommand} over an ssh2 session channel (`exec` or `shell`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
// @ts-types="npm:@types/ssh2@1.15.6"
import type { ClientChannel } from "npm:ssh2@1.17.0";
import type { ExecOptions, ExitStatus, RunningCommand } from "../connection.ts";

/** How long `kill()` waits after the signal before it closes the channel. */
export const KILL_GRACE_MS = 2000;
/** How long after closing a killed command's channel its status is given up on. */
const ABANDON_MS = 1000;
/** When `kill()` repeats its signal. */
const RESIGNAL_MS = 250;

/**
 * Wraps an open channel. `release` is called once when the channel has closed (it frees
 * the channel slot).
 *
 * @example Usage
 * ```ts
 * // Illustrative: needs a channel of a live SSH session, so this is type-checked, not run.
 * // @ts-types="npm:@types/ssh2@1.15.6"
 * import type { Client } from "npm:ssh2@1.17.0";
 * import { ChannelCommand } from "./command.ts";
 * function exec(client: Client, command: string): Promise<ChannelCommand> {
 *   return new Promise((resolve, reject) => {
 *     client.exec(command, (error, channel) => {
 *       if (error) reject(error);
 *       else resolve(new ChannelCommand(channel, {}, () => {})); // status: { code, signal? }
 *     });
 *   });
 * }
 * ```
 */
export class ChannelCommand implements RunningCommand {
  #channel: ClientChannel;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  #killedWith: string | undefined;
  #closed = false;
  #abandon: (() => void) | undefined;
  /** Rejects the writes still waiting for the server (its window) when the channel closes. */
  readonly #writes = new Set<(error: Error) => void>();
  /** Resolves when the command has ended and all its output has been delivered. */
  readonly status: Promise<ExitStatus>;

  /** Wraps `channel`, delivering output to the callbacks of `options`. */
  constructor(channel: ClientChannel, options: ExecOptions, release: () => void) {
    this.#channel = channel;
    const ended = (stream: NodeJS.ReadableStream) =>
      new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
      });
    channel.on("data", (chunk: Buffer) => options.onStdout?.(new Uint8Array(chunk)));
    channel.stderr.on("data", (chunk: Buffer) => options.onStderr?.(new Uint8Array(chunk)));
    const stdoutEnded = ended(channel);
    const stderrEnded = ended(channel.stderr);
    let exit: ExitStatus | undefined;
    channel.on("exit", (code: number | null, signal?: string) => {
      exit = code === null || code === undefined
        ? { code: null, signal: signal?.replace(/^SIG/, "") }
        : { code };
    });
    channel.on("error", () => {});
    this.status = new Promise<ExitStatus>((resolve) => {
      this.#abandon = () => {
        // sshd has not closed the channel: give up on it (the slot is freed; a late close
        // from the server is ignored).
        if (this.#closed) return;
        this.#closed = true;
        this.#failWrites();
        release();
        resolve({ code: null, signal: this.#killedWith });
      };
      channel.once("close", async () => {
        clearTimeout(this.#killTimer);
        if (this.#closed) return;
        this.#closed = true;
        this.#failWrites();
        release();
        // Output still queued in the streams is delivered before `status` resolves.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all([stdoutEnded, stderrEnded]),
          new Promise((r) => (timer = setTimeout(r, 100))),
        ]);
        clearTimeout(timer);
        if (exit) return resolve(exit);
        resolve(this.#killedWith ? { code: null, signal: this.#killedWith } : { code: null });
      });
    });
  }

  /**
   * The command did not end after the signal: send `KILL`, close the channel, and (since
   * sshd keeps a channel open while its process lives) stop waiting shortly after.
   */
  #escalate(): void {
    if (this.#closed) return;
    this.#signal("KILL");
    this.#channel.close();
    this.#killTimer = setTimeout(() => this.#abandon?.(), ABANDON_MS);
  }

  /**
   * Writes to standard input; resolves once ssh2 has sent the data (the server's window
   * let it through). A write after the channel closed does nothing; one still waiting when
   * the channel closes (the command ended, or the connection was lost) rejects.
   */
  write(data: Uint8Array | string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed || !this.#channel.writable) return resolve();
      this.#writes.add(reject);
      this.#channel.write(
        typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.length),
        (error?: Error | null) => {
          this.#writes.delete(reject);
          if (error) reject(error);
          else resolve();
        },
      );
    });
  }

  /** ssh2 never calls back a write that waits for window on a channel that closed. */
  #failWrites(): void {
    if (!this.#writes.size) return;
    const error = new Error("the channel closed before all of standard input was sent");
    for (const reject of this.#writes) reject(error);
    this.#writes.clear();
  }

  /** Sends EOF on standard input. */
  closeStdin(): Promise<void> {
    if (!this.#closed && this.#channel.writable) this.#channel.end();
    return Promise.resolve();
  }

  /** Changes the PTY size. */
  resize(cols: number, rows: number): void {
    if (!this.#closed) this.#channel.setWindow(rows, cols, 0, 0);
  }

  /**
   * Sends the signal (default `TERM`), then closes the channel when the command has not
   * ended within 2 s (OpenSSH ignores signal requests before 7.9 and from many clients).
   */
  kill(signal = "TERM"): void {
    if (this.#closed) return;
    const name = signal.replace(/^SIG/, "");
    this.#killedWith ??= name;
    this.#signal(name);
    if (this.#killTimer === undefined) {
      // sshd ignores a signal that arrives before the process was started: repeat it once.
      this.#killTimer = setTimeout(() => {
        this.#signal(name);
        this.#killTimer = setTimeout(() => this.#escalate(), KILL_GRACE_MS - RESIGNAL_MS);
      }, RESIGNAL_MS);
    }
  }

  #signal(name: string): void {
    if (this.#closed) return;
    // ssh2's `channel.signal()` sends nothing once stdin was closed (EOF sent), yet the
    // SSH signal request is valid until the channel closes: send it through the protocol.
    const channel = this.#channel as unknown as {
      outgoing?: { id: number; state: string };
      _client?: { _protocol?: { signal(id: number, name: string): void } };
    };
    try {
      const outgoing = channel.outgoing;
      const protocol = channel._client?._protocol;
      if (outgoing && protocol && (outgoing.state === "open" || outgoing.state === "eof")) {
        protocol.signal(outgoing.id, name);
      } else {
        this.#channel.signal(name);
      }
    } catch {
      // The channel may already be closing.
    }
  }
}

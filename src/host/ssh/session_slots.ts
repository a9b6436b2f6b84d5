/**
 * The session channels of one SSH connection: at most `maxSessions` open at once (more
 * wait their turn), a limit that drops to what the server turns out to allow, and the
 * message for a server that refuses a channel outright.
 *
 * @module
 */

/** How many times a refused channel or SFTP session is asked for again (50 ms, doubling). */
export const CHANNEL_OPEN_RETRIES = 5;

/**
 * The session channels in use on one connection, and those waiting for one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionSlots } from "./session_slots.ts";
 * const slots = new SessionSlots(1);
 * const release = await slots.take();
 * let second = false;
 * const waiting = slots.take().then(() => second = true);
 * assert.equal(slots.full, true);
 * release();
 * await waiting;
 * assert.equal(second, true);
 * ```
 */
export class SessionSlots {
  #limit: number;
  #used = 0;
  #waiting: (() => void)[] = [];
  #closed = false;

  /** Allows `maxSessions` channels at once (at least one). */
  constructor(maxSessions: number) {
    this.#limit = Math.max(1, maxSessions);
  }

  /** The channels in use. */
  get used(): number {
    return this.#used;
  }

  /** Whether a new channel would have to wait. */
  get full(): boolean {
    return this.#used >= this.#limit;
  }

  /** Lowers the limit (the server allows fewer sessions than asked). */
  lower(limit: number): void {
    this.#limit = Math.max(1, Math.min(this.#limit, limit));
  }

  /** Waits for a free slot and takes it; the function returned gives it back (once). */
  async take(): Promise<() => void> {
    // A loop: the limit may have been lowered while this one waited.
    while (this.#used >= this.#limit && !this.#closed) {
      await new Promise<void>((r) => this.#waiting.push(r));
    }
    this.#used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used--;
      this.#waiting.shift()?.();
    };
  }

  /** Lets every waiter go on (the connection closed: they fail on their own). */
  close(): void {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

/**
 * Why a server refused a session channel, and what to do about it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { refusalMessage } from "./session_slots.ts";
 * const text = refusalMessage("open failed", { used: 2, sftp: true, maxSessions: 8 });
 * assert.match(text, /2 command channels and the SFTP session open/);
 * assert.match(text, /MaxSessions/);
 * ```
 */
export function refusalMessage(
  message: string,
  state: { used: number; sftp: boolean; maxSessions: number },
): string {
  const open = `${state.used} command channel${state.used === 1 ? "" : "s"}` +
    `${state.sftp ? " and the SFTP session" : ""}`;
  return `the server refused to open a new session channel (${message}; ${open} open ` +
    `on this connection): its MaxSessions (sshd_config) is likely lower than ` +
    `maxSessions (${state.maxSessions}) plus one for SFTP; lower maxSessions ` +
    "for this host";
}

/**
 * The clocks of opening one SSH connection: a deadline that is re-armed per phase and does
 * not blame the server for time our own process spent busy, and a watch for the server's
 * SSH banner (the end of "reaching the server").
 *
 * @module
 */
import type { Duplex } from "node:stream";

/** How late a timer may fire before it counts as our own event loop having been busy. */
const LOOP_LAG_MS = 50;
/** How soon to look again after a late timer, once pending input has been read. */
const RECHECK_MS = 10;

/** One armed phase: what is being waited for and which option bounds it. */
export interface Phase {
  /** How long the phase may take, in ms. */
  readonly ms: number;
  /** Words for the message: `timed out after N ms <what>`. */
  readonly what: string;
  /** The option that sets `ms` (named in the message). */
  readonly option: "connectTimeout" | "handshakeTimeout";
}

/**
 * A deadline over the phases of a connection attempt. Each {@linkcode PhaseDeadline.arm}
 * starts the given phase's own clock. When the timer fires late (our event loop was busy,
 * e.g. with hundreds of key exchanges, so input that arrived in time may not have been
 * read yet), it looks again after the pending input was read, and only fails once it fires
 * on time with the phase still unfinished.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PhaseDeadline } from "./phase_deadline.ts";
 * const expired = Promise.withResolvers<string>();
 * const deadline = new PhaseDeadline((phase) => expired.resolve(phase.what));
 * deadline.arm({ ms: 20, what: "connecting", option: "connectTimeout" });
 * deadline.rename("waiting for the banner"); // same clock, new words
 * assert.equal(await expired.promise, "waiting for the banner");
 * deadline.arm({ ms: 60_000, what: "in key exchange", option: "handshakeTimeout" });
 * deadline.clear(); // nothing fires after clear()
 * ```
 */
export class PhaseDeadline {
  #onExpire: (phase: Phase) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #phase: Phase | undefined;
  #armed = 0;

  /** Creates a deadline that calls `onExpire` with the phase that ran out. */
  constructor(onExpire: (phase: Phase) => void) {
    this.#onExpire = onExpire;
  }

  /** The phase armed now, if any. */
  get phase(): Phase | undefined {
    return this.#phase;
  }

  /** Starts `phase` with its full time (replacing the phase armed before). */
  arm(phase: Phase): void {
    this.clear();
    this.#phase = phase;
    this.#wait(this.#armed, phase.ms);
  }

  /** Names what the running phase waits for now, on the same clock (its time goes on). */
  rename(what: string): void {
    if (this.#phase) this.#phase = { ...this.#phase, what };
  }

  /** Stops the clock (e.g. while a person is asked about a host key). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#phase = undefined;
    this.#armed++;
  }

  #wait(armed: number, ms: number): void {
    const due = performance.now() + ms;
    this.#timer = setTimeout(() => {
      const phase = this.#phase;
      if (armed !== this.#armed || !phase) return;
      if (performance.now() - due > LOOP_LAG_MS) return this.#wait(armed, RECHECK_MS);
      this.clear();
      this.#onExpire(phase);
    }, ms);
  }
}

const LF = 10;
/** Longest line kept while looking for the banner (RFC 4253 allows 255 bytes). */
const MAX_LINE = 1024;

/**
 * Calls `onBanner` once the server sent its SSH version line (`SSH-...`, possibly after
 * other lines), watching `stream`'s `data` events next to the SSH client's own listener.
 * Returns a function that stops watching.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { watchBanner } from "./phase_deadline.ts";
 * const stream = new PassThrough();
 * let seen = 0;
 * watchBanner(stream, () => seen++);
 * stream.write("Welcome\r\nSSH-2.0-Open");
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.equal(seen, 0);
 * stream.write("SSH_9.2\r\n");
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.equal(seen, 1);
 * ```
 */
export function watchBanner(stream: Duplex, onBanner: () => void): () => void {
  let line: number[] = [];
  let done = false;
  const stop = () => {
    done = true;
    stream.off("data", onData);
  };
  function onData(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && !done; i++) {
      const byte = chunk[i];
      if (byte !== LF) {
        if (line.length < MAX_LINE) line.push(byte);
        continue;
      }
      // "SSH-"
      if (line[0] === 83 && line[1] === 83 && line[2] === 72 && line[3] === 45) {
        stop();
        onBanner();
      }
      line = [];
    }
  }
  stream.on("data", onData);
  return stop;
}

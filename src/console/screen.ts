/**
 * The one owner of the terminal: questions are asked one at a time, and while one is
 * open every other writer (host output, log lines, the live progress line) is held back
 * and shown once it is answered. Log lines are drawn above the live line, which is
 * redrawn after each of them.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** A host's state on the live line. */
export type HostPhase = "connecting" | "authenticating" | "running";

/**
 * Who writes to the terminal when. Shared by a console and its per-host views.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Screen } from "./screen.ts";
 * let text = "";
 * const screen = new Screen((t) => void (text += t), { live: false });
 * const log = screen.writerFor((t) => void (text += t));
 * const opened = Promise.withResolvers<void>();
 * const answered = Promise.withResolvers<void>();
 * const question = screen.ask(() => {
 *   text += "Question? ";
 *   opened.resolve();
 *   return answered.promise;
 * });
 * await opened.promise; // the question is open now
 * log.write("[web2] output\n"); // held back
 * assert.equal(text, "Question? ");
 * answered.resolve();
 * await question;
 * assert.equal(text, "Question? [web2] output\n");
 * ```
 */
export class Screen {
  readonly #write: (text: string) => void;
  readonly #live: boolean;
  #queue: Promise<unknown> = Promise.resolve();
  /** Set inside a question, so that a question asked from within one does not wait for itself. */
  readonly #inside = new AsyncLocalStorage<true>();
  #asking = false;
  #held: (() => void)[] = [];
  readonly #lines = new Map<object, () => string>();
  #drawn = false;
  readonly #phases = new Map<string, HostPhase>();
  #width: () => number;

  /**
   * Creates the owner of one terminal.
   *
   * @param write Writes to the terminal (where the live line is drawn).
   * @param options `live`: whether the output is a terminal (a live line is drawn).
   */
  constructor(
    write: (text: string) => void,
    options: { live: boolean; width?: () => number },
  ) {
    this.#write = write;
    this.#live = options.live;
    this.#width = options.width ?? (() => 80);
  }

  /** Whether a question is open. */
  get asking(): boolean {
    return this.#asking;
  }

  /** Whether a live line can be drawn (the output is a terminal). */
  get live(): boolean {
    return this.#live;
  }

  /**
   * Runs `question` alone: after the questions before it, with other output held back
   * and the live line hidden until it settles.
   */
  ask<T>(question: () => Promise<T>): Promise<T> {
    if (this.#inside.getStore()) return question();
    const turn = this.#queue.then(async () => {
      this.#asking = true;
      this.#erase();
      try {
        return await this.#inside.run(true, question);
      } finally {
        this.#asking = false;
        const held = this.#held;
        this.#held = [];
        for (const write of held) write();
        if (!this.#drawn) this.#draw();
      }
    });
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /**
   * A writer for other output on the same terminal (host output, log lines): held while
   * a question is open, written above the live line otherwise.
   */
  writerFor(write: (text: string) => unknown): { write(text: string): void } {
    return {
      write: (text: string) => {
        if (this.#asking) {
          this.#held.push(() => this.#above(write, text));
          return;
        }
        this.#above(write, text);
      },
    };
  }

  #above(write: (text: string) => unknown, text: string): void {
    this.#erase();
    write(text);
    this.#draw();
  }

  /**
   * Shows a live line (one per owner; several are joined), or removes it (`undefined`).
   * Only drawn on a terminal, and never while a question is open.
   */
  setLine(owner: object, line: (() => string) | undefined): void {
    if (line) this.#lines.set(owner, line);
    else this.#lines.delete(owner);
    if (!this.#live || this.#asking) return;
    if (this.#lines.size === 0) this.#erase();
    else this.#draw();
  }

  /** Records what a host is doing (shown on the live line of a parallel run). */
  setPhase(host: string, phase: HostPhase | undefined): void {
    if (phase) this.#phases.set(host, phase);
    else this.#phases.delete(host);
    if (this.#live && !this.#asking && this.#lines.size) this.#draw();
  }

  /** What a host is doing, if known. */
  phase(host: string): HostPhase | undefined {
    return this.#phases.get(host);
  }

  #erase(): void {
    if (!this.#drawn) return;
    this.#drawn = false;
    this.#write("\r\x1b[K");
  }

  #draw(): void {
    if (!this.#live || this.#asking || this.#lines.size === 0) return;
    const text = [...this.#lines.values()].map((line) => line()).join(" | ");
    this.#write(`\r\x1b[K${fit(text, Math.max(10, this.#width() - 1))}`);
    this.#drawn = true;
  }
}

// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** The line cut to `width` visible characters (colours dropped when it is cut). */
function fit(text: string, width: number): string {
  const plain = text.replace(SGR, "");
  const chars = [...plain];
  return chars.length > width ? chars.slice(0, width - 1).join("") + "…" : text;
}

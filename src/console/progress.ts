/**
 * Progress bars (python-deployer's `ProgressBar`) and the live status line of a
 * parallel run.
 *
 * @module
 */
import { colorize } from "./colors.ts";
import { escapeControl } from "./control.ts";

/** How often a live line is redrawn at most, in milliseconds. */
const REDRAW_INTERVAL = 100;

/** Options of a {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  /** Writes to the output. */
  write: (text: string) => void;
  /** Redraw in place (a TTY); otherwise only the final line is written. */
  live: boolean;
  /** The text in front of the counter. */
  message: string;
  /** The number of steps to expect (shows `n/expected` and a percentage). */
  expected?: number;
  /** A description per step number (the status while at that step). */
  steps?: Readonly<Record<number, string>>;
  /** Erase the line when done instead of leaving the final state. */
  clearOnFinish?: boolean;
  /**
   * The line format with `{message}`, `{counter}`, `{expected}`, `{percentage}`,
   * `{duration}` and `{status}` placeholders (python's `%(name)s` works too).
   */
  format?: string;
}

function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${Math.floor(total / 3600)}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/**
 * A progress bar: `message: 3/10 [30% completed]  [0:00:04] []`, redrawn in place on a
 * TTY (at most every 100 ms unless set explicitly), or one final line otherwise.
 * Dispose it (`using`) or call {@linkcode ProgressBar.done}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "./progress.ts";
 * let text = "";
 * {
 *   const write = (t: string) => void (text += t);
 *   using bar = new ProgressBar({ write, live: false, message: "Copy", expected: 2 });
 *   bar.next();
 *   bar.next();
 * }
 * assert.ok(text.startsWith("Copy: 2/2 [100% completed]"));
 * ```
 */
export class ProgressBar implements Disposable {
  readonly #options: ProgressBarOptions;
  readonly #expected: number | undefined;
  readonly #started: number = Date.now();
  #counter = 0;
  #lastDraw = 0;
  #finished = false;

  /** Creates a progress bar and draws it (when live). */
  constructor(options: ProgressBarOptions) {
    if (options.expected !== undefined && options.steps !== undefined) {
      throw new TypeError("A progress bar takes either expected or steps, not both");
    }
    this.#options = options;
    const keys = Object.keys(options.steps ?? {}).map(Number);
    this.#expected = options.steps ? Math.max(0, ...keys) : options.expected;
    this.#draw();
  }

  /** The current count. */
  get counter(): number {
    return this.#counter;
  }

  /** Advances by one step (redrawn at most every 100 ms). */
  next(): void {
    this.#counter++;
    if (Date.now() - this.#lastDraw >= REDRAW_INTERVAL) this.#draw();
  }

  /** Sets the count and redraws at once. */
  setProgress(value: number): void {
    this.#counter = value;
    this.#draw();
  }

  /** Finishes: the final state and a line break, or an erased line (`clearOnFinish`). */
  done(): void {
    if (this.#finished) return;
    this.#finished = true;
    const { write, live, clearOnFinish } = this.#options;
    if (live) write(clearOnFinish ? "\r\x1b[K" : `\r\x1b[K${this.line()}\n`);
    else if (!clearOnFinish) write(`${this.line()}\n`);
  }

  /** Same as {@linkcode ProgressBar.done}. */
  [Symbol.dispose](): void {
    this.done();
  }

  /** The line as it is drawn now. */
  line(): string {
    const expected = this.#expected;
    const status = this.#finished ? "DONE" : this.#options.steps?.[this.#counter] ?? "";
    const values: Record<string, string> = {
      message: this.#options.message,
      counter: String(this.#counter),
      expected: expected === undefined ? "?" : String(expected),
      percentage: expected ? `${Math.floor((this.#counter * 100) / expected)}%` : "??",
      duration: formatDuration(Date.now() - this.#started),
      status,
    };
    const format = this.#options.format ??
      (expected === undefined
        ? "{message}: {counter} [{duration}] [{status}]"
        : "{message}: {counter}/{expected} [{percentage} completed]  [{duration}] [{status}]");
    return format.replace(
      /%\((\w+)\)s|\{(\w+)\}/g,
      (all, a?: string, b?: string) => values[a ?? b ?? ""] ?? all,
    );
  }

  #draw(): void {
    if (!this.#options.live || this.#finished) return;
    this.#lastDraw = Date.now();
    this.#options.write(`\r\x1b[K${this.line()}\r`);
  }
}

/**
 * Follows the hosts of a parallel run: which are running, done or failed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createParallelProgress } from "./progress.ts";
 * let text = "";
 * using progress = createParallelProgress({
 *   write: (t) => (text += t), live: false, color: false, total: 1, label: "deploy",
 * });
 * progress.start("web1");
 * progress.finish("web1", true);
 * assert.equal(text, "deploy: host web1 done (ok)\n");
 * ```
 */
export interface ParallelProgress extends Disposable {
  /** A host started. */
  start(host: string): void;
  /** A host finished, successfully or not. */
  finish(host: string, ok: boolean): void;
  /** Ends the display (draws the final state on a TTY). */
  close(): void;
}

/** Options of {@linkcode createParallelProgress}. */
export interface ParallelProgressOptions {
  /** Writes to the output. */
  write: (text: string) => void;
  /** One line redrawn in place (a TTY); otherwise one line per finished host. */
  live: boolean;
  /** Whether to colour failures. */
  color: boolean;
  /** The number of hosts. */
  total: number;
  /** The text in front (e.g. the action path). */
  label: string;
}

/**
 * Creates a {@linkcode ParallelProgress}: on a TTY a live
 * `label: 3/10 done, 1 failed, 6 running` line (at most every 100 ms), otherwise plain
 * `label: host web1 done (ok)` lines.
 *
 * @param options Output, mode, total and label.
 * @returns The progress display; close or dispose it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createParallelProgress } from "./progress.ts";
 * let text = "";
 * const progress = createParallelProgress({
 *   write: (t) => (text += t), live: true, color: false, total: 2, label: "deploy",
 * });
 * progress.start("web1");
 * progress.close();
 * assert.ok(text.endsWith("deploy: 0/2 done, 0 failed, 1 running\n"));
 * ```
 */
export function createParallelProgress(options: ParallelProgressOptions): ParallelProgress {
  const { write, live, color, total } = options;
  const label = escapeControl(options.label); // an action path: may hold any name
  let ok = 0;
  let failed = 0;
  let running = 0;
  let closed = false;
  let lastDraw = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const summary = () => {
    const failures = colorize(`${failed} failed`, failed > 0 ? "red" : undefined, color);
    return `${label}: ${ok}/${total} done, ${failures}, ${running} running`;
  };
  const draw = () => {
    timer = undefined;
    lastDraw = Date.now();
    write(`\r\x1b[K${summary()}`);
  };
  const update = () => {
    if (!live || closed || timer !== undefined) return;
    const wait = REDRAW_INTERVAL - (Date.now() - lastDraw);
    if (wait <= 0) draw();
    else timer = setTimeout(draw, wait);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    if (live) {
      draw();
      write("\n");
    }
  };
  return {
    start(_host: string): void {
      running++;
      update();
    },
    finish(host: string, success: boolean): void {
      running = Math.max(0, running - 1);
      if (success) ok++;
      else failed++;
      if (live) update();
      else if (!closed) {
        const how = success ? "ok" : colorize("failed", "red", color);
        write(`${label}: host ${escapeControl(host)} done (${how})\n`);
      }
    },
    close,
    [Symbol.dispose]: close,
  };
}

/**
 * The writing half of the console: the streams and terminal size, writers shared with the
 * terminal logger, host phases, warnings, columns and progress displays.
 * {@linkcode Console} adds the questions and paging on top.
 *
 * @module
 */
import { colorEnabled, colorize } from "./colors.ts";
import { inColumns } from "./columns.ts";
import { createParallelProgress, type ParallelProgress, ProgressBar } from "./progress.ts";
import { type HostPhase, Screen } from "./screen.ts";

/** How a {@linkcode Console} is wired. */
export interface ConsoleOptions {
  /** Where answers and keys come from. */
  input: NodeJS.ReadableStream;
  /** Where everything is written. */
  output: NodeJS.WritableStream;
  /** Whether a person can answer questions. */
  interactive: boolean;
  /** Use colours (default: `NO_COLOR` is not set and the output is a TTY). */
  color?: boolean;
  /** Terminal width (default: the output's `columns`, else 80). */
  columns?: number;
  /** Terminal height (default: the output's `rows`, else 24). */
  rows?: number;
}

type Tty = { isTTY?: boolean; columns?: number; rows?: number };

/**
 * What every {@linkcode Console} writes with: its streams, terminal size, the writers it
 * shares with the terminal logger, warnings, columns and progress. Create a `Console`,
 * which adds the questions.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { Console } from "./console.ts";
 * import { ConsoleOutput } from "./console_output.ts";
 * const console_ = new Console({
 *   input: new PassThrough(), output: new PassThrough(), interactive: false, columns: 100,
 * });
 * assert.ok(console_ instanceof ConsoleOutput);
 * assert.equal(console_.columns, 100);
 * ```
 */
export class ConsoleOutput {
  /** Whether a person can answer questions. */
  readonly isInteractive: boolean;
  /** Whether output is coloured. */
  readonly color: boolean;
  /** The stream answers and keys come from (python's `pty.stdin`). */
  readonly inputStream: NodeJS.ReadableStream;
  /** The stream everything is written to (python's `pty.stdout`). */
  readonly outputStream: NodeJS.WritableStream;
  /** The host this view asks for (questions are prefixed with `[slug]`). */
  readonly host: string | undefined;
  readonly #options: ConsoleOptions;
  #screen: Screen;
  #out: { write(text: string): void };

  /**
   * Creates a console on the given streams (the owner of that terminal).
   *
   * @param options The streams and settings.
   * @param host Ask on behalf of this host (prefer {@linkcode Console.forHost}, which shares
   *   the terminal with the console it comes from).
   */
  constructor(options: ConsoleOptions, host?: string) {
    this.#options = options;
    this.inputStream = options.input;
    this.outputStream = options.output;
    this.isInteractive = options.interactive;
    this.host = host;
    this.color = options.color ?? colorEnabled(options.output as Tty);
    this.#screen = new Screen((text) => void this.outputStream.write(text), {
      live: this.#live,
      width: () => this.columns,
    });
    this.#out = this.#screen.writerFor((text) => this.outputStream.write(text));
  }

  /**
   * Makes `view` write to this console's terminal (its screen and held-back output), for
   * the per-host views of {@linkcode Console.forHost}.
   *
   * @param view A console created on the same streams.
   */
  protected shareTerminal(view: ConsoleOutput): void {
    view.#screen = this.#screen;
    view.#out = this.#out;
  }

  /**
   * A writer for other output to the same terminal (the terminal logger's host output
   * and log lines): held back while a question is open and shown after the answer,
   * written above the live progress line otherwise.
   *
   * @param write Writes the text (e.g. to stderr).
   * @returns The writer.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough } from "node:stream";
   * import { Console } from "./console.ts";
   * const console_ = new Console({
   *   input: new PassThrough(), output: new PassThrough(), interactive: false,
   * });
   * let text = "";
   * console_.writerFor((t) => (text += t)).write("[web1] hello\n");
   * assert.equal(text, "[web1] hello\n");
   * ```
   */
  writerFor(write: (text: string) => unknown): { write(text: string): void } {
    return this.#screen.writerFor(write);
  }

  /**
   * Records what a host is doing, for the live line of a parallel run
   * (`connecting`, `authenticating`, `running`; `undefined` forgets it).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough } from "node:stream";
   * import { Console } from "./console.ts";
   * const console_ = new Console({
   *   input: new PassThrough(), output: new PassThrough(), interactive: false,
   * });
   * console_.hostPhase("web1", "connecting");
   * assert.equal(console_.phaseOf("web1"), "connecting");
   * ```
   */
  hostPhase(host: string, phase: HostPhase | undefined): void {
    this.#screen.setPhase(host, phase);
  }

  /** What a host is doing, as last recorded with {@linkcode Console.hostPhase}. */
  phaseOf(host: string): HostPhase | undefined {
    return this.#screen.phase(host);
  }

  /**
   * Runs `task` while owning the terminal: after every question before it, with other
   * output held back until it settles. Every question of the console goes through it.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough } from "node:stream";
   * import { Console } from "./console.ts";
   * const console_ = new Console({
   *   input: new PassThrough(), output: new PassThrough(), interactive: false,
   * });
   * assert.equal(await console_.exclusive(() => Promise.resolve(42)), 42);
   * ```
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#screen.ask(task);
  }

  /** The terminal width (read live from the output unless given). */
  get columns(): number {
    return this.#options.columns ?? (this.outputStream as Tty).columns ?? 80;
  }

  /** The terminal height (read live from the output unless given). */
  get rows(): number {
    return this.#options.rows ?? (this.outputStream as Tty).rows ?? 24;
  }

  /**
   * Writes text as it is.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough, Writable } from "node:stream";
   * import { Console } from "./console.ts";
   * let text = "";
   * const output = new Writable({
   *   write(chunk, _encoding, done) { text += chunk; done(); },
   * });
   * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
   * console_.write("hello\n");
   * assert.equal(text, "hello\n");
   * ```
   */
  write(text: string): void {
    this.#out.write(text);
  }

  /**
   * Lays items out in columns that fit the terminal width (see python's `in_columns`).
   *
   * @param items The texts (may be coloured).
   * @param options `marginLeft`: spaces in front of every line.
   * @returns The lines, without line breaks.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough } from "node:stream";
   * import { Console } from "./console.ts";
   * const console_ = new Console({
   *   input: new PassThrough(), output: new PassThrough(), interactive: false, columns: 6,
   * });
   * assert.equal(console_.inColumns(["a", "bb", "c"]).length, 2);
   * ```
   */
  inColumns(items: readonly string[], options: { marginLeft?: number } = {}): string[] {
    return inColumns(items, { columns: this.columns, marginLeft: options.marginLeft });
  }

  /**
   * Writes `*** WARNING: text ***` (coloured when colours are on).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough, Writable } from "node:stream";
   * import { Console } from "./console.ts";
   * let text = "";
   * const output = new Writable({
   *   write(chunk, _encoding, done) { text += chunk; done(); },
   * });
   * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
   * console_.warning("disk almost full");
   * assert.equal(text, "*** WARNING: disk almost full ***\n"); // colours are off here
   * ```
   */
  warning(text: string): void {
    const c = this.color;
    this.write(
      colorize("*** ", "yellow", c) + colorize("WARNING: ", "red", c) +
        colorize(text, "red", c, { bold: true }) + colorize(" ***", "yellow", c) + "\n",
    );
  }

  /**
   * A progress bar, redrawn in place when the output is a TTY, one final line otherwise.
   *
   * @param message The text in front of the counter.
   * @param options `expected` steps, `clearOnFinish`, and a `format` (see {@linkcode ProgressBar}).
   * @returns The bar; dispose it (`using`) or call `done()`.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough, Writable } from "node:stream";
   * import { Console } from "./console.ts";
   * let text = "";
   * const output = new Writable({
   *   write(chunk, _encoding, done) { text += chunk; done(); },
   * });
   * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
   * {
   *   using bar = console_.progressBar("Files", { expected: 3 });
   *   for (let i = 0; i < 3; i++) bar.next();
   * }
   * assert.match(text, /^Files: 3\/3 \[100% completed\] .*\[DONE\]\n$/); // one line, not a TTY
   * ```
   */
  progressBar(
    message: string,
    options: { expected?: number; clearOnFinish?: boolean; format?: string } = {},
  ): ProgressBar {
    return new ProgressBar({
      ...options,
      message,
      write: (t) => this.write(t),
      live: this.#live,
      screen: this.#screen,
    });
  }

  /**
   * A progress bar whose status is the description of the current step.
   *
   * @param message The text in front of the counter.
   * @param steps A description per step number; the highest number is the total.
   * @returns The bar.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough, Writable } from "node:stream";
   * import { Console } from "./console.ts";
   * let text = "";
   * const output = new Writable({
   *   write(chunk, _encoding, done) { text += chunk; done(); },
   * });
   * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
   * {
   *   using bar = console_.progressBarWithSteps("Deploy", { 1: "build", 2: "upload" });
   *   bar.next(); // live on a TTY: "Deploy: 1/2 [50% completed] ... build"
   *   bar.next();
   * }
   * assert.match(text, /^Deploy: 2\/2 \[100% completed\] .*\[DONE\]\n$/);
   * ```
   */
  progressBarWithSteps(message: string, steps: Readonly<Record<number, string>>): ProgressBar {
    return new ProgressBar({
      message,
      steps,
      write: (t) => this.write(t),
      live: this.#live,
      screen: this.#screen,
    });
  }

  /**
   * Follows the hosts of a parallel run: a live status line on a TTY, plain
   * `label: host web1 done (ok)` lines otherwise.
   *
   * @param total The number of hosts.
   * @param label The text in front (default `hosts`).
   * @returns The display; close or dispose it.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { PassThrough, Writable } from "node:stream";
   * import { Console } from "./console.ts";
   * let text = "";
   * const output = new Writable({
   *   write(chunk, _encoding, done) { text += chunk; done(); },
   * });
   * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
   * {
   *   using progress = console_.parallelProgress(2, "deploy");
   *   progress.start("web1");
   *   progress.start("web2");
   *   progress.finish("web1", true);
   *   progress.finish("web2", false);
   * }
   * assert.equal(text, "deploy: host web1 done (ok)\ndeploy: host web2 done (failed)\n");
   * ```
   */
  parallelProgress(total: number, label: string = "hosts"): ParallelProgress {
    return createParallelProgress({
      write: (t) => this.write(t),
      live: this.#live,
      color: this.color,
      total,
      label,
      screen: this.#screen,
    });
  }

  get #live(): boolean {
    return (this.outputStream as Tty).isTTY === true;
  }
}

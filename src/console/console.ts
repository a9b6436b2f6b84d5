/**
 * The console actions use as `this.console`: questions, choices, confirmations, paging,
 * columns, warnings and progress, all on injected streams.
 *
 * @module
 */
import process from "node:process";
import { colorEnabled, colorize } from "./colors.ts";
import { inColumns } from "./columns.ts";
import {
  askChoice,
  askConfirm,
  askInput,
  type InputOptions,
  type QuestionStreams,
} from "./questions.ts";
import { lesspipe } from "./pager.ts";
import { createParallelProgress, type ParallelProgress, ProgressBar } from "./progress.ts";

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
 * Questions, paging, columns, warnings and progress on a pair of streams. When it is
 * not interactive, questions take their default (and say so) or throw
 * {@linkcode NoInputError}: they never hang.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { Console } from "./console.ts";
 * const output = new PassThrough();
 * const console_ = new Console({ input: new PassThrough(), output, interactive: false });
 * assert.equal(await console_.input("Git commit", { default: "main" }), "main");
 * assert.ok(String(output.read()).includes("[non interactive] main"));
 * ```
 */
export class Console {
  /** Whether a person can answer questions. */
  readonly isInteractive: boolean;
  /** Whether output is coloured. */
  readonly color: boolean;
  /** The stream answers and keys come from (python's `pty.stdin`). */
  readonly inputStream: NodeJS.ReadableStream;
  /** The stream everything is written to (python's `pty.stdout`). */
  readonly outputStream: NodeJS.WritableStream;
  readonly #options: ConsoleOptions;

  /** Creates a console on the given streams. */
  constructor(options: ConsoleOptions) {
    this.#options = options;
    this.inputStream = options.input;
    this.outputStream = options.output;
    this.isInteractive = options.interactive;
    this.color = options.color ?? colorEnabled(options.output as Tty);
  }

  /**
   * A console on this process's stdin and stdout.
   *
   * @param options `interactive` defaults to whether stdin and stdout are both TTYs.
   * @returns The console.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { Console } from "./console.ts";
   * const console_ = Console.fromProcess({ interactive: false });
   * assert.equal(console_.isInteractive, false);
   * ```
   */
  static fromProcess(options: { interactive?: boolean } = {}): Console {
    const interactive = options.interactive ??
      (process.stdin.isTTY === true && process.stdout.isTTY === true);
    return new Console({ input: process.stdin, output: process.stdout, interactive });
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
    this.outputStream.write(text);
  }

  get #io(): QuestionStreams {
    return {
      input: this.inputStream,
      output: this.outputStream,
      color: this.color,
      interactive: this.isInteractive,
      rows: this.rows,
      write: (text) => this.write(text),
    };
  }

  /**
   * Asks for a line of text. Not interactive: returns the default (printing
   * `  label (default=X): [non interactive] X`) or throws {@linkcode NoInputError}.
   *
   * @param label The question.
   * @param options `password`, the accepted `answers`, and a `default`.
   * @returns The answer.
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
   * assert.equal(await console_.input("Branch", { default: "main" }), "main");
   * assert.equal(text, "  Branch (default=main): [non interactive] main\n");
   * // Without a default, a console that is not interactive throws NoInputError.
   * await assert.rejects(console_.input("Password"), { name: "NoInputError" });
   * ```
   */
  input(label: string, options: InputOptions = {}): Promise<string> {
    return askInput(this.#io, label, options);
  }

  /**
   * Asks to pick one of several options (in the given order). `allowRandom` adds a
   * "random" option, which is also what happens when not interactive without a default.
   *
   * @param question The question.
   * @param options `[label, value]` pairs.
   * @param settings `allowRandom`, and a `default` value (preselected).
   * @returns The value of the chosen option.
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
   * const value = await console_.choice("Pick", [["one", 1], ["two", 2]], { default: 2 });
   * assert.equal(value, 2);
   * assert.match(text, /Pick \(default=two\): \[non interactive\] two\n$/);
   * ```
   */
  choice<T>(
    question: string,
    options: ReadonlyArray<readonly [label: string, value: T]>,
    settings: { allowRandom?: boolean; default?: T } = {},
  ): Promise<T> {
    return askChoice(this.#io, question, options, settings);
  }

  /**
   * Asks a yes/no question. Without a default, `y`, `n`, `yes` or `no` must be typed.
   *
   * @param question The question.
   * @param options The `default` answer (taken when not interactive).
   * @returns `true` for yes.
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
   * assert.equal(await console_.confirm("Continue?", { default: true }), true);
   * assert.equal(text, "  Continue? [y/n] (default=y): [non interactive] y\n");
   * ```
   */
  confirm(question: string, options: { default?: boolean } = {}): Promise<boolean> {
    return askConfirm(this.#io, question, options);
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
   * Shows lines page by page when interactive (`rows - 1` lines, then
   * "  Press enter to continue..."; `q` or Ctrl-C stops), everything at once otherwise.
   *
   * @param lines The lines, without line breaks.
   * @returns When done.
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
   * await console_.lesspipe(["one", "two"]); // not interactive: everything at once
   * assert.equal(text, "one\ntwo\n");
   * ```
   */
  lesspipe(lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
    const write = (text: string) => this.write(text);
    return lesspipe(
      { input: this.inputStream, write, interactive: this.isInteractive, rows: this.rows },
      lines,
    );
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
    return new ProgressBar({ ...options, message, write: (t) => this.write(t), live: this.#live });
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
    return new ProgressBar({ message, steps, write: (t) => this.write(t), live: this.#live });
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
    });
  }

  get #live(): boolean {
    return (this.outputStream as Tty).isTTY === true;
  }
}

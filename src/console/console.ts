/**
 * The console actions use as `this.console`: questions, choices, confirmations, paging,
 * columns, warnings and progress, all on injected streams. The writing half lives in
 * `console_output.ts`.
 *
 * @module
 */
import process from "node:process";
import {
  askChoice,
  askConfirm,
  askInput,
  type InputOptions,
  type QuestionStreams,
} from "./questions.ts";
import { lesspipe } from "./pager.ts";
import { type ConsoleOptions, ConsoleOutput } from "./console_output.ts";

export type { ConsoleOptions } from "./console_output.ts";

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
export class Console extends ConsoleOutput {
  readonly #options: ConsoleOptions;
  #views = new Map<string, Console>();

  /**
   * Creates a console on the given streams (the owner of that terminal).
   *
   * @param options The streams and settings.
   * @param host Ask on behalf of this host (prefer {@linkcode Console.forHost}, which shares
   *   the terminal with the console it comes from).
   */
  constructor(options: ConsoleOptions, host?: string) {
    super(options, host);
    this.#options = options;
  }

  /**
   * The same console asking on behalf of one host: its questions name the host
   * (`[web1] Git commit`) and wait for the other hosts' questions like every question.
   *
   * @param host The host slug.
   * @returns A view sharing this console's terminal.
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
   * assert.equal(await console_.forHost("web1").input("Branch", { default: "main" }), "main");
   * assert.equal(text, "  [web1] Branch (default=main): [non interactive] main\n");
   * ```
   */
  forHost(host: string): Console {
    let view = this.#views.get(host);
    if (!view) {
      view = new Console(this.#options, host);
      this.shareTerminal(view);
      view.#views = this.#views;
      this.#views.set(host, view);
    }
    return view;
  }

  #label(question: string): string {
    return this.host === undefined ? question : `[${this.host}] ${question}`;
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

  get #io(): QuestionStreams {
    return {
      input: this.inputStream,
      output: this.outputStream,
      color: this.color,
      interactive: this.isInteractive,
      rows: this.rows,
      write: (text) => void this.outputStream.write(text),
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
    return this.exclusive(() => askInput(this.#io, this.#label(label), options));
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
    return this.exclusive(() => askChoice(this.#io, this.#label(question), options, settings));
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
    return this.exclusive(() => askConfirm(this.#io, this.#label(question), options));
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
    const write = (text: string) => void this.outputStream.write(text);
    return this.exclusive(() =>
      lesspipe(
        { input: this.inputStream, write, interactive: this.isInteractive, rows: this.rows },
        lines,
      )
    );
  }
}

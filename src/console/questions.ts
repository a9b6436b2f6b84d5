/**
 * The questions of the console: text, passwords, choices and confirmations, answered by
 * a person through `@inquirer/prompts`, or by their defaults when nobody is there.
 *
 * @module
 */
import { DeployerError } from "../errors.ts";
import { NoInputError, type PromptStreams, runPrompt } from "./inquirer.ts";

/** Options of `Console.input`. */
export interface InputOptions {
  /** Do not echo what is typed (`*` is shown per character). */
  password?: boolean;
  /** The only accepted answers. */
  answers?: string[];
  /** The answer when Enter is pressed on an empty line, or when not interactive. */
  default?: string;
}

/** What a question needs besides its streams. */
export interface QuestionStreams extends PromptStreams {
  /** Whether a person can answer. */
  interactive: boolean;
  /** The terminal height (limits the choice list). */
  rows: number;
  /** Writes to the output. */
  write: (text: string) => void;
}

function requireDefault(question: string): never {
  throw new NoInputError(`Cannot ask "${question}": not interactive and no default given`);
}

function nonInteractive(io: QuestionStreams, question: string, shown: string, answer: string) {
  io.write(`  ${question} (default=${shown}): [non interactive] ${answer}\n`);
}

/**
 * Asks for a line of text (see `Console.input`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { askInput } from "./questions.ts";
 * const io = {
 *   input: new PassThrough(), output: new PassThrough(), color: false,
 *   interactive: false, rows: 24, write: (_text: string) => {},
 * };
 * assert.equal(await askInput(io, "Branch", { default: "main" }), "main");
 * ```
 */
export async function askInput(
  io: QuestionStreams,
  label: string,
  options: InputOptions = {},
): Promise<string> {
  const { answers, password } = options;
  const fallback = options.default;
  const question = label + (answers ? ` [${answers.join(",")}]` : "");
  if (!io.interactive) {
    if (fallback === undefined) requireDefault(label);
    if (answers && !answers.includes(fallback)) {
      throw new NoInputError(
        `Cannot ask "${label}": not interactive and the default is not one of the answers`,
      );
    }
    const shown = password ? "***" : fallback;
    nonInteractive(io, question, shown, shown);
    return fallback;
  }
  const validate = (typed: string): true | string => {
    const value = typed === "" ? fallback ?? "" : typed;
    if (value === "") return "An answer is required.";
    return !answers || answers.includes(value) ? true : "Invalid answer.";
  };
  const answer = await runPrompt(io, label, (inquirer, context) =>
    password
      ? inquirer.password({
        message: question + (fallback !== undefined ? " (default=***)" : ""),
        mask: "*",
        toggleMask: false,
        validate,
      }, context)
      : inquirer.input(
        { message: question, default: fallback, required: true, validate },
        context,
      ));
  return answer === "" && fallback !== undefined ? fallback : answer;
}

/**
 * Asks to pick one of several options (see `Console.choice`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { askChoice } from "./questions.ts";
 * const io = {
 *   input: new PassThrough(), output: new PassThrough(), color: false,
 *   interactive: false, rows: 24, write: (_text: string) => {},
 * };
 * assert.equal(await askChoice(io, "Pick", [["a", 1]], { default: 1 }), 1);
 * ```
 */
export async function askChoice<T>(
  io: QuestionStreams,
  question: string,
  options: ReadonlyArray<readonly [label: string, value: T]>,
  settings: { allowRandom?: boolean; default?: T } = {},
): Promise<T> {
  if (options.length === 0) throw new NoInputError(`Cannot ask "${question}": no options given`);
  const hasDefault = settings.default !== undefined;
  const index = hasDefault ? options.findIndex(([, v]) => Object.is(v, settings.default)) : -1;
  if (hasDefault && index < 0) {
    throw new DeployerError(
      `Cannot ask "${question}": the default value does not appear in the options`,
    );
  }
  const random = () => Math.floor(Math.random() * options.length);
  if (!io.interactive) {
    if (index >= 0) {
      nonInteractive(io, question, options[index][0], options[index][0]);
      return options[index][1];
    }
    if (!settings.allowRandom) requireDefault(question);
    const picked = random();
    nonInteractive(io, question, "random", options[picked][0]);
    return options[picked][1];
  }
  const choices = options.map(([label], i) => ({ name: label, value: i }));
  if (settings.allowRandom) choices.push({ name: "random", value: -1 });
  const preselected = index >= 0 ? index : settings.allowRandom ? -1 : undefined;
  const chosen = await runPrompt(io, question, (inquirer, context) =>
    inquirer.select({
      message: question,
      choices,
      default: preselected,
      loop: false,
      pageSize: Math.max(3, Math.min(choices.length, io.rows - 3)),
    }, context));
  return options[chosen === -1 ? random() : chosen][1];
}

/**
 * Asks a yes/no question (see `Console.confirm`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { askConfirm } from "./questions.ts";
 * const io = {
 *   input: new PassThrough(), output: new PassThrough(), color: false,
 *   interactive: false, rows: 24, write: (_text: string) => {},
 * };
 * assert.equal(await askConfirm(io, "Sure?", { default: true }), true);
 * ```
 */
export async function askConfirm(
  io: QuestionStreams,
  question: string,
  options: { default?: boolean } = {},
): Promise<boolean> {
  const fallback = options.default;
  if (!io.interactive) {
    if (fallback === undefined) requireDefault(question);
    const shown = fallback ? "y" : "n";
    nonInteractive(io, `${question} [y/n]`, shown, shown);
    return fallback;
  }
  if (fallback !== undefined) {
    return await runPrompt(
      io,
      question,
      (inquirer, context) => inquirer.confirm({ message: question, default: fallback }, context),
    );
  }
  const answer = await runPrompt(io, question, (inquirer, context) =>
    inquirer.input({
      message: `${question} [y/n]`,
      required: true,
      validate: (v) =>
        ["y", "n", "yes", "no"].includes(v.trim().toLowerCase()) || "Please answer y or n.",
    }, context));
  return ["y", "yes"].includes(answer.trim().toLowerCase());
}

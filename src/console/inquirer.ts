/**
 * Runs one `@inquirer/prompts` prompt on injected streams: imported lazily (it reads
 * environment variables when it is loaded), end of input, Ctrl-C and Ctrl-D turned into
 * {@linkcode NoInputError}, colours stripped when they are off, and the caller's output
 * stream never ended.
 *
 * @module
 */
import { Writable } from "node:stream";
import { DeployerError, type DeployerErrorOptions } from "../errors.ts";

/**
 * A question could not be answered: the user pressed Ctrl-C or Ctrl-D, the input ended,
 * or nobody is there to answer (not interactive) and no default was given.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoInputError } from "./inquirer.ts";
 * const error = new NoInputError(`Cannot ask "Git commit": not interactive and no default given`);
 * assert.equal(error.name, "NoInputError");
 * ```
 */
export class NoInputError extends DeployerError {
  /** Creates the error. */
  constructor(message: string, options?: DeployerErrorOptions) {
    super(message, options);
    this.name = "NoInputError";
  }
}

/** The prompts module, loaded on first use. */
export type Inquirer = typeof import("npm:@inquirer/prompts@8.8.0");

/** The context handed to every inquirer prompt. */
export interface PromptContext {
  /** Where keys come from. */
  input: NodeJS.ReadableStream;
  /** Where the prompt is drawn (a wrapper that is never ended). */
  output: NodeJS.WritableStream;
  /** Aborted when the input ends or Ctrl-D is pressed. */
  signal: AbortSignal;
}

/** The streams and settings a prompt runs with. */
export interface PromptStreams {
  /** Where keys come from. */
  input: NodeJS.ReadableStream;
  /** Where the prompt is drawn. */
  output: NodeJS.WritableStream;
  /** Whether colours are kept. */
  color: boolean;
}

// deno-lint-ignore no-control-regex
const SGR_PATTERN = /\x1b\[[0-9;]*m/g;

type TtyLike = { isTTY?: boolean; columns?: number; rows?: number };

function guardedOutput(output: NodeJS.WritableStream, color: boolean): NodeJS.WritableStream {
  const target = output as NodeJS.WritableStream & TtyLike;
  const writable = new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, callback) {
      const text = typeof chunk === "string"
        ? chunk
        : new TextDecoder().decode(chunk as Uint8Array);
      target.write(color ? text : text.replace(SGR_PATTERN, ""));
      callback();
    },
  });
  writable.on("error", () => {}); // a late redraw after the prompt ended is dropped
  Object.defineProperties(writable, {
    isTTY: { get: () => target.isTTY === true },
    columns: { get: () => target.columns ?? 80 },
    rows: { get: () => target.rows ?? 24 },
  });
  return writable;
}

function isPermissionError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "NotCapable" || name === "PermissionDenied";
}

async function loadInquirer(question: string): Promise<Inquirer> {
  try {
    return await import("npm:@inquirer/prompts@8.8.0");
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    throw new DeployerError(
      `Cannot ask "${question}": interactive prompts need environment access (run with --allow-env)`,
      { cause: error },
    );
  }
}

/**
 * Runs one prompt and translates the ways it can fail to answer into
 * {@linkcode NoInputError}.
 *
 * @param streams The input, output and colour setting.
 * @param question The question, named in errors.
 * @param ask Starts the prompt with the loaded module and its context.
 * @returns The answer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { runPrompt } from "./inquirer.ts";
 * const input = new PassThrough();
 * const output = new PassThrough();
 * const answer = runPrompt({ input, output, color: false }, "Name", (inquirer, context) =>
 *   inquirer.input({ message: "Name" }, context));
 * // Type the answer once the question has been drawn:
 * output.once("data", () => setTimeout(() => input.write("joe\r")));
 * assert.equal(await answer, "joe");
 * ```
 */
export async function runPrompt<T>(
  streams: PromptStreams,
  question: string,
  ask: (inquirer: Inquirer, context: PromptContext) => Promise<T>,
): Promise<T> {
  const input = streams.input as NodeJS.ReadableStream & { readableEnded?: boolean };
  if (input.readableEnded) {
    throw new NoInputError(`Cannot ask "${question}": the input is closed`);
  }
  const inquirer = await loadInquirer(question);
  const controller = new AbortController();
  let reason = "the input was closed";
  const onEnd = () => controller.abort();
  const onKeypress = (_text: unknown, key?: { ctrl?: boolean; name?: string }) => {
    if (key?.ctrl && key.name === "d") {
      reason = "Ctrl-D was pressed";
      controller.abort();
    }
  };
  input.on("end", onEnd);
  input.on("close", onEnd);
  input.on("keypress", onKeypress);
  const output = guardedOutput(streams.output, streams.color);
  try {
    return await ask(inquirer, { input, output, signal: controller.signal });
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === "ExitPromptError") {
      throw new NoInputError(`Cannot ask "${question}": interrupted`, { cause: error });
    }
    if (name === "AbortPromptError" || name === "CancelPromptError") {
      throw new NoInputError(`Cannot ask "${question}": ${reason}`, { cause: error });
    }
    throw error;
  } finally {
    input.off("end", onEnd);
    input.off("close", onEnd);
    input.off("keypress", onKeypress);
    (output as Writable).destroy();
  }
}

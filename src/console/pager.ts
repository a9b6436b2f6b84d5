/**
 * Reading single keys and paging long output (python-deployer's `Console.lesspipe`).
 *
 * @module
 */
import { Buffer } from "node:buffer";

type KeyInput = NodeJS.ReadableStream & {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (mode: boolean) => unknown;
  readableEnded?: boolean;
};

/**
 * Reads one key from a stream (in raw mode when it is a TTY). What else arrived with
 * the key is kept for the next read.
 *
 * @param input The stream to read from.
 * @returns The key, or `null` when the input has ended.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { readKey } from "./pager.ts";
 * const input = new PassThrough();
 * input.write("qx");
 * assert.equal(await readKey(input), "q");
 * assert.equal(await readKey(input), "x");
 * ```
 */
export function readKey(input: NodeJS.ReadableStream): Promise<string | null> {
  const stream = input as KeyInput;
  if (stream.readableEnded) return Promise.resolve(null);
  return new Promise((resolve) => {
    const wasRaw = stream.isRaw ?? false;
    const tty = stream.isTTY === true && typeof stream.setRawMode === "function";
    if (tty) stream.setRawMode!(true);
    const finish = (key: string | null) => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
      stream.pause();
      if (tty) stream.setRawMode!(wasRaw);
      resolve(key);
    };
    const onData = (chunk: string | Uint8Array) => {
      const text = typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
      const key = [...text][0] ?? "";
      finish(key); // paused first, so what is put back stays for the next read
      if (typeof chunk === "string") {
        if (text.length > key.length) stream.unshift(text.slice(key.length));
      } else {
        const used = new TextEncoder().encode(key).length;
        if (chunk.length > used) stream.unshift(Buffer.from(chunk.subarray(used)));
      }
    };
    const onEnd = () => finish(null);
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("close", onEnd);
    stream.resume();
  });
}

/** What {@linkcode lesspipe} needs. */
export interface PagerStreams {
  /** Where keys come from. */
  input: NodeJS.ReadableStream;
  /** Writes text to the output. */
  write: (text: string) => void;
  /** Whether to stop after every page. */
  interactive: boolean;
  /** The height of the terminal. */
  rows: number;
}

/** The prompt shown after every page. */
export const PAGER_PROMPT = "  Press enter to continue...";

/**
 * Writes lines, stopping after every `rows - 1` lines (when interactive and more lines
 * follow) until a key is pressed; `q` or Ctrl-C stops, an ended input goes on.
 *
 * @param streams Input, output, whether to page, and the page height.
 * @param lines The lines to show, without line breaks.
 * @returns When everything was shown or the user stopped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lesspipe } from "./pager.ts";
 * import { PassThrough } from "node:stream";
 * let text = "";
 * await lesspipe(
 *   { input: new PassThrough(), write: (t) => (text += t), interactive: false, rows: 24 },
 *   ["a", "b"],
 * );
 * assert.equal(text, "a\nb\n");
 * ```
 */
export async function lesspipe(
  streams: PagerStreams,
  lines: Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  const pageSize = Math.max(streams.rows - 1, 1);
  let count = 0;
  for await (const line of lines) {
    if (streams.interactive && count > 0 && count % pageSize === 0) {
      streams.write(PAGER_PROMPT);
      const key = await readKey(streams.input);
      if (key === "q" || key === "\x03") {
        streams.write("\n");
        return;
      }
      streams.write("\r\x1b[K");
    }
    streams.write(`${line}\n`);
    count++;
  }
}

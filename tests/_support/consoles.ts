/**
 * Consoles on in-memory streams, for tests that read back what a console showed.
 *
 * @module
 */
import { PassThrough } from "node:stream";
import { Console } from "../../src/console/mod.ts";

/** A console and what it wrote. */
export interface CapturingConsole {
  /** The console. */
  console: Console;
  /** Its output stream (for writing to it directly). */
  output: PassThrough;
  /** Everything written so far. */
  text: () => string;
}

/**
 * A console whose output the test reads back. Not interactive (questions take their
 * default), unless `tty` is set: then its output is a 200-column terminal, it is
 * interactive, and it shows no colours.
 */
export function capturingConsole(options: { tty?: boolean } = {}): CapturingConsole {
  const output = options.tty
    ? Object.assign(new PassThrough(), { isTTY: true, columns: 200 })
    : new PassThrough();
  let text = "";
  output.on("data", (chunk) => void (text += String(chunk)));
  const console = options.tty
    ? new Console({ input: new PassThrough(), output, interactive: true, color: false })
    : new Console({ input: new PassThrough(), output, interactive: false });
  return { console, output, text: () => text };
}

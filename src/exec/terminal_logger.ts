/**
 * The terminal view of a run: every command and its output, prefixed with `[slug]` in
 * a colour per host, line-buffered so that parallel hosts never interleave mid-line.
 *
 * @module
 */
import { colorize, hostColor } from "../console/colors.ts";
import type { LogEvent, Logger } from "./logger.ts";

/** Options of the terminal logger. */
export interface TerminalLoggerOptions {
  /** Use colours (the console's setting; `NO_COLOR` turns it off). */
  color?: boolean;
  /** Print command output (default true). */
  showOutput?: boolean;
  /** Print action starts (default true). */
  showActions?: boolean;
  /**
   * Clear the current terminal line before each line (default false); set it on a TTY
   * so a live progress line never mixes with log lines.
   */
  clearLine?: boolean;
}

/** Something to write text to. */
export interface TextSink {
  /** Writes text. */
  write(text: string): unknown;
}

/**
 * Prints events for people.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TerminalLogger } from "./terminal_logger.ts";
 * let text = "";
 * const logger = new TerminalLogger({ write: (t: string) => (text += t) }, { color: false });
 * logger.log({
 *   type: "command.start", id: 1, host: "web1", command: "ls",
 *   sudo: false, sandbox: false, interactive: false,
 * });
 * logger.log({ type: "command.output", id: 1, host: "web1", stream: "stdout", text: "a\nb" });
 * logger.log({ type: "command.end", id: 1, host: "web1", code: 0, duration: 5 });
 * assert.equal(text, "[web1] $ ls\n[web1] a\n[web1] b\n");
 * ```
 */
export class TerminalLogger implements Logger {
  readonly #out: TextSink;
  readonly #color: boolean;
  readonly #showOutput: boolean;
  readonly #showActions: boolean;
  readonly #clear: string;
  readonly #colors = new Map<string, number>();
  readonly #partial = new Map<string, string>();
  readonly #interactive = new Set<number>();

  /** Creates a logger writing to `out`. */
  constructor(out: TextSink, options: TerminalLoggerOptions = {}) {
    this.#out = out;
    this.#color = options.color ?? false;
    this.#showOutput = options.showOutput ?? true;
    this.#showActions = options.showActions ?? true;
    this.#clear = options.clearLine ? "\r\x1b[K" : "";
  }

  #prefix(host: string): string {
    if (!this.#colors.has(host)) this.#colors.set(host, this.#colors.size);
    return colorize(`[${host}]`, hostColor(this.#colors.get(host)!), this.#color, { bold: true });
  }

  #line(host: string | undefined, text: string): void {
    this.#out.write(`${this.#clear}${host ? this.#prefix(host) + " " : ""}${text}\n`);
  }

  #flush(key: string, host: string): void {
    const rest = this.#partial.get(key);
    if (rest) this.#line(host, rest);
    this.#partial.delete(key);
  }

  /** Prints the event. */
  log(event: LogEvent): void {
    switch (event.type) {
      case "command.start": {
        if (event.interactive) this.#interactive.add(event.id);
        const tags = `${event.sandbox ? "(sandbox) " : ""}${event.sudo ? "(sudo) " : ""}`;
        this.#line(event.host, colorize(`${tags}$ ${event.command}`, "cyan", this.#color));
        break;
      }
      case "command.output": {
        if (!this.#showOutput || this.#interactive.has(event.id)) break;
        const key = `${event.id}:${event.stream}`;
        const lines = ((this.#partial.get(key) ?? "") + event.text).split(/\r?\n/);
        this.#partial.set(key, lines.pop()!);
        for (const line of lines) this.#line(event.host, line);
        break;
      }
      case "command.end": {
        this.#flush(`${event.id}:stdout`, event.host);
        this.#flush(`${event.id}:stderr`, event.host);
        this.#interactive.delete(event.id);
        if (event.code !== 0) {
          const how = event.code === null ? `stopped: ${event.reason}` : `exit code ${event.code}`;
          this.#line(event.host, colorize(`✗ ${how}`, "red", this.#color, { bold: true }));
        }
        break;
      }
      case "file": {
        const what = `${event.sandbox ? "(sandbox) " : ""}${event.sudo ? "(sudo) " : ""}` +
          `${event.operation} ${event.path}${event.localPath ? ` (local ${event.localPath})` : ""}`;
        this.#line(
          event.host,
          colorize(
            event.ok ? what : `${what} failed: ${event.error}`,
            event.ok ? "blue" : "red",
            this.#color,
          ),
        );
        break;
      }
      case "message": {
        const color = event.level === "error"
          ? "red"
          : event.level === "warning"
          ? "yellow"
          : undefined;
        this.#line(event.host, colorize(event.text, color, this.#color));
        break;
      }
      case "action.start":
        if (this.#showActions) {
          this.#line(
            undefined,
            colorize(`» ${event.path}(${event.args.join(", ")})`, "gray", this.#color),
          );
        }
        break;
      case "action.end":
        break;
    }
  }
}

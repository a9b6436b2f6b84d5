/**
 * The terminal view of a run: every command and its output, prefixed with `[slug]` in
 * a colour per host, line-buffered so that parallel hosts never interleave mid-line.
 *
 * Nothing from outside reaches the terminal raw: control characters in slugs, paths,
 * commands, messages and remote output are shown as escapes (`\x1b`, `\r`), so no line
 * can be forged and no cursor moved. Remote output keeps its SGR colours when colours
 * are on (reset at the end of the line) and loses them when they are off.
 *
 * @module
 */
import { colorize, type ColorName, hostColor } from "../console/colors.ts";
import { escapeControl } from "../console/control.ts";
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
    const color = hostColor(this.#colors.get(host)!);
    return colorize(`[${escapeControl(host)}]`, color, this.#color, { bold: true });
  }

  /** Writes one line; `text` must be safe already (see {@linkcode escapeControl}). */
  #line(host: string | undefined, text: string): void {
    this.#out.write(`${this.#clear}${host ? this.#prefix(host) + " " : ""}${text}\n`);
  }

  /** Writes text of several lines, each escaped, prefixed and coloured on its own. */
  #lines(host: string | undefined, text: string, color?: ColorName, first = "", more = ""): void {
    text.split(/\r?\n/).forEach((line, i) =>
      this.#line(host, colorize(`${i ? more : first}${escapeControl(line)}`, color, this.#color))
    );
  }

  /** One line of remote output. */
  #output(host: string, line: string): void {
    this.#line(host, escapeControl(line, { sgr: this.#color ? "keep" : "strip" }));
  }

  #flush(key: string, host: string): void {
    const rest = this.#partial.get(key);
    if (rest) this.#output(host, rest);
    this.#partial.delete(key);
  }

  /** Prints the event. */
  log(event: LogEvent): void {
    switch (event.type) {
      case "command.start": {
        if (event.interactive) this.#interactive.add(event.id);
        const tags = `${event.sandbox ? "(sandbox) " : ""}${event.sudo ? "(sudo) " : ""}`;
        this.#lines(event.host, event.command, "cyan", `${tags}$ `, "  ");
        break;
      }
      case "command.output": {
        if (!this.#showOutput || this.#interactive.has(event.id)) break;
        const key = `${event.id}:${event.stream}`;
        const lines = ((this.#partial.get(key) ?? "") + event.text).split(/\r?\n/);
        this.#partial.set(key, lines.pop()!);
        for (const line of lines) this.#output(event.host, line);
        break;
      }
      case "command.end": {
        this.#flush(`${event.id}:stdout`, event.host);
        this.#flush(`${event.id}:stderr`, event.host);
        this.#interactive.delete(event.id);
        if (event.code !== 0) {
          const how = event.code === null
            ? `stopped: ${escapeControl(String(event.reason))}`
            : `exit code ${event.code}`;
          this.#line(event.host, colorize(`✗ ${how}`, "red", this.#color, { bold: true }));
        }
        break;
      }
      case "file": {
        const local = event.localPath ? ` (local ${escapeControl(event.localPath)})` : "";
        const what = `${event.sandbox ? "(sandbox) " : ""}${event.sudo ? "(sudo) " : ""}` +
          `${event.operation} ${escapeControl(event.path)}${local}`;
        this.#line(
          event.host,
          colorize(
            event.ok ? what : `${what} failed: ${escapeControl(String(event.error))}`,
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
        this.#lines(event.host, event.text, color);
        break;
      }
      case "action.start":
        if (this.#showActions) {
          const call = `» ${event.path}(${event.args.join(", ")})`;
          this.#line(undefined, colorize(escapeControl(call), "gray", this.#color));
        }
        break;
      case "action.end":
        break;
    }
  }
}

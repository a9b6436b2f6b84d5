/**
 * The process's own terminal as a {@linkcode Terminal} for interactive commands.
 *
 * @module
 */
import process from "node:process";
import type { Terminal } from "../host/services.ts";

/**
 * The terminal of this process (stdin/stdout), raw mode while attached.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { processTerminal } from "./terminal.ts";
 * const terminal = processTerminal();
 * assert.equal(terminal.isTTY, Deno.stdin.isTerminal() && Deno.stdout.isTerminal());
 * const { cols, rows } = terminal.size(); // 80 x 24 when stdout is not a terminal
 * assert.ok(cols > 0 && rows > 0);
 * ```
 */
export function processTerminal(): Terminal {
  const stdin = process.stdin;
  const stdout = process.stdout;
  return {
    get isTTY() {
      return !!stdin.isTTY && !!stdout.isTTY;
    },
    get term() {
      try {
        return Deno.env.get("TERM") ?? "xterm";
      } catch {
        return "xterm";
      }
    },
    size: () => ({ cols: stdout.columns ?? 80, rows: stdout.rows ?? 24 }),
    write: (data) => void stdout.write(data),
    attach(handlers) {
      const onData = (chunk: Uint8Array | string) =>
        handlers.onInput(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
      const onResize = () => handlers.onResize(stdout.columns ?? 80, stdout.rows ?? 24);
      const wasRaw = stdin.isRaw;
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.on("data", onData);
      stdin.resume();
      stdout.on("resize", onResize);
      return () => {
        stdin.off("data", onData);
        stdout.off("resize", onResize);
        if (stdin.isTTY) stdin.setRawMode(wasRaw ?? false);
        stdin.pause();
      };
    },
  };
}

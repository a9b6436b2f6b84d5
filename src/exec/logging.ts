/**
 * Logging (the `./logging` export): the `Logger` interface, the events it receives, and
 * the built-in loggers: `TerminalLogger` (what the CLI shows), `JsonLinesLogger`
 * (`--log FILE`) and `RecordingLogger` (keeps events in memory, for tests).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordingLogger } from "./logging.ts";
 * const logger = new RecordingLogger();
 * logger.log({ type: "message", level: "info", text: "hello" });
 * assert.equal(logger.events.length, 1);
 * ```
 *
 * @module
 */
export {
  type ActionEndEvent,
  type ActionStartEvent,
  JsonLinesLogger,
  type LogEvent,
  type Logger,
  RecordingLogger,
} from "./logger.ts";
export { TerminalLogger, type TerminalLoggerOptions } from "./terminal_logger.ts";
export type {
  CommandEndEvent,
  CommandOutputEvent,
  CommandStartEvent,
  FileEvent,
  HostEvent,
  MessageEvent,
} from "../host/events.ts";

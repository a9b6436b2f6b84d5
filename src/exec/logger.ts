/**
 * Structured logging: the events an environment reports and the `Logger` interface
 * that receives them. Built-in loggers: the terminal view, JSON lines to a file, and a
 * recording logger for tests and `--json`.
 *
 * @module
 */
import type { HostEvent } from "../host/events.ts";

/** An action started. */
export interface ActionStartEvent {
  /** Event type. */
  readonly type: "action.start";
  /** Identifies the action call across its events. */
  readonly id: number;
  /** The full path of the action (`Root.web[web1].deploy`). */
  readonly path: string;
  /** The host slug of the isolation, when it runs in one. */
  readonly host?: string;
  /** The arguments, as shown (secrets masked). */
  readonly args: readonly string[];
}

/** An action ended. */
export interface ActionEndEvent {
  /** Event type. */
  readonly type: "action.end";
  /** The id of the call. */
  readonly id: number;
  /** The full path of the action. */
  readonly path: string;
  /** The host slug of the isolation. */
  readonly host?: string;
  /** Whether it succeeded. */
  readonly ok: boolean;
  /** Milliseconds it took. */
  readonly duration: number;
  /** The error message when it failed. */
  readonly error?: string;
}

/** Every event an environment reports. */
export type LogEvent = HostEvent | ActionStartEvent | ActionEndEvent;

/**
 * Receives events. Implement it to send events anywhere.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sh } from "../command/sh.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { Env } from "./env.ts";
 * import type { LogEvent, Logger } from "./logger.ts";
 * class CommandLogger implements Logger {
 *   commands: string[] = [];
 *   log(event: LogEvent): void {
 *     if (event.type === "command.start") this.commands.push(event.command);
 *   }
 * }
 * const logger = new CommandLogger();
 * await using env = new Env({ interactive: false, loggers: [logger] });
 * await env.host(new LocalHost()).run(sh`echo ${"hi there"}`);
 * assert.deepEqual(logger.commands, ["echo 'hi there'"]);
 * ```
 */
export interface Logger {
  /** Called for every event, in order. Must not throw. */
  log(event: LogEvent): void;
  /** Called when the environment closes. */
  close?(): void | Promise<void>;
}

/**
 * Keeps every event in memory (tests, `--json`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordingLogger } from "./logger.ts";
 * const logger = new RecordingLogger();
 * logger.log({ type: "message", level: "info", text: "hi" });
 * assert.equal(logger.events.length, 1);
 * ```
 */
export class RecordingLogger implements Logger {
  /** Every event received. */
  readonly events: LogEvent[] = [];
  /** Stores the event. */
  log(event: LogEvent): void {
    this.events.push(event);
  }
  /** The events of one type. */
  ofType<T extends LogEvent["type"]>(type: T): Extract<LogEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<LogEvent, { type: T }>[];
  }
}

/**
 * Writes one JSON object per event (with a timestamp) to a file, appending.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonLinesLogger } from "./logger.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const logger = JsonLinesLogger.open(`${dir}/events.jsonl`);
 *   logger.log({ type: "message", level: "info", text: "hi" });
 *   logger.close();
 *   const { time, ...event } = JSON.parse(await Deno.readTextFile(`${dir}/events.jsonl`));
 *   assert.deepEqual(event, { type: "message", level: "info", text: "hi" });
 *   assert.ok(!Number.isNaN(Date.parse(time)));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class JsonLinesLogger implements Logger {
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  #closed = false;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Opens (creates or appends to) the file at `path`. */
  static open(path: string): JsonLinesLogger {
    return new JsonLinesLogger(Deno.openSync(path, { create: true, append: true }));
  }

  /** Appends the event as one line. */
  log(event: LogEvent): void {
    if (this.#closed) return;
    const line = JSON.stringify({ time: new Date().toISOString(), ...event }) + "\n";
    const bytes = this.#encoder.encode(line);
    for (let n = 0; n < bytes.length;) n += this.#file.writeSync(bytes.subarray(n));
  }

  /** Closes the file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}

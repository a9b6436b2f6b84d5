/**
 * Sends each event of a shared environment to the logger of the session client whose
 * action caused it: the client is known from the async context where an action or
 * command starts, and followed by the event's id from then on (output of a command may
 * arrive in the context of the connection that carries it, opened by another client).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { LogEvent, Logger } from "../../exec/logger.ts";

/**
 * A logger that routes every event to the logger of the client that caused it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordingLogger } from "../../exec/logger.ts";
 * import { RoutingLogger } from "./routing.ts";
 * const router = new RoutingLogger();
 * const [a, b] = [new RecordingLogger(), new RecordingLogger()];
 * const start = { type: "command.start", id: 1, host: "h", command: "ls",
 *   sudo: false, sandbox: false, interactive: false } as const;
 * router.run(a, () => router.log(start));
 * router.run(b, () => router.log({ ...start, id: 2 }));
 * router.log({ type: "command.output", id: 1, host: "h", stream: "stdout", text: "x" });
 * assert.equal(a.events.length, 2);
 * assert.equal(b.events.length, 1);
 * ```
 */
export class RoutingLogger implements Logger {
  readonly #context = new AsyncLocalStorage<Logger>();
  readonly #byId = new Map<string, Logger>();

  /** Runs `task` so that the events it causes go to `logger`. */
  run<T>(logger: Logger, task: () => T): T {
    return this.#context.run(logger, task);
  }

  /** Routes one event. */
  log(event: LogEvent): void {
    const id = (event as { id?: number }).id;
    const key = id === undefined ? undefined : `${event.type.split(".")[0]}:${id}`;
    let target = key === undefined ? undefined : this.#byId.get(key);
    if (!target) {
      target = this.#context.getStore();
      if (target && key !== undefined && !event.type.endsWith(".end")) this.#byId.set(key, target);
    }
    if (key !== undefined && event.type.endsWith(".end")) this.#byId.delete(key);
    try {
      target?.log(event);
    } catch {
      // a client that went away
    }
  }
}

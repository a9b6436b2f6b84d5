/**
 * Stopping file transfers: the abort error they reject with (the one aborted commands
 * give), data sources whose pending reads end when a signal aborts, and
 * {@linkcode Transfers}, the transfers in flight on one connection, stopped when it closes.
 *
 * @module
 */
import { CommandError, ConnectionError } from "../errors.ts";
import type { FileData } from "./connection.ts";
import { LocalFileStream } from "./local_file_data.ts";

/**
 * One signal that aborts when any of `signals` does (`undefined` given none).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { anySignal } from "./transfer_abort.ts";
 * const a = new AbortController();
 * const signal = anySignal(a.signal, undefined)!;
 * a.abort();
 * assert.ok(signal.aborted);
 * assert.equal(anySignal(undefined), undefined);
 * ```
 */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/**
 * The error of a file transfer stopped by an abort signal: a {@linkcode CommandError} with
 * reason `aborted`, as aborted commands give, naming the host and the transfer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandError } from "../errors.ts";
 * import { abortedTransfer } from "./transfer_abort.ts";
 * const error = abortedTransfer("web1", "write file /etc/motd");
 * assert.ok(error instanceof CommandError);
 * assert.equal(error.message, 'Command on host "web1" was stopped: aborted: write file /etc/motd');
 * ```
 */
export function abortedTransfer(host: string, what: string, cause?: unknown): CommandError {
  return new CommandError({ host, command: what, code: null, reason: "aborted" }, { cause });
}

/**
 * `stream` as a stream whose pending read rejects (and whose source is cancelled) as soon as
 * `signal` aborts, even when the source never delivers another chunk.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableStream } from "./transfer_abort.ts";
 * const controller = new AbortController();
 * const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
 * const reader = abortableStream(never, controller.signal).getReader();
 * const read = reader.read();
 * controller.abort(new Error("stop"));
 * await assert.rejects(read, /stop/);
 * ```
 */
export function abortableStream(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  if (!signal) return stream;
  const pipe = new TransformStream<Uint8Array, Uint8Array>();
  stream.pipeTo(pipe.writable, { signal }).catch(() => {});
  return pipe.readable;
}

/**
 * The data of an upload, its pending reads stopped by `signal`: a stream is wrapped with
 * {@linkcode abortableStream}; bytes in memory and a local file (whose reads end by
 * themselves) stay as they are, for their writers to check the signal between pieces.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableData } from "./transfer_abort.ts";
 * const bytes = new Uint8Array([1, 2]);
 * assert.equal(abortableData(bytes, new AbortController().signal), bytes);
 * ```
 */
export function abortableData(data: FileData, signal: AbortSignal | undefined): FileData {
  if (data instanceof Uint8Array || data instanceof LocalFileStream) return data;
  return abortableStream(data, signal);
}

/** Rejects `data`: cancels it when it is a stream nobody reads yet. */
async function discard(data: FileData | undefined): Promise<void> {
  if (data instanceof ReadableStream && !data.locked) await data.cancel().catch(() => {});
}

/**
 * The file transfers in flight on one connection. Each runs with a signal that aborts when
 * its caller's does (it then rejects with {@linkcode abortedTransfer}) or when the
 * connection closes ({@linkcode Transfers.close}: it then rejects with a
 * {@linkcode ConnectionError}), as closing a connection stops the commands running on it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionError } from "../errors.ts";
 * import { Transfers } from "./transfer_abort.ts";
 * const transfers = new Transfers("web1");
 * // A transfer that ends only when stopped.
 * const endless = transfers.run("write file /srv/a", undefined, (signal) =>
 *   new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))))
 *   .catch((error) => error);
 * await transfers.close();
 * const error = await endless;
 * assert.ok(error instanceof ConnectionError);
 * assert.equal(
 *   error.message,
 *   'Cannot connect to host "web1": the connection was closed (write file /srv/a)',
 * );
 * ```
 */
export class Transfers {
  readonly #host: string;
  readonly #closing = new AbortController();
  readonly #running = new Set<Promise<unknown>>();

  /** Tracks the transfers of host `host` (its slug, for errors). */
  constructor(host: string) {
    this.#host = host;
  }

  /**
   * Runs the transfer `what` (e.g. `write file /srv/a`, for errors) with a signal that
   * aborts with `signal` or when the connection closes. `data`, the upload's source, is
   * cancelled when the transfer does not start.
   */
  async run<T>(
    what: string,
    signal: AbortSignal | undefined,
    transfer: (signal: AbortSignal) => Promise<T>,
    data?: FileData,
  ): Promise<T> {
    const closing = this.#closing.signal;
    if (closing.aborted || signal?.aborted) {
      await discard(data);
      throw this.#stopped(what, signal, undefined);
    }
    const running = transfer(anySignal(signal, closing)!);
    this.#running.add(running);
    try {
      return await running;
    } catch (error) {
      if (signal?.aborted || closing.aborted) throw this.#stopped(what, signal, error);
      throw error;
    } finally {
      this.#running.delete(running);
    }
  }

  #stopped(what: string, signal: AbortSignal | undefined, cause: unknown): Error {
    if (signal?.aborted) return abortedTransfer(this.#host, what, cause);
    return new ConnectionError(this.#host, `the connection was closed (${what})`, { cause });
  }

  /** Stops every transfer in flight and waits (at most `ms`) for each to clean up. */
  async close(ms = 5000): Promise<void> {
    this.#closing.abort(new ConnectionError(this.#host, "the connection was closed"));
    if (!this.#running.size) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(this.#running),
      new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }
}

/**
 * One client of a session on the server side: the streams its shell reads and writes
 * (over the socket instead of the process's stdin and stdout), its console, and the
 * terminal that interactive commands take over.
 *
 * @module
 */
import { PassThrough, Writable } from "node:stream";
import { Console } from "../../console/mod.ts";
import type { Terminal } from "../../host/services.ts";
import { encodeFrame, FRAME } from "./protocol.ts";

/** What the client said when it connected. */
export interface Hello {
  /** Terminal width. */
  cols: number;
  /** Terminal height. */
  rows: number;
  /** Its `TERM`. */
  term: string;
  /** Whether it wants colours. */
  color: boolean;
  /** Node names to start in. */
  path: string[];
  /** `ACTION ARG...` to run without a shell (empty: open the shell). */
  action: string[];
}

/** The output stream of a remote terminal: what is written goes to the socket. */
class RemoteOutput extends Writable {
  columns: number;
  rows: number;
  readonly isTTY = true;
  readonly #send: (bytes: Uint8Array) => void;
  constructor(send: (bytes: Uint8Array) => void, cols: number, rows: number) {
    super();
    this.#send = send;
    this.columns = cols;
    this.rows = rows;
  }
  override _write(chunk: Uint8Array, _encoding: string, done: (error?: Error | null) => void) {
    this.#send(chunk);
    done();
  }
}

type Attached = { onInput(data: Uint8Array): void; onResize(cols: number, rows: number): void };

/**
 * The server's side of one connected terminal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientTerminal } from "./client_shell.ts";
 * const sent: Uint8Array[] = [];
 * const client = new ClientTerminal((frame) => sent.push(frame), {
 *   cols: 100, rows: 30, term: "xterm", color: false, path: [], action: [],
 * });
 * client.console.write("hi\n");
 * assert.equal(sent.length, 1);
 * client.resize(120, 40);
 * assert.equal(client.console.columns, 120);
 * ```
 */
export class ClientTerminal {
  /** Keys typed by the client, read by the shell and questions. */
  readonly input: PassThrough = new PassThrough();
  /** What the shell writes. */
  readonly output: RemoteOutput;
  /** The console of this client's actions. */
  readonly console: Console;
  /** The terminal interactive commands take over. */
  readonly terminal: Terminal;
  #attached: Attached | undefined;
  readonly #interrupted = new Set<() => void>();

  /** Creates it; `send` writes one encoded frame to the client. */
  constructor(send: (frame: Uint8Array) => void, hello: Hello) {
    const out = (bytes: Uint8Array) => send(encodeFrame(FRAME.output, bytes));
    this.output = new RemoteOutput(out, hello.cols, hello.rows);
    this.console = new Console({
      input: this.input,
      output: this.output,
      interactive: true,
      color: hello.color,
    });
    this.terminal = {
      isTTY: true,
      term: hello.term,
      size: () => ({ cols: this.output.columns, rows: this.output.rows }),
      write: (data) => out(data),
      attach: (handlers) => {
        this.#attached = handlers;
        return () => {
          if (this.#attached === handlers) this.#attached = undefined;
        };
      },
    };
  }

  /**
   * Keys from the client: to an interactive command when one runs; Ctrl-C to whoever
   * waits for it while an action runs; everything else to the shell.
   */
  type(data: Uint8Array): void {
    if (this.#attached) return this.#attached.onInput(data);
    if (this.#interrupted.size && data.includes(3)) {
      for (const handler of [...this.#interrupted]) handler();
      data = data.filter((byte) => byte !== 3);
    }
    if (data.length) this.input.write(data);
  }

  /** Calls `handler` on each Ctrl-C from the client until the returned function is called. */
  readonly interrupts = (handler: () => void): () => void => {
    this.#interrupted.add(handler);
    return () => void this.#interrupted.delete(handler);
  };

  /** The client's terminal changed size. */
  resize(cols: number, rows: number): void {
    this.output.columns = cols;
    this.output.rows = rows;
    this.output.emit("resize");
    this.#attached?.onResize(cols, rows);
  }

  /** The client went away: the shell sees the end of its input. */
  end(): void {
    this.input.end();
  }
}

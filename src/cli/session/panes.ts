/**
 * "Forking in another terminal" (python-deployer's socket server), for tmux: while a
 * connected shell runs an action, each isolation's events go to a tmux pane split off
 * the client's pane, which runs `connect --pane KEY` and shows them; the shell itself
 * says where each isolation went.
 *
 * @module
 */
import type { LogEvent, Logger } from "../../exec/logger.ts";
import { TerminalLogger } from "../../exec/terminal_logger.ts";

/** Where a client's tmux is and how to start a pane client. */
export interface PaneSetup {
  /** The tmux server socket (from `$TMUX`). */
  readonly socket: string;
  /** The client's pane (`$TMUX_PANE`), split for each isolation. */
  readonly pane: string;
  /** The command a new pane runs, without `--pane KEY`. */
  readonly command: readonly string[];
}

/**
 * One pane's output: buffered until its client connects.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { PaneSink } from "./panes.ts";
 * const sink = new PaneSink();
 * sink.write("early\n");
 * sink.end();
 * let text = "";
 * let code: number | undefined;
 * sink.attach((t) => (text += t), (c) => (code = c));
 * assert.equal(text, "early\n");
 * assert.equal(code, 0);
 * ```
 */
export class PaneSink {
  #buffer: string[] = [];
  #write: ((text: string) => void) | undefined;
  #ended: ((code: number) => void) | undefined;
  #done = false;

  /** Writes text to the pane (or keeps it until the pane connects). */
  write(text: string): void {
    if (this.#write) this.#write(text);
    else this.#buffer.push(text);
  }

  /** The pane's client connected: flush what was kept. */
  attach(write: (text: string) => void, ended: (code: number) => void): void {
    this.#write = write;
    this.#ended = ended;
    for (const text of this.#buffer.splice(0)) write(text);
    if (this.#done) ended(0);
  }

  /** The action ended: the pane may close. */
  end(): void {
    this.#done = true;
    this.#ended?.(0);
  }
}

/** How long the output of a finished isolation waits for its pane to connect. */
const PANE_START_MS = 60_000;

/** The panes of one server: key → sink. */
export type PaneRegistry = Map<string, PaneSink>;

/** Opens a tmux pane running `command`; resolves to an error message, or undefined. */
async function splitPane(setup: PaneSetup, command: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("tmux", {
      args: ["-S", setup.socket, "split-window", "-d", "-t", setup.pane, "--", ...command],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success ? undefined : new TextDecoder().decode(out.stderr).trim();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * A client's logger that sends each isolation (an action started for one host) to a
 * pane of its own, and everything else to the shell.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordingLogger } from "../../exec/logger.ts";
 * import { PaneRouter } from "./panes.ts";
 * const main = new RecordingLogger();
 * // Without a tmux setup everything stays in the shell (prefixed by host).
 * const router = new PaneRouter(main, undefined, new Map(), () => {}, false);
 * router.log({ type: "action.start", id: 1, path: "Root.cells[one].x", host: "one", args: [] });
 * assert.equal(main.events.length, 1);
 * ```
 */
export class PaneRouter implements Logger {
  readonly #main: Logger;
  readonly #setup: PaneSetup | undefined;
  readonly #registry: PaneRegistry;
  readonly #say: (text: string) => void;
  readonly #color: boolean;
  readonly #open = new Map<string, { key: string; logger: Logger }>();
  #depth = 0;

  /** Creates it; `say` writes a line to the client's shell. */
  constructor(
    main: Logger,
    setup: PaneSetup | undefined,
    registry: PaneRegistry,
    say: (text: string) => void,
    color: boolean,
  ) {
    this.#main = main;
    this.#setup = setup;
    this.#registry = registry;
    this.#say = say;
    this.#color = color;
  }

  /** Routes one event. */
  log(event: LogEvent): void {
    if (event.type === "action.start") this.#depth++;
    const host = (event as { host?: string }).host;
    let pane = host === undefined ? undefined : this.#open.get(host);
    if (!pane && this.#setup && host !== undefined && event.type === "action.start") {
      pane = this.#fork(this.#setup, host, event.path);
    }
    (pane?.logger ?? this.#main).log(event);
    if (event.type === "action.end" && --this.#depth <= 0) {
      this.#depth = 0;
      for (const { key } of this.#open.values()) {
        this.#registry.get(key)?.end();
        // A pane still starting picks its output up later; one that never comes is dropped.
        const timer = setTimeout(() => this.#registry.delete(key), PANE_START_MS);
        Deno.unrefTimer(timer);
      }
      this.#open.clear();
    }
  }

  #fork(setup: PaneSetup, host: string, path: string): { key: string; logger: Logger } {
    const key = crypto.randomUUID();
    const sink = new PaneSink();
    this.#registry.set(key, sink);
    sink.write(`On ${path} (${host})\n`);
    const pane = {
      key,
      logger: new TerminalLogger({ write: (t: string) => sink.write(t) }, { color: this.#color }),
    };
    this.#open.set(host, pane);
    this.#say(`Forking ${path} in another pane...\n`);
    splitPane(setup, [...setup.command, "--pane", key]).then((error) => {
      if (error === undefined) return;
      this.#say(`Could not open a tmux pane for ${host} (${error}); its output stays here.\n`);
      this.#open.delete(host);
      this.#registry.delete(key);
    });
    return pane;
  }
}

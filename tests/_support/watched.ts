/**
 * A child process whose output (one stream) is read as it comes, with a temporary HOME;
 * disposing it kills what is left of it and removes the HOME.
 *
 * @module
 */
import type { TempHome } from "./home.ts";

/** A child process and the text of one of its output streams. */
export class WatchedProcess implements AsyncDisposable {
  /** The process. */
  readonly process: Deno.ChildProcess;
  /** Its HOME. */
  readonly home: string;
  readonly #home: TempHome;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #text = "";

  /** Watches `stream` of `process`, which runs in `home`. */
  constructor(process: Deno.ChildProcess, home: TempHome, stream: ReadableStream<Uint8Array>) {
    this.process = process;
    this.#home = home;
    this.home = home.dir;
    this.#reader = stream.getReader();
  }

  /** The text so far (a subclass may show it otherwise, see {@linkcode WatchedProcess.shown}). */
  get text(): string {
    return this.shown(this.#text);
  }

  /** How the text is shown to `until` and `text`: as it came. */
  protected shown(text: string): string {
    return text;
  }

  /** Reads until `done` says so of the text; throws when the stream ends first. */
  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text)) {
      const { value, done: ended } = await this.#reader.read();
      if (ended) throw new Error(`The program ended early:\n${this.text}`);
      this.#text += this.#decoder.decode(value, { stream: true });
    }
    return this.text;
  }

  /** Reads the stream to its end; resolves to the exit status. */
  async finish(): Promise<Deno.CommandStatus> {
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) break;
      this.#text += this.#decoder.decode(value, { stream: true });
    }
    return await this.process.status;
  }

  /** Kills what is left of the process and removes its HOME. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.process.kill("SIGKILL");
    } catch {
      // ended
    }
    await this.#reader.cancel().catch(() => {});
    await this.process.status;
    await this.#home[Symbol.asyncDispose]();
  }
}

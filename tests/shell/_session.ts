/**
 * A shell session without a terminal, for running shell lines directly in tests: it keeps
 * what the shell writes.
 *
 * @module
 */
import { Env } from "../../mod.ts";
import type { NodeClass } from "../../src/node/markers.ts";
import { executeLine, type ShellSession } from "../../src/shell/commands.ts";

/** A {@linkcode ShellSession} that keeps what is written. */
export interface RecordingSession extends ShellSession {
  /** Everything written so far. */
  shown(): string;
  /** What was written since the last `take()`. */
  take(): string;
  /** Runs a shell line; resolves to what was written since the last `take()`. */
  run(line: string): Promise<string>;
}

/** A session on `root` in `env`: no colours, no Retry / Skip / Abort question. */
export function recordingSession(env: Env, root: object): RecordingSession {
  let shown = "";
  let taken = 0;
  const write = (text: string) => void (shown += text);
  const session: RecordingSession = {
    env,
    console: env.console,
    location: { root, current: root },
    write,
    page: async (text) => write(text),
    columns: (names) => names.join("  ") + "\n",
    paint: (text) => text,
    options: new Map([["color", false], ["ask-on-failure", false], ["debug", false]]),
    name: "test",
    version: "0.0.0",
    shown: () => shown,
    take: () => {
      const text = shown.slice(taken);
      taken = shown.length;
      return text;
    },
    run: async (line) => {
      await executeLine(session, line);
      return session.take();
    },
  };
  return session;
}

/** A session on a new tree of `root` in its own non-interactive `Env` (closed on dispose). */
export function sessionOn(root: NodeClass): RecordingSession & AsyncDisposable {
  const env = new Env({ interactive: false });
  const session = recordingSession(env, env.bind(root) as object);
  return Object.assign(session, { [Symbol.asyncDispose]: () => env.close() });
}

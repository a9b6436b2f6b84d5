/**
 * Stopping a command's whole session on its host, and checking that nothing of it is left
 * (private to `run.ts`). Every command reports the id of its session when it starts (see
 * `composeLaunch`); to stop it, a second command, under the same sudo, sends `TERM` to
 * every process of that session, then `KILL` to what is left, and says what survived.
 *
 * @module
 */
import { compose, type Composition } from "../command/compose.ts";
import { toCommand } from "../command/sh.ts";
import type { Connection } from "./connection.ts";

/** How long the processes of a stopped command get after `TERM` before `KILL`. */
export const TERM_GRACE_MS = 2000;
/** How long the whole stop may take before it counts as not verified. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * Finds `<marker><digits>;` in a stream of text, removes it and reports the number. Text
 * that could be the start of the marker is held back until the next chunk.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionReport } from "./_stop.ts";
 * const report = new SessionReport("[m]");
 * assert.equal(report.push("a[") + report.push("m]42;b") + report.flush(), "ab");
 * assert.equal(await report.session, 42);
 * ```
 */
export class SessionReport {
  readonly #marker: string;
  #carry = "";
  #found = false;
  #resolve: (sid: number | undefined) => void = () => {};
  /** The session id once reported (`0`: not the command's own), `undefined` if never. */
  readonly session: Promise<number | undefined>;

  /** Looks for `marker`. */
  constructor(marker: string) {
    this.#marker = marker;
    this.session = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Whether the report was seen. */
  get found(): boolean {
    return this.#found;
  }

  /** Filters a chunk; returns the text without the report. */
  push(text: string): string {
    if (this.#found) return text;
    const buffer = this.#carry + text;
    this.#carry = "";
    const at = buffer.indexOf(this.#marker);
    if (at >= 0) {
      const match = /^(\d*)(;?)/.exec(buffer.slice(at + this.#marker.length))!;
      if (!match[2]) {
        // The digits may continue in the next chunk.
        if (buffer.length - at - this.#marker.length - match[1].length < 1) {
          this.#carry = buffer.slice(at);
          return buffer.slice(0, at);
        }
      }
      this.#found = true;
      this.#resolve(Number(match[1] || "0"));
      return buffer.slice(0, at) + buffer.slice(at + this.#marker.length + match[0].length);
    }
    for (let k = Math.min(this.#marker.length - 1, buffer.length); k > 0; k--) {
      if (this.#marker.startsWith(buffer.slice(buffer.length - k))) {
        this.#carry = buffer.slice(buffer.length - k);
        return buffer.slice(0, buffer.length - k);
      }
    }
    return buffer;
  }

  /** The end of the stream: returns what was held back; the report will not come any more. */
  flush(): string {
    const rest = this.#carry;
    this.#carry = "";
    if (!this.#found) this.#resolve(undefined);
    return rest;
  }
}

/**
 * One `awk` process lists the session from `/proc` (a shell loop reading each file byte by
 * byte is slow on a busy host). `awk` ends its list with `.`: without it (no `awk`, or one
 * that failed) the shell loop lists it instead, so a stop is never confirmed on a partial
 * list. Reading with `getline` in `BEGIN`, a process that exits meanwhile is skipped. Every
 * line of a `stat` file is read: a process name may hold a newline (a process can set its
 * own through `/proc/self/comm`), and the fields come after the last `) `.
 */
const AWK_LIST = 'awk -v s="$S" -v me="$$" \'BEGIN { ' +
  'for (i = 1; i < ARGC; i++) { f = ARGV[i]; l = ""; k = 0; ' +
  'while ((getline x < f) > 0) l = k++ ? l " " x : x; ' +
  'if (k > 0) { p = f; sub(/^\\/proc\\//, "", p); sub(/\\/stat$/, "", p); ' +
  'sub(/^.*\\) /, "", l); n = split(l, a, " "); ' +
  'if (n >= 4 && p != me && a[1] != "Z" && (a[3] == s || a[4] == s)) printf "%s ", p } ' +
  'close(f) } printf "." }\' /proc/[0-9]*/stat 2>/dev/null';

/**
 * The shell text that stops every process of session (or process group) `sid` except
 * itself: `TERM`, up to `graceMs` for them to end, then `KILL`; it prints `left:` and the
 * PIDs still alive (none when it worked). Zombies do not count: they no longer run. The
 * processes are found in `/proc` (with `awk` when there is one), else with `ps`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stopScript } from "./_stop.ts";
 * const child = new Deno.Command("setsid", {
 *   args: ["sh", "-c", "sleep 60 & echo started; wait"], stdout: "piped",
 * }).spawn();
 * const reader = child.stdout.getReader();
 * await reader.read(); // "started": the session has its two processes
 * const out = await new Deno.Command("sh", { args: ["-c", stopScript(child.pid)] }).output();
 * assert.equal(new TextDecoder().decode(out.stdout), "left:\n");
 * reader.releaseLock();
 * await child.stdout.cancel();
 * assert.equal((await child.status).signal, "SIGTERM");
 * ```
 */
export function stopScript(sid: number, graceMs: number = TERM_GRACE_MS): string {
  if (!Number.isSafeInteger(sid) || sid <= 1) throw new RangeError(`Invalid session id ${sid}`);
  const rounds = Math.max(1, Math.ceil(graceMs / 100));
  return [
    `S=${sid}`,
    `A=; command -v awk >/dev/null 2>&1 && A=1`,
    // A process belongs when its session or its process group is S.
    `ls_() { if [ -r /proc/self/stat ]; then ` +
    `if [ -n "$A" ] && o=$(${AWK_LIST}) && [ "\${o%.}" != "$o" ]; then printf '%s' "\${o%.}"; ` +
    `else for f in /proc/[0-9]*/stat; do ` +
    `l=; k=; { while IFS= read -r x; do l="$l$x "; k=1; done <"$f"; } 2>/dev/null; ` +
    `[ -n "$k" ] || continue; p=\${f#/proc/}; p=\${p%/stat}; ` +
    `set -- \${l##*) }; [ "$p" != "$$" ] && [ "$1" != Z ] && ` +
    `{ [ "$3" = "$S" ] || [ "$4" = "$S" ]; } && printf '%s ' "$p"; done; fi; ` +
    `else ps -A -o pid= -o pgid= -o sid= 2>/dev/null | while read -r p g s; do ` +
    `[ "$p" != "$$" ] && { [ "$g" = "$S" ] || [ "$s" = "$S" ]; } && printf '%s ' "$p"; ` +
    `done; fi; }`,
    `kill_() { kill -s "$1" -- "-$S" 2>/dev/null; for p in $(ls_); do kill -s "$1" "$p" 2>/dev/null; done; }`,
    `wait_() { i=0; while [ -n "$(ls_)" ] && [ "$i" -lt "$1" ]; do ` +
    `sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done; }`,
    `kill_ TERM; wait_ ${rounds}`,
    `[ -n "$(ls_)" ] && { kill_ KILL; wait_ 20; }`,
    `printf 'left:%s\\n' "$(ls_)"`,
  ].join("\n");
}

/** What {@linkcode stopSession} needs. */
export interface StopRequest {
  /** The connection the command runs on. */
  connection: Connection;
  /** The session id the command reported. */
  sid: number;
  /** The sudo the command ran with (the same stops it). */
  sudo?: Composition["sudo"];
  /** The sudo password, when sudo asks for one. */
  password?: string;
}

/**
 * Stops session `sid` on the host and resolves to whether nothing of it is left. Never
 * rejects: a failure to check resolves to `false`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalConnection } from "./local.ts";
 * import { stopSession } from "./_stop.ts";
 * const child = new Deno.Command("setsid", { args: ["sleep", "60"] }).spawn();
 * const connection = new LocalConnection("local1");
 * assert.equal(await stopSession({ connection, sid: child.pid }), true);
 * assert.equal((await child.status).signal, "SIGTERM");
 * await connection.close();
 * ```
 */
export async function stopSession(request: StopRequest): Promise<boolean> {
  const { connection, sid, sudo, password } = request;
  const text = compose(toCommand(stopScript(sid)), { sudo, stdinNull: true }).text;
  let stdout = "";
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    let prompted = false;
    let errText = "";
    const errDecoder = new TextDecoder();
    let onPrompt = () => {};
    const proc = await connection.exec(text, {
      onStdout: (chunk) => (stdout += decoder.decode(chunk, { stream: true })),
      onStderr: (chunk) => {
        errText += errDecoder.decode(chunk, { stream: true });
        if (!prompted && sudo?.marker && errText.includes(sudo.marker)) {
          prompted = true;
          onPrompt();
        }
      },
    });
    onPrompt = () => {
      proc.write(`${password ?? ""}\n`).then(() => proc.closeStdin()).catch(() => {});
    };
    if (!sudo?.marker) await proc.closeStdin();
    else if (prompted) onPrompt();
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        proc.kill();
        resolve(null);
      }, STOP_TIMEOUT_MS);
    });
    const status = await Promise.race([proc.status, timeout]);
    return status !== null && status.code === 0 && /^left:\s*$/m.test(stdout);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

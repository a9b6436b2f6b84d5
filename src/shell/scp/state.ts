/**
 * The state of one SCP shell: the host, the console, and the two working directories.
 *
 * @module
 */
import { posix } from "node:path";
import type { Console } from "../../console/console.ts";
import { escapeControl } from "../../console/control.ts";
import type { HostHandle } from "../../host/handle.ts";

/** The mutable state of one SCP shell (one per `runScpShell` call). */
export interface ScpState {
  /** The remote host. */
  readonly host: HostHandle;
  /** The console: questions, paging, progress bars. */
  readonly console: Console;
  /** The remote working directory (absolute). */
  remote: string;
  /** The local working directory (absolute). */
  local: string;
  /** Writes text to the user (callers escape names with {@linkcode shown}). */
  readonly write: (text: string) => void;
  /** Stops the running command (Ctrl-C), while one runs. */
  signal?: AbortSignal;
}

/**
 * A path or name as the SCP shell shows it: control characters as visible escapes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { shown } from "./state.ts";
 * assert.equal(shown("a\x1b[2Jb"), "a\\x1b[2Jb");
 * ```
 */
export function shown(name: string): string {
  return escapeControl(name, { newlines: false });
}

/**
 * A path made absolute against a working directory (`~` is the given home).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveIn } from "./state.ts";
 * assert.equal(resolveIn("/srv", "app/../www"), "/srv/www");
 * assert.equal(resolveIn("/srv", "~/x", "/home/u"), "/home/u/x");
 * ```
 */
export function resolveIn(cwd: string, path: string, home?: string): string {
  if (home !== undefined && (path === "~" || path.startsWith("~/"))) {
    return posix.resolve(home + path.slice(1));
  }
  return posix.resolve(cwd, path);
}

/**
 * A remote path made absolute against the remote working directory, `~` and `~/…` being
 * the login user's home.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../../exec/env.ts";
 * import { LocalHost } from "../../host/local.ts";
 * import { remotePath } from "./state.ts";
 * await using env = new Env({ interactive: false });
 * const state = {
 *   host: env.host(new LocalHost()), console: env.console, local: "/", remote: "/srv",
 *   write: () => {},
 * };
 * assert.equal(await remotePath(state, "www"), "/srv/www");
 * assert.equal(await remotePath(state, "~"), await state.host.getHomeDirectory());
 * ```
 */
export async function remotePath(state: ScpState, path: string): Promise<string> {
  if (path !== "~" && !path.startsWith("~/")) return resolveIn(state.remote, path);
  return resolveIn(state.remote, path, await state.host.getHomeDirectory());
}

/**
 * Reports progress to a bar at most every 100 ms, and always at the end.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { throttled } from "./state.ts";
 * const seen: number[] = [];
 * const report = throttled((n) => seen.push(n));
 * report(1);
 * report(2);
 * report(3, true);
 * assert.deepEqual(seen, [1, 3]);
 * ```
 */
export function throttled(
  set: (value: number) => void,
): (value: number, final?: boolean) => void {
  let last = 0;
  return (value, final = false) => {
    const now = Date.now();
    if (!final && now - last < 100) return;
    last = now;
    set(value);
  };
}

/**
 * The error handling shared by the SFTP modules: callback-style ssh2 calls as promises that
 * also fail when the session is lost ({@linkcode SftpGuard}), and SFTP failures mapped to
 * errors that name the host, the operation and the path ({@linkcode sftpError}).
 *
 * @module
 */
import { DeployerError } from "../../errors.ts";
import { refuseNul } from "../file_names.ts";

/**
 * Maps an SFTP failure to an error naming the host, the operation and the path:
 * `Deno.errors.NotFound`, `Deno.errors.PermissionDenied`, or {@linkcode DeployerError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sftpError } from "./sftp_guard.ts";
 * const noSuchFile = Object.assign(new Error("No such file"), { code: 2 });
 * const error = sftpError("web1", "stat", "/nope", noSuchFile);
 * assert.ok(error instanceof Deno.errors.NotFound);
 * ```
 */
export function sftpError(host: string, op: string, path: string, error: unknown): Error {
  const e = error as { code?: number; message?: string };
  const message = `Cannot ${op} "${path}" on host "${host}": ${e?.message ?? String(error)}`;
  if (e?.code === 2) return new Deno.errors.NotFound(message, { cause: error });
  if (e?.code === 3) return new Deno.errors.PermissionDenied(message, { cause: error });
  return new DeployerError(message, { cause: error });
}

/**
 * Runs one SFTP operation on `path`: refuses a path with a NUL byte, and maps a failure
 * with {@linkcode sftpError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sftpOp } from "./sftp_guard.ts";
 * assert.equal(await sftpOp("web1", "stat", "/etc", () => Promise.resolve(7)), 7);
 * const denied = Object.assign(new Error("Permission denied"), { code: 3 });
 * await assert.rejects(
 *   sftpOp("web1", "read", "/root/x", () => Promise.reject(denied)),
 *   Deno.errors.PermissionDenied,
 * );
 * ```
 */
export async function sftpOp<T>(
  host: string,
  op: string,
  path: string,
  fn: () => Promise<T>,
): Promise<T> {
  refuseNul(host, op, path);
  try {
    return await fn();
  } catch (error) {
    throw sftpError(host, op, path, error);
  }
}

/**
 * Whether an SFTP request failed with the server's answer (a status code), not a loss.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { answered } from "./sftp_guard.ts";
 * assert.equal(answered(Object.assign(new Error("No such file"), { code: 2 })), true);
 * assert.equal(answered(new Error("connection lost")), false);
 * ```
 */
export function answered(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === "number";
}

/**
 * Callback-style SFTP calls as promises that also reject when the session is lost:
 * ssh2 never calls back requests that were in flight when a connection drops.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpGuard } from "./sftp_guard.ts";
 * const guard = new SftpGuard();
 * assert.equal(await guard.call<number>((cb) => cb(null, 42)), 42);
 * const pending = guard.callVoid(() => {}); // never called back, as after a drop
 * guard.fail(new Error("the SFTP session ended"));
 * await assert.rejects(pending, /session ended/);
 * await assert.rejects(guard.call<number>((cb) => cb(null, 1)), /session ended/);
 * ```
 */
export class SftpGuard {
  #dead: Error | undefined;
  readonly #pending = new Set<(error: Error) => void>();

  /** Rejects every pending call, and every later one, with `error`. */
  fail(error: Error): void {
    if (this.#dead) return;
    this.#dead = error;
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }

  /** Calls `fn` with a callback that settles the returned promise. */
  call<T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      fn((error, value) => {
        this.#pending.delete(reject);
        if (error) reject(error);
        else resolve(value);
      });
    });
  }

  /** {@linkcode SftpGuard.call} for calls that answer with no value. */
  callVoid(fn: (cb: (error?: Error | null) => void) => void): Promise<void> {
    return this.call<void>((cb) => fn((error) => cb(error, undefined)));
  }
}

/**
 * Thrown by the exec that a connection gives its SFTP files when no session channel is
 * free at once (its own limit is reached, or the server refused one): a large upload then
 * sends its bytes as SFTP writes instead of waiting for a channel.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelBusyError } from "./sftp_guard.ts";
 * const error = new ChannelBusyError("web1");
 * assert.match(error.message, /web1/);
 * ```
 */
export class ChannelBusyError extends Error {
  /** Says that host `host` has no session channel free now. */
  constructor(host: string) {
    super(`no session channel is free on host "${host}" now`);
    this.name = "ChannelBusyError";
  }
}

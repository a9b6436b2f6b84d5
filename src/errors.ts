/**
 * The error hierarchy of deployer. Every error names what went wrong and where:
 * the host, the node path and the action when they are known.
 *
 * @module
 */

/** Options shared by every deployer error. */
export interface DeployerErrorOptions {
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The base class of every error deployer throws on purpose.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeployerError } from "./errors.ts";
 * const error = new DeployerError("Something went wrong");
 * assert.ok(error instanceof Error);
 * assert.equal(error.name, "DeployerError");
 * ```
 */
export class DeployerError extends Error {
  /** Creates an error with a message and an optional cause. */
  constructor(message: string, options?: DeployerErrorOptions) {
    super(message, options);
    this.name = "DeployerError";
  }
}

/** What a failed command leaves behind: enough to say where and why. */
export interface CommandErrorInit {
  /** The slug of the host the command ran on. */
  host: string;
  /** The command as it is shown: secrets are masked. */
  command: string;
  /** The exit code, or `null` when the command did not exit on its own. */
  code: number | null;
  /** Everything the command wrote to standard output. */
  stdout?: string;
  /** Everything the command wrote to standard error. */
  stderr?: string;
  /** Why the command did not finish, when it was stopped (timeout, abort, lost connection). */
  reason?: string;
}

const EXIT_HINTS: Readonly<Record<number, string>> = {
  126: "command not executable",
  127: "command not found",
  130: "interrupted",
  137: "killed",
  143: "terminated",
};

function tail(text: string, lines: number): string {
  const all = text.replace(/\s+$/, "").split("\n");
  return all.slice(-lines).join("\n");
}

/**
 * A command exited with a non-zero code (or was stopped before it exited).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandError } from "./errors.ts";
 * const error = new CommandError({ host: "web1", command: "false", code: 1 });
 * assert.equal(error.message, 'Command on host "web1" failed with exit code 1: false');
 * ```
 */
export class CommandError extends DeployerError {
  /** The slug of the host. */
  readonly host: string;
  /** The masked command. */
  readonly command: string;
  /** The exit code, or `null` when the command was stopped. */
  readonly code: number | null;
  /** Standard output of the command. */
  readonly stdout: string;
  /** Standard error of the command. */
  readonly stderr: string;

  /** Creates the error from what the command left behind. */
  constructor(init: CommandErrorInit, options?: DeployerErrorOptions) {
    const hint = init.code !== null && EXIT_HINTS[init.code] ? ` (${EXIT_HINTS[init.code]})` : "";
    const how = init.code === null
      ? `was stopped: ${init.reason ?? "no exit status"}`
      : `failed with exit code ${init.code}${hint}`;
    // Each stream's own tail, so a long stdout cannot push the error message out.
    const output = [tail(init.stdout ?? "", 6), tail(init.stderr ?? "", 6)]
      .filter((t) => t.trim()).join("\n");
    super(
      `Command on host "${init.host}" ${how}: ${init.command}` +
        (output ? `\n${output.split("\n").map((l) => `  | ${l}`).join("\n")}` : ""),
      options,
    );
    this.name = "CommandError";
    this.host = init.host;
    this.command = init.command;
    this.code = init.code;
    this.stdout = init.stdout ?? "";
    this.stderr = init.stderr ?? "";
  }
}

/**
 * A host could not be reached, refused the login, or dropped the connection.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionError } from "./errors.ts";
 * const error = new ConnectionError("web1", "connection refused");
 * assert.equal(error.message, 'Cannot connect to host "web1": connection refused');
 * ```
 */
export class ConnectionError extends DeployerError {
  /** The slug of the host. */
  readonly host: string;
  /** Creates the error for a host and a reason. */
  constructor(host: string, reason: string, options?: DeployerErrorOptions) {
    super(`Cannot connect to host "${host}": ${reason}`, options);
    this.name = "ConnectionError";
    this.host = host;
  }
}

/** The facts about a host key that a {@linkcode HostKeyError} reports. */
export interface HostKeyErrorInit {
  /** The slug of the host. */
  host: string;
  /** The `host:port` as it is looked up in known_hosts. */
  address: string;
  /** The key type, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The `SHA256:...` fingerprint of the key the server offered. */
  fingerprint: string;
  /** `unknown` when no key was known, `changed` when a different key was known. */
  problem: "unknown" | "changed";
}

/**
 * A server offered a host key that is unknown (under the strict policy) or that differs
 * from the known one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostKeyError } from "./errors.ts";
 * const error = new HostKeyError({
 *   host: "web1", address: "[10.0.0.1]:22", keyType: "ssh-ed25519",
 *   fingerprint: "SHA256:abc", problem: "changed",
 * });
 * assert.match(error.message, /^Host key verification failed for host "web1"/);
 * assert.match(error.message, /has CHANGED .* server offered ssh-ed25519 SHA256:abc$/);
 * ```
 */
export class HostKeyError extends DeployerError {
  /** The slug of the host. */
  readonly host: string;
  /** The key type. */
  readonly keyType: string;
  /** The SHA256 fingerprint. */
  readonly fingerprint: string;
  /** Whether the key was unknown or changed. */
  readonly problem: "unknown" | "changed";
  /** Creates the error. */
  constructor(init: HostKeyErrorInit, options?: DeployerErrorOptions) {
    const what = init.problem === "changed"
      ? "the host key has CHANGED (possible man-in-the-middle attack)"
      : "the host key is not known";
    super(
      `Host key verification failed for host "${init.host}" (${init.address}): ${what}; ` +
        `server offered ${init.keyType} ${init.fingerprint}`,
      options,
    );
    this.name = "HostKeyError";
    this.host = init.host;
    this.keyType = init.keyType;
    this.fingerprint = init.fingerprint;
    this.problem = init.problem;
  }
}

/**
 * A query attribute (`q(() => ...)`) failed while it was evaluated.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueryError } from "./errors.ts";
 * const error = new QueryError("Root.web", "url", "() => this.domain", { cause: new Error("x") });
 * assert.equal(error.message, "Query Root.web.url failed (() => this.domain): x");
 * ```
 */
export class QueryError extends DeployerError {
  /** The path of the node that holds the query. */
  readonly nodePath: string;
  /** The attribute name. */
  readonly attribute: string;
  /** The source text of the query function. */
  readonly source: string;
  /** Creates the error. */
  constructor(nodePath: string, attribute: string, source: string, options?: DeployerErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`Query ${nodePath}.${attribute} failed (${source})${cause}`, options);
    this.name = "QueryError";
    this.nodePath = nodePath;
    this.attribute = attribute;
    this.source = source;
  }
}

/**
 * An action failed. Wraps the original error once: nested actions never wrap twice.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ActionError } from "./errors.ts";
 * const error = new ActionError("Root.deploy", undefined, { cause: new Error("boom") });
 * assert.equal(error.message, "Action Root.deploy failed: boom");
 * ```
 */
export class ActionError extends DeployerError {
  /** The full path of the action (`Root.web.deploy`). */
  readonly actionPath: string;
  /** The slug of the isolation's host, when the action ran in one. */
  readonly host: string | undefined;
  /** Creates the error. */
  constructor(actionPath: string, host?: string, options?: DeployerErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`Action ${actionPath}${host ? ` on host "${host}"` : ""} failed${cause}`, options);
    this.name = "ActionError";
    this.actionPath = actionPath;
    this.host = host;
  }
}

/**
 * The user asked for something that does not exist or cannot be done: an unknown
 * command, a missing argument, a bad path. The CLI exits with code 2.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./errors.ts";
 * assert.equal(new UsageError("Unknown command: foo").exitCode, 2);
 * ```
 */
export class UsageError extends DeployerError {
  /** The process exit code the CLI uses for this error. */
  readonly exitCode: number = 2;
  /** Creates the error. */
  constructor(message: string, options?: DeployerErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** One host's outcome in a parallel run. */
export type Outcome<T> =
  | { readonly host: string; readonly ok: true; readonly value: T }
  | { readonly host: string; readonly ok: false; readonly error: unknown };

/**
 * One or more isolations of a parallel run failed. Every host's outcome is kept, the
 * successful ones too: nothing is dropped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParallelError } from "./errors.ts";
 * const error = new ParallelError("Root.web.deploy", [
 *   { host: "web1", ok: true, value: 1 },
 *   { host: "web2", ok: false, error: new Error("boom") },
 * ]);
 * assert.equal(error.errors.length, 1); // the failures
 * assert.equal(error.outcomes.length, 2); // every host, failed or not
 * ```
 */
export class ParallelError extends AggregateError {
  /** Every host's outcome, in isolation order. */
  readonly outcomes: readonly Outcome<unknown>[];
  /** Creates the error from all outcomes. */
  constructor(what: string, outcomes: readonly Outcome<unknown>[]) {
    const failed = outcomes.filter((o) => !o.ok) as { host: string; error: unknown }[];
    const lines = failed.map((o) =>
      `  [${o.host}] ${o.error instanceof Error ? o.error.message : String(o.error)}`
    );
    super(
      failed.map((o) => o.error),
      `${what} failed on ${failed.length} of ${outcomes.length} hosts (${
        failed.map((o) => o.host).join(", ")
      })\n${lines.join("\n")}`,
    );
    this.name = "ParallelError";
    this.outcomes = outcomes;
  }
}

/**
 * Running one command on one bound host: composition, sudo password handling, output
 * capture and masking, timeouts, abort, the sandbox plan and events.
 *
 * @module
 */
import { compose, type Composition } from "../command/compose.ts";
import { isSecret, secretsOf, toCommand } from "../command/sh.ts";
import type { ShellCommand } from "../command/sh.ts";
import { CommandError, DeployerError } from "../errors.ts";
import type { RunningCommand } from "./connection.ts";
import type { Host } from "./host.ts";
import { OutputFilter } from "./output_filter.ts";
import type { HostServices } from "./services.ts";

/** Options of `run()` and `sudo()`. */
export interface RunOptions {
  /** Resolve with the result instead of rejecting on a non-zero exit (python's `ignore_exit_status`). */
  noThrow?: boolean;
  /** With sudo: the user to run as (default root). */
  user?: string;
  /** Attach the local terminal (PTY, stdin, resize) when there is one. */
  interactive?: boolean;
  /** Text written to the command's standard input. */
  initialInput?: string;
  /** Report nothing to the loggers. */
  silent?: boolean;
  /** Milliseconds after which the command is stopped. */
  timeout?: number;
  /** Stops the command. */
  signal?: AbortSignal;
  /** Overrides the environment's sandbox flag for this command. */
  sandbox?: boolean;
}

/** What a finished command resolves to. */
export interface CommandResult {
  /** Standard output (stdout and stderr merged when a PTY was used). */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** The exit code (`null` when stopped). */
  readonly code: number | null;
  /** The slug of the host. */
  readonly host: string;
  /** Milliseconds it took. */
  readonly duration: number;
  /** The masked command as shown in logs. */
  readonly command: string;
  /** Whether it only ran as a sandbox syntax check. */
  readonly sandboxed: boolean;
}

/** Everything needed to run a command on a bound host. */
export interface RunRequest {
  /** The host definition. */
  readonly host: Host;
  /** The environment's services. */
  readonly services: HostServices;
  /** The command. */
  readonly command: ShellCommand;
  /** cwd, env and prefixes from the context. */
  readonly composition: Composition;
  /** Whether to run with sudo. */
  readonly sudo: boolean;
  /** The options. */
  readonly options: RunOptions;
}

const PROBE_TIMEOUT = 30_000;

/** Whether sudo needs a password on this host for `user` (asked once per Env, shared). */
function needsSudoPassword(request: RunRequest, user: string | undefined): Promise<boolean> {
  const memo = request.services.memo(request.host);
  const key = `sudo-needs-password:${user ?? ""}`;
  if (!memo.has(key)) {
    const probe = request.services.limit(async () => {
      const text = compose(toCommand("true"), { sudo: { user }, stdinNull: true }).text;
      const connection = await request.services.connection(request.host);
      const proc = await connection.exec(text);
      const timer = setTimeout(() => proc.kill(), PROBE_TIMEOUT);
      try {
        await proc.closeStdin();
        return (await proc.status).code !== 0;
      } finally {
        clearTimeout(timer);
      }
    });
    probe.catch(() => memo.delete(key));
    memo.set(key, probe);
  }
  return memo.get(key) as Promise<boolean>;
}

/** Everything secret that the command's output must never show. */
function secretsOfRequest(request: RunRequest, password: string | undefined): string[] {
  const { composition } = request;
  return [
    ...(password ? [password] : []),
    ...secretsOf(request.command),
    ...(composition.prefixes ?? []).flatMap((p) => secretsOf(p)),
    ...(composition.env ?? []).flatMap(([, v]) => (isSecret(v) ? [v.value] : [])),
  ];
}

/**
 * Runs a command as the request says and resolves to its result.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sh } from "../command/sh.ts";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { LocalHost } from "./local.ts";
 * import { runCommand } from "./run.ts";
 * await using env = new Env({ interactive: false });
 * const result = await runCommand({
 *   host: new LocalHost(), services: runtimeOf(env), command: sh`pwd`,
 *   composition: { cwd: "/tmp" }, sudo: false, options: {},
 * });
 * assert.equal(result.stdout, "/tmp\n");
 * ```
 */
export async function runCommand(request: RunRequest): Promise<CommandResult> {
  const { host, services, options } = request;
  const sandbox = options.sandbox ?? services.sandbox;
  const terminal = services.terminal;
  const interactive = !!options.interactive && !!terminal?.isTTY && !sandbox;
  let password: string | undefined;
  let sudo: Composition["sudo"];
  if (request.sudo && !sandbox) {
    if (await needsSudoPassword(request, options.user)) {
      password = await services.sudoPassword(host, options.user ?? "root");
      sudo = { user: options.user, marker: services.sudoMarker };
    } else {
      sudo = { user: options.user };
    }
  }
  const composed = compose(request.command, {
    ...request.composition,
    term: interactive ? terminal!.term : undefined,
    sudo,
    sandbox,
  });
  const shown = (request.sudo ? "(sudo) " : "") + composed.display;
  const id = services.nextId();
  const silent = !!options.silent;
  const started = performance.now();
  if (!silent) {
    services.emit({
      type: "command.start",
      id,
      host: host.slug,
      command: composed.display,
      cwd: request.composition.cwd,
      sudo: request.sudo,
      user: options.user,
      sandbox,
      interactive,
    });
  }
  if (sandbox && !silent) services.recordPlan(host.slug, shown);
  const end = (code: number | null, reason?: string) => {
    if (!silent) {
      const duration = performance.now() - started;
      services.emit({ type: "command.end", id, host: host.slug, code, duration, reason });
    }
  };

  const out = { stdout: "", stderr: "" };
  let reason: string | undefined;
  let markers = 0;
  let resolveProc: (proc: RunningCommand) => void = () => {};
  const procReady = new Promise<RunningCommand>((resolve) => (resolveProc = resolve));
  const secrets = secretsOfRequest(request, password);
  const markerStream = interactive ? "stdout" : "stderr";
  const onMarker = () => {
    markers++;
    if (markers === 1) {
      // The password goes over stdin, then what the command itself should read.
      procReady.then(async (proc) => {
        await proc.write(`${password}\n`);
        if (options.initialInput !== undefined) await proc.write(options.initialInput);
        if (!interactive) await proc.closeStdin();
      }).catch(() => {});
    } else {
      reason = "sudo: incorrect password";
      services.forgetSudoPassword(host);
      procReady.then((proc) => proc.kill());
    }
  };
  const streams = {
    stdout: {
      decoder: new TextDecoder(),
      filter: new OutputFilter(
        secrets,
        markerStream === "stdout" ? sudo?.marker : undefined,
        onMarker,
      ),
    },
    stderr: {
      decoder: new TextDecoder(),
      filter: new OutputFilter(
        secrets,
        markerStream === "stderr" ? sudo?.marker : undefined,
        onMarker,
      ),
    },
  };
  const show = (stream: "stdout" | "stderr", text: string) => {
    if (!text) return;
    out[stream] += text;
    if (interactive) terminal!.write(new TextEncoder().encode(text));
    if (!silent) services.emit({ type: "command.output", id, host: host.slug, stream, text });
  };
  const onData = (stream: "stdout" | "stderr") => (chunk: Uint8Array) => {
    const { decoder, filter } = streams[stream];
    show(stream, filter.push(decoder.decode(chunk, { stream: true })));
  };

  return await services.limit(async () => {
    let proc: RunningCommand;
    try {
      const connection = await services.connection(host);
      const size = interactive ? terminal!.size() : undefined;
      proc = await connection.exec(composed.text, {
        pty: interactive ? { term: terminal!.term, cols: size!.cols, rows: size!.rows } : undefined,
        onStdout: onData("stdout"),
        onStderr: onData("stderr"),
      });
    } catch (error) {
      end(null, error instanceof Error ? error.message : String(error));
      throw error;
    }
    resolveProc(proc);
    const release = interactive
      ? terminal!.attach({
        onInput: (data) => void proc.write(data).catch(() => {}),
        onResize: (cols, rows) => proc.resize(cols, rows),
      })
      : undefined;
    const stop = (why: string) => {
      reason ??= why;
      proc.kill();
    };
    const timeout = options.timeout ?? (host as { commandTimeout?: number }).commandTimeout;
    const timer = timeout ? setTimeout(() => stop(`timed out after ${timeout} ms`), timeout) : 0;
    const signals = [options.signal, services.signal].filter((s): s is AbortSignal => !!s);
    const onAbort = () => stop("aborted");
    for (const s of signals) {
      if (s.aborted) onAbort();
      else s.addEventListener("abort", onAbort, { once: true });
    }
    try {
      if (!sudo?.marker) {
        if (options.initialInput !== undefined) await proc.write(options.initialInput);
        if (!interactive) await proc.closeStdin();
      }
      const status = await proc.status;
      for (const stream of ["stdout", "stderr"] as const) {
        const { decoder, filter } = streams[stream];
        show(stream, filter.push(decoder.decode()) + filter.flush());
      }
      if (sudo?.marker && status.code !== 0 && /incorrect password/i.test(out.stderr)) {
        reason ??= "sudo: incorrect password";
        services.forgetSudoPassword(host);
      }
      const code = reason ? null : status.code;
      if (code === null && !reason) {
        reason = status.signal ? `killed by signal ${status.signal}` : "the connection was lost";
      }
      end(code, reason);
      if (code !== 0 && (!options.noThrow || reason)) {
        throw new CommandError({
          host: host.slug,
          command: shown,
          code,
          stdout: out.stdout,
          stderr: out.stderr,
          reason: sandbox ? "syntax check failed" : reason,
        });
      }
      return {
        stdout: sandbox ? "" : out.stdout,
        stderr: sandbox ? "" : out.stderr,
        code,
        host: host.slug,
        duration: performance.now() - started,
        command: shown,
        sandboxed: sandbox,
      };
    } finally {
      if (timer) clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
      release?.();
    }
  });
}

/**
 * The error for sudo without a way to get a password.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { noSudoPassword } from "./run.ts";
 * assert.equal(
 *   noSudoPassword("web1", "root").message,
 *   'sudo on host "web1" (as root) needs a password: ' +
 *     "give the host a password or run interactively",
 * );
 * ```
 */
export function noSudoPassword(host: string, user: string): DeployerError {
  return new DeployerError(
    `sudo on host "${host}" (as ${user}) needs a password: give the host a password or run ` +
      `interactively`,
  );
}

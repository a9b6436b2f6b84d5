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

function maskAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("***");
  return out;
}

async function needsSudoPassword(request: RunRequest, user: string | undefined): Promise<boolean> {
  const memo = request.services.memo(request.host);
  const key = `sudo-needs-password:${user ?? ""}`;
  if (!memo.has(key)) {
    const probe = compose(toCommand("true"), {
      sudo: { user },
      stdinNull: true,
    });
    const connection = await request.services.connection(request.host);
    const proc = await connection.exec(probe.text);
    await proc.closeStdin();
    const status = await proc.status;
    memo.set(key, status.code !== 0);
  }
  return memo.get(key) as boolean;
}

/**
 * Runs a command as the request says and resolves to its result.
 *
 * @example Usage
 * ```ts
 * import { runCommand } from "./run.ts";
 * console.assert(typeof runCommand === "function");
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
  const started = performance.now();
  const composition = request.composition;
  const secrets = [
    ...(password ? [password] : []),
    ...secretsOf(request.command),
    ...(composition.prefixes ?? []).flatMap((p) => secretsOf(p)),
    ...(composition.env ?? []).flatMap(([, v]) => (isSecret(v) ? [v.value] : [])),
  ].filter((s) => s.length > 0);
  const out = { stdout: "", stderr: "" };
  let reason: string | undefined;
  let markers = 0;
  let proc: RunningCommand | undefined;
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const markerStream = interactive ? "stdout" : "stderr";

  const afterPassword = async () => {
    if (options.initialInput !== undefined) await proc!.write(options.initialInput);
    if (!interactive) await proc!.closeStdin();
  };

  const onData = (stream: "stdout" | "stderr") => (chunk: Uint8Array) => {
    let text = decoders[stream].decode(chunk, { stream: true });
    if (sudo?.marker && stream === markerStream && text.includes(sudo.marker)) {
      text = text.split(sudo.marker).join("");
      markers++;
      if (markers === 1) {
        proc?.write(`${password}\n`).then(afterPassword).catch(() => {});
      } else {
        reason = "sudo: incorrect password";
        services.forgetSudoPassword(host);
        proc?.kill();
      }
    }
    text = maskAll(text, secrets);
    out[stream] += text;
    if (interactive) terminal!.write(new TextEncoder().encode(text));
    if (!silent && text) {
      services.emit({ type: "command.output", id, host: host.slug, stream, text });
    }
  };

  return await services.limit(async () => {
    const connection = await services.connection(host);
    const size = interactive ? terminal!.size() : undefined;
    proc = await connection.exec(composed.text, {
      pty: interactive ? { term: terminal!.term, cols: size!.cols, rows: size!.rows } : undefined,
      onStdout: onData("stdout"),
      onStderr: onData("stderr"),
    });
    const release = interactive
      ? terminal!.attach({
        onInput: (data) => void proc!.write(data).catch(() => {}),
        onResize: (cols, rows) => proc!.resize(cols, rows),
      })
      : undefined;
    const stop = (why: string) => {
      reason ??= why;
      proc!.kill();
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
        const rest = maskAll(decoders[stream].decode(), secrets);
        out[stream] += rest;
      }
      const code = reason ? null : status.code;
      if (code === null && !reason) {
        reason = status.signal ? `killed by signal ${status.signal}` : "the connection was lost";
      }
      const duration = performance.now() - started;
      if (!silent) {
        services.emit({ type: "command.end", id, host: host.slug, code, duration, reason });
      }
      const result: CommandResult = {
        stdout: sandbox ? "" : out.stdout,
        stderr: sandbox ? "" : out.stderr,
        code,
        host: host.slug,
        duration,
        command: shown,
        sandboxed: sandbox,
      };
      if (code !== 0 && (!options.noThrow || reason)) {
        const why = sandbox ? "syntax check failed" : reason;
        throw new CommandError({
          host: host.slug,
          command: shown,
          code,
          stdout: out.stdout,
          stderr: out.stderr,
          reason: why,
        });
      }
      return result;
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
 * import { noSudoPassword } from "./run.ts";
 * console.assert(noSudoPassword("web1", "root").message.includes("web1"));
 * ```
 */
export function noSudoPassword(host: string, user: string): DeployerError {
  return new DeployerError(
    `sudo on host "${host}" (as ${user}) needs a password: give the host a password or run ` +
      `interactively`,
  );
}

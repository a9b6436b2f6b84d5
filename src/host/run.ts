/**
 * Running one command on one bound host: composition, sudo password handling, output
 * capture and masking, timeouts, abort, the sandbox plan and events. On a connection that
 * can learn its login shell (SSH), the first command also finds out whether that shell is
 * the host's `/bin/sh`; once it is known to be, commands without sudo go without the
 * `sh -c` wrapper (see `Connection.loginShellIsSh`).
 *
 * @module
 */
import { composeLaunch, type Composition } from "../command/compose.ts";
import { isSecret, secretsOf } from "../command/sh.ts";
import type { ShellCommand } from "../command/sh.ts";
import { CommandError, DeployerError } from "../errors.ts";
import type { Connection, RunningCommand } from "./connection.ts";
import type { Host } from "./host.ts";
import { LocalHost } from "./local.ts";
import { OutputFilter } from "./output_filter.ts";
import type { HostServices } from "./services.ts";
import { SessionReport, stopSession } from "./_stop.ts";
import { needsSudoPassword } from "./sudo_probe.ts";

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

/** The longest command line a PTY command may have (Linux limits one argument to 128 KiB). */
const MAX_COMMAND_LINE = 128 * 1024 - 1;
/** How much of a long command errors and logs show. */
const SHOWN_LENGTH = 300;

/** A command as errors and logs show it: cut after {@linkcode SHOWN_LENGTH} characters. */
function shorten(command: string, max: number = SHOWN_LENGTH): string {
  if (command.length <= max) return command;
  return `${command.slice(0, max)}… (${command.length} characters)`;
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
    if (await needsSudoPassword(services, host, options.user)) {
      password = await services.sudoPassword(host, options.user ?? "root");
      sudo = { user: options.user, marker: services.sudoMarker };
    } else {
      sudo = { user: options.user };
    }
  }
  const tag = crypto.randomUUID().slice(0, 8);
  const reportMarker = `[deployer-session-${tag}]`;
  // LocalHost runs the text with `sh -c` itself (a subclass might connect elsewhere).
  const local = host.constructor === LocalHost;
  const launch = (options: { sh?: boolean; shellProbe?: string } = {}) =>
    composeLaunch(request.command, {
      ...request.composition,
      term: interactive ? terminal!.term : undefined,
      sudo,
      sandbox,
      report: reportMarker,
      // Under a PTY, input is echoed and line-edited: the script goes in the command line.
      stdin: !interactive,
      sh: local,
      ...options,
    });
  // What logs show and what is checked: the same whatever the connection turns out to be.
  const composed = launch();
  const display = shorten(composed.display);
  const shown = (request.sudo ? "(sudo) " : "") + display;
  // Without a terminal the command line is the short, fixed bootstrap: nothing to check.
  if (interactive && new TextEncoder().encode(composed.text).length > MAX_COMMAND_LINE) {
    throw new DeployerError(
      `Command on host "${host.slug}" is too long to run with a terminal ` +
        `(${composed.text.length} characters, at most ${MAX_COMMAND_LINE} bytes): ${shown}; ` +
        `run it without \`interactive\`, or copy it to a file and run that`,
    );
  }
  const id = services.nextId();
  const silent = !!options.silent;
  let started = performance.now();
  // Shown when it starts (a channel is open), not while it waits for a slot.
  let begun = false;
  const begin = () => {
    if (begun || silent) return;
    begun = true;
    started = performance.now();
    services.emit({
      type: "command.start",
      id,
      host: host.slug,
      command: display,
      cwd: request.composition.cwd,
      sudo: request.sudo,
      user: options.user,
      sandbox,
      interactive,
    });
  };
  if (sandbox && !silent) {
    const { cwd, env } = request.composition;
    services.recordPlan(host.slug, (request.sudo ? "(sudo) " : "") + composed.display, {
      cwd,
      env: env?.map(([name]) => name),
      user: request.sudo ? options.user ?? "root" : undefined,
    });
  }
  const end = (code: number | null, reason?: string, stopped?: boolean) => {
    begin();
    if (!silent) {
      const duration = performance.now() - started;
      services.emit({
        type: "command.end",
        id,
        host: host.slug,
        code,
        duration,
        reason,
        ...(stopped === undefined ? {} : { stopped }),
      });
    }
  };

  const out = { stdout: "", stderr: "" };
  let reason: string | undefined;
  let markers = 0;
  let resolveProc: (proc: RunningCommand) => void = () => {};
  const procReady = new Promise<RunningCommand>((resolve) => (resolveProc = resolve));
  const secrets = secretsOfRequest(request, password);
  const markerStream = interactive ? "stdout" : "stderr";
  // What goes on stdin before the command's own input: the script (with its secrets).
  // One write, and EOF right behind it (writes keep their order): no wait in between.
  const input = composed.input + (options.initialInput ?? "");
  const feed = async (proc: RunningCommand, before = "") => {
    const written = before || input ? proc.write(before + input) : undefined;
    await Promise.all([written, interactive ? undefined : proc.closeStdin()]);
  };
  const onMarker = () => {
    markers++;
    if (markers === 1) {
      // The password goes over stdin; the script and what the command should read follow
      // once sudo accepted it (the bootstrap reports its session first), so that a wrong
      // password never makes sudo read the script as another attempt.
      procReady.then(async (proc) => {
        await proc.write(`${password}\n`);
        if ((await session.session) !== undefined) await feed(proc);
      }).catch(() => {});
    } else {
      reason = "sudo: incorrect password";
      services.forgetSudoPassword(host);
      procReady.then((proc) => proc.kill());
    }
  };
  const session = new SessionReport(reportMarker);
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
    begin();
    out[stream] += text;
    if (interactive) terminal!.write(new TextEncoder().encode(text));
    if (!silent) services.emit({ type: "command.output", id, host: host.slug, stream, text });
  };
  // Set when this command finds out whether the login shell is /bin/sh (see below).
  let shellReport: SessionReport | undefined;
  const unreport = (stream: "stdout" | "stderr", text: string) => {
    if (stream !== markerStream) return text;
    const rest = session.push(text);
    return shellReport ? shellReport.push(rest) : rest;
  };
  /** The end of the marker stream: what the reports held back. */
  const unreportRest = () => {
    const rest = session.flush();
    return shellReport ? shellReport.push(rest) + shellReport.flush() : rest;
  };
  const onData = (stream: "stdout" | "stderr") => (chunk: Uint8Array) => {
    const { decoder, filter } = streams[stream];
    show(stream, filter.push(unreport(stream, decoder.decode(chunk, { stream: true }))));
  };

  return await services.limit(async () => {
    const signals = [options.signal, services.signal].filter((s): s is AbortSignal => !!s);
    let proc: RunningCommand;
    let connection: Connection;
    try {
      if (signals.some((s) => s.aborted)) {
        // Nothing was started: nothing can be left behind.
        end(null, "aborted", true);
        throw new CommandError({ host: host.slug, command: shown, code: null, reason: "aborted" });
      }
      connection = await services.connection(host);
      // The login shell is known to be /bin/sh: no `sh -c` wrapper (not with sudo, which
      // starts `sh` itself). Not known yet: the bootstrap finds out, for the next commands.
      let text = composed.text;
      if (!local && !sudo && connection.learnLoginShell) {
        const known = connection.loginShellIsSh;
        if (known === true) text = launch({ sh: true }).text;
        else if (known === undefined) {
          const probe = `[deployer-shell-${tag}]`;
          shellReport = new SessionReport(probe);
          text = launch({ shellProbe: probe }).text;
          const learner = connection;
          shellReport.session.then((answer) => {
            if (answer !== undefined) {
              procReady.then((p) => learner.learnLoginShell?.(p, answer === 1));
            }
          });
        }
      }
      const size = interactive ? terminal!.size() : undefined;
      proc = await connection.exec(text, {
        pty: interactive ? { term: terminal!.term, cols: size!.cols, rows: size!.rows } : undefined,
        onStdout: onData("stdout"),
        onStderr: onData("stderr"),
      });
      begin();
    } catch (error) {
      if (!(error instanceof CommandError)) {
        end(null, error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
    resolveProc(proc);
    const release = interactive
      ? terminal!.attach({
        onInput: (data) => void proc.write(data).catch(() => {}),
        onResize: (cols, rows) => proc.resize(cols, rows),
      })
      : undefined;
    // Stopping: the signal for the session's processes the login user may reach, and the
    // whole session stopped and checked under the same sudo once its id is known.
    let stopping: Promise<boolean> | undefined;
    const stop = (why: string) => {
      reason ??= why;
      proc.kill();
      stopping ??= session.session.then((sid) => {
        if (sid === undefined) return true; // it ended before anything of it ran
        if (sid === 0) return false;
        return stopSession({ connection, sid, sudo, password });
      });
    };
    const timeout = options.timeout ?? (host as { commandTimeout?: number }).commandTimeout;
    const timer = timeout ? setTimeout(() => stop(`timed out after ${timeout} ms`), timeout) : 0;
    const onAbort = () => stop("aborted");
    for (const s of signals) {
      if (s.aborted) onAbort();
      else s.addEventListener("abort", onAbort, { once: true });
    }
    try {
      if (!sudo?.marker) await feed(proc);
      const status = await proc.status;
      for (const stream of ["stdout", "stderr"] as const) {
        const { decoder, filter } = streams[stream];
        const rest = unreport(stream, decoder.decode());
        show(stream, filter.push(stream === markerStream ? rest + unreportRest() : rest));
        show(stream, filter.flush());
      }
      if (sudo?.marker && status.code !== 0 && /incorrect password/i.test(out.stderr)) {
        reason ??= "sudo: incorrect password";
        services.forgetSudoPassword(host);
      }
      const stopped = stopping ? await stopping : undefined;
      if (stopped === false) {
        reason = `${reason}; its processes on the host could not be checked, some may still run`;
      }
      const code = reason ? null : status.code;
      if (code === null && !reason) {
        reason = status.signal ? `killed by signal ${status.signal}` : "the connection was lost";
      }
      end(code, reason, stopped);
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

/**
 * Composition of a command with its context, as python-deployer does it (spec §3.4):
 * `cd '<cwd>' && export TERM=… && export NAME=… && (prefix && command)`, wrapped once more
 * as `sh -c '<…>'` (or `sudo … -- sh -c '<…>'`) so the login shell of the host does not
 * matter; {@linkcode composeLaunch} leaves the wrapper out when what runs the text is the
 * host's `sh` already. Every piece exists twice: the real text and the masked text logs
 * may show.
 *
 * @module
 */
import { isRaw, isSecret, quote, type Raw, type Secret, type ShellCommand } from "./sh.ts";

/** What a command is composed with. Every field is optional. */
export interface Composition {
  /** The absolute directory to run in; always quoted. */
  cwd?: string;
  /** Variables to export, in order. Strings are quoted, `raw()` inserted as is, secrets masked. */
  env?: ReadonlyArray<readonly [name: string, value: string | Secret | Raw]>;
  /** Commands joined before the command with `&&`, outermost first. */
  prefixes?: readonly ShellCommand[];
  /** When set, `export TERM=<term>` comes before the user's variables (which may override it). */
  term?: string;
  /** Start with `exec </dev/null` so the command cannot read standard input. */
  stdinNull?: boolean;
  /**
   * Run with sudo. With a `marker`, sudo reads the password from stdin and prompts with the
   * marker (`sudo -k -S -p <marker>`); without one it must not ask (`sudo -n`).
   */
  sudo?: { user?: string; marker?: string };
  /** Only syntax-check the command (`bash -n`, else `sh -n`): nothing of it runs; no sudo. */
  sandbox?: boolean;
}

/** A composed command. */
export interface ComposedCommand {
  /** The full command line to execute (secrets included). Never log it. */
  text: string;
  /** The same with every secret shown as `'***'`. */
  masked: string;
  /** What logs show: the masked prefixes and command joined by ` && `. */
  display: string;
}

interface Piece {
  text: string;
  masked: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function same(text: string): Piece {
  return { text, masked: text };
}

function join(pieces: readonly Piece[], separator: string): Piece {
  return {
    text: pieces.map((p) => p.text).join(separator),
    masked: pieces.map((p) => p.masked).join(separator),
  };
}

function map(piece: Piece, f: (s: string) => string): Piece {
  return { text: f(piece.text), masked: f(piece.masked) };
}

function asPiece(command: unknown, what: string): Piece {
  const c = command as Partial<Piece> | null | undefined;
  if (typeof c?.text !== "string" || typeof c?.masked !== "string") {
    throw new TypeError(`compose: ${what} is not a command (use sh\`...\` or toCommand())`);
  }
  return { text: c.text, masked: c.masked };
}

function envPiece(name: unknown, value: unknown): Piece {
  if (typeof name !== "string" || !ENV_NAME.test(name)) {
    throw new TypeError(`Invalid environment variable name: ${JSON.stringify(String(name))}`);
  }
  if (typeof value === "string") return same(`export ${name}=${quote(value)}`);
  if (isRaw(value)) return same(`export ${name}=${value.text}`);
  if (isSecret(value)) {
    return { text: `export ${name}=${quote(value.value)}`, masked: `export ${name}='***'` };
  }
  throw new TypeError(
    `The value of environment variable ${name} must be a string, raw() or secret()`,
  );
}

/** `(body)`, closed on its own line when the body could swallow `)` (comment, here-document). */
function group(body: Piece): Piece {
  return map(body, (s) => /[#\n]/.test(s) ? `(${s}\n)` : `(${s})`);
}

/**
 * `{ body<newline>}`: a group like {@linkcode group} without its subshell, so a builtin
 * command starts no process. Only where nothing follows the group in the same shell.
 */
function braces(body: Piece): Piece {
  return map(body, (s) => `{ ${s}\n}`);
}

/**
 * Composes `command` with its context. `text` is what runs, `masked` the same with secrets
 * shown as `'***'`, `display` the short form for logs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compose } from "./compose.ts";
 * import { sh } from "./sh.ts";
 * const c = compose(sh`ls`, { cwd: "/srv", env: [["A", "it's"]], prefixes: [sh`p1`] });
 * assert.equal(c.display, "p1 && ls");
 * assert.equal(
 *   c.text,
 *   `sh -c 'cd '"'"'/srv'"'"' && export A='"'"'it'"'"'"'"'"'"'"'"'s'"'"' && (p1 && ls)'`,
 * );
 * ```
 */
export function compose(command: ShellCommand, composition: Composition = {}): ComposedCommand {
  const { sudo, sandbox } = composition;
  const { inner, display } = composeInner(command, composition, false);
  const head = sudo && !sandbox ? `${sudoHead(sudo)} -- ` : "";
  const outer = map(inner, (s) => `${head}sh -c ${quote(s)}`);
  return { text: outer.text, masked: outer.masked, display };
}

/** `sudo -n [-u user]`, or `sudo -k -S -p <marker> [-u user]` when a marker is given. */
function sudoHead(sudo: { user?: string; marker?: string }): string {
  const user = sudo.user ? ` -u ${quote(sudo.user)}` : "";
  return sudo.marker !== undefined && sudo.marker !== ""
    ? `sudo -k -S -p ${quote(sudo.marker)}${user}`
    : `sudo -n${user}`;
}

/** The script of a composition (what runs inside `sh -c`), and the display form. */
function composeInner(
  command: ShellCommand,
  composition: Composition,
  pipedCheck: boolean,
  last = false,
): { inner: Piece; display: string } {
  const { cwd, env = [], prefixes = [], term, stdinNull, sandbox } = composition;
  if (cwd !== undefined && (typeof cwd !== "string" || !cwd.startsWith("/"))) {
    throw new TypeError(`compose: cwd must be an absolute path, got ${JSON.stringify(cwd)}`);
  }
  if (term !== undefined && typeof term !== "string") {
    throw new TypeError("compose: term must be a string");
  }
  const body = join(
    [...prefixes.map((p, i) => asPiece(p, `prefix ${i}`)), asPiece(command, "the command")],
    " && ",
  );
  const exports: Piece[] = [];
  if (term !== undefined) exports.push(same(`export TERM=${quote(term)}`));
  for (const entry of env) exports.push(envPiece(entry?.[0], entry?.[1]));

  const steps: Piece[] = [];
  if (stdinNull) steps.push(same("exec </dev/null"));
  if (sandbox) {
    // Exports go inside the syntax check too: a raw() value could run code.
    const checked = map(join([...exports, group(body)], " && "), quote);
    if (cwd !== undefined) steps.push(same(`{ cd ${quote(cwd)} 2>/dev/null || true; }`));
    steps.push(map(
      checked,
      pipedCheck
        // The text reaches the checker on a pipe from the shell's printf builtin: it is never
        // in the argv of a process.
        ? (q) =>
          `printf '%s\\n' ${q} | if command -v bash >/dev/null 2>&1; then bash -n; else sh -n; fi`
        : (q) => `if command -v bash >/dev/null 2>&1; then bash -n -c ${q}; else sh -n -c ${q}; fi`,
    ));
  } else {
    if (cwd !== undefined) steps.push(same(`cd ${quote(cwd)}`));
    steps.push(...exports, last ? braces(body) : group(body));
  }
  return { inner: join(steps, " && "), display: body.masked };
}

/** How {@linkcode composeLaunch} starts a command. */
export interface LaunchOptions {
  /**
   * Printed on standard error before anything of the command runs, followed by the id of
   * the command's own session and `;` (`0` when it cannot be found or the session is not
   * the command's alone). Whoever stops the command can then stop that whole session.
   */
  report: string;
  /**
   * Whether the script travels over standard input (default), so the command line holds
   * only a fixed bootstrap: no secret and no length limit. `false` puts the script in the
   * command line, as needed under a PTY (whose input is echoed and line-edited).
   */
  stdin?: boolean;
  /**
   * Whether what executes `text` is the host's `sh` already (LocalHost runs `sh -c`; over
   * SSH, a login shell found to be `/bin/sh` by {@linkcode LaunchOptions.shellProbe}): the
   * text is then the bootstrap itself, not `sh -c '<bootstrap>'` (one process less). Not
   * with sudo, which always starts `sh` itself.
   */
  sh?: boolean;
  /**
   * A second marker: the bootstrap also prints it on standard error, right after the
   * report, followed by `1;` when what started its `sh` is the host's `/bin/sh` itself, and
   * `0;` otherwise (see {@linkcode LOGIN_SHELL_IS_SH}). Only without sudo and without `sh`:
   * it tells whether the login shell may run the bootstrap without the wrapper from then on.
   */
  shellProbe?: string;
}

/**
 * The shell test behind {@linkcode LaunchOptions.shellProbe}, run by the wrapper's `sh`:
 * true when both the login shell named by `$SHELL` (sshd sets it) and the process that
 * started this `sh` (the login shell, which waits for it) are the same file as `/bin/sh`.
 * A login shell that replaced itself with `sh` (bash does for a single command) is not
 * the parent any more, so bash, zsh, `nologin` or `git-shell` never pass, and neither does
 * a script that is run by `/bin/sh` but names another shell in `$SHELL`. Builtins only:
 * `-ef` is known to dash's and bash's `test`; where it is not, the answer is no.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOGIN_SHELL_IS_SH } from "./compose.ts";
 * import { quote } from "./sh.ts";
 * const probe = `if ${LOGIN_SHELL_IS_SH}; then echo yes; else echo no; fi`;
 * const answer = async (program: string, script: string, shell: string) => {
 *   const out = await new Deno.Command(program, {
 *     args: ["-c", script],
 *     env: { SHELL: shell },
 *   }).output();
 *   return new TextDecoder().decode(out.stdout).trim();
 * };
 * // As sshd does: the login shell runs the wrapper `sh -c '…'` (and waits for it).
 * const wrapped = `sh -c ${quote(probe)}; exit $?`;
 * assert.equal(await answer("/bin/sh", wrapped, "/bin/sh"), "yes");
 * assert.equal(await answer("/bin/sh", wrapped, "/bin/bash"), "no"); // $SHELL: another shell
 * // Started by this (Deno) process, not by /bin/sh: no.
 * assert.equal(await answer("/bin/sh", probe, "/bin/sh"), "no");
 * ```
 */
export const LOGIN_SHELL_IS_SH: string =
  `{ [ "$SHELL" -ef /bin/sh ] && [ /proc/$PPID/exe -ef /bin/sh ]; } 2>/dev/null`;

/** A command ready to start: see {@linkcode composeLaunch}. */
export interface ComposedLaunch {
  /** What the connection executes. Without `stdin: false` it holds no secret. */
  text: string;
  /** The same with every secret shown as `'***'`. */
  masked: string;
  /** What to write on standard input first (the script, secrets included); `""` with `stdin: false`. */
  input: string;
  /** What logs show: the masked prefixes and command joined by ` && `. */
  display: string;
}

/**
 * The shell text that prints `report`, then the id of the shell's process group when that
 * group is the command's own: the shell leads it (as sshd, `setsid`, LocalHost and sudo's
 * PTY mode make it), or it leads its session; else `0`.
 */
function reportSession(report: string, probe?: string): string {
  const own = (g: string, s: string) =>
    `{ [ "${g}" = "${s}" ] || [ "${g}" = "$$" ]; } && [ "${g}" != 1 ] && __dpl_p=${g}`;
  // Fast path (no file read, which `read` does byte by byte): the shell leads a group.
  return `__dpl_p=0; if [ "$$" != 1 ] && kill -s 0 -- "-$$" 2>/dev/null; then __dpl_p=$$; ` +
    `elif [ -r /proc/$$/stat ]; then IFS= read -r __dpl_p </proc/$$/stat; ` +
    `set -- \${__dpl_p##*) }; __dpl_p=0; ${own("$3", "$4")}; ` +
    `else set -- $(ps -o pgid= -o sid= -p $$ 2>/dev/null); ` +
    `[ "$#" = 2 ] && ${own("$1", "$2")}; fi; set --; ` +
    (probe === undefined
      ? `printf '%s%s;' ${quote(report)} "$__dpl_p" >&2; unset __dpl_p`
      : `__dpl_q=0; if ${LOGIN_SHELL_IS_SH}; then __dpl_q=1; fi; ` +
        `printf '%s%s;%s%s;' ${quote(report)} "$__dpl_p" ${quote(probe)} "$__dpl_q" >&2; ` +
        `unset __dpl_p __dpl_q`);
}

/**
 * The script as the bootstrap reads it: its number of lines on the first line, then the
 * lines. The shell's `read` builtin takes them back one by one (no process is started).
 */
function encodeLines(script: string): string {
  const lines = script.split("\n");
  return `${lines.length}\n${script}\n`;
}

/**
 * Composes `command` like {@linkcode compose}, for starting it on a host: the command line
 * is a short bootstrap that reports the command's session (so it can be stopped as a whole)
 * and reads the script from standard input, where `input` must be written first. Secrets
 * and long scripts never reach the command line (`ps` shows it to every user of the host).
 * With `stdin: false` the script is in the command line instead and `input` is empty.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { composeLaunch } from "./compose.ts";
 * import { secret, sh } from "./sh.ts";
 * const launch = composeLaunch(sh`login ${secret("hunter2")}`, { report: "[pid]" });
 * assert.ok(!launch.text.includes("hunter2") && launch.input.includes("hunter2"));
 * const child = new Deno.Command("sh", {
 *   args: ["-c", launch.text], stdin: "piped", stdout: "piped", stderr: "piped",
 * }).spawn();
 * const writer = child.stdin.getWriter();
 * await writer.write(new TextEncoder().encode(launch.input.replace("login", "echo")));
 * await writer.close();
 * const out = await child.output();
 * assert.equal(new TextDecoder().decode(out.stdout), "hunter2\n");
 * assert.match(new TextDecoder().decode(out.stderr), /^\[pid\]\d+;$/);
 * ```
 */
export function composeLaunch(
  command: ShellCommand,
  composition: Composition & LaunchOptions,
): ComposedLaunch {
  const { sudo, sandbox, report, stdin = true, sh = false, shellProbe } = composition;
  // The command is the last thing its shell runs: braces instead of a subshell.
  const { inner, display } = composeInner(command, composition, stdin, true);
  if (inner.text.includes("\0")) {
    throw new TypeError("compose: the command contains a NUL byte, which no shell can run");
  }
  const head = sudo && !sandbox ? `${sudoHead(sudo)} -- ` : "";
  const wrap = (text: string) => (sh && !head ? text : `${head}sh -c ${quote(text)}`);
  const prologue = reportSession(report, sh || head ? undefined : shellProbe);
  if (!stdin) {
    const outer = map(inner, (s) => wrap(`${prologue}; ${s}`));
    return { text: outer.text, masked: outer.masked, input: "", display };
  }
  // Builtins only: every process started costs as much as the command `true` itself. `read`
  // takes one byte per system call (it must leave the command's input alone): the variables
  // are unset here, not by the script. `eval` expands its argument before `unset` runs.
  const bootstrap = `${prologue}; IFS= read -r __dpl_n || exit 125; __dpl_s=; ` +
    `while [ "$__dpl_n" -gt 0 ]; do IFS= read -r __dpl_l || exit 125; ` +
    `__dpl_s="$__dpl_s$__dpl_l\n"; __dpl_n=$((__dpl_n - 1)); done; unset __dpl_n __dpl_l; ` +
    `eval "unset __dpl_s; $__dpl_s"`;
  const text = wrap(bootstrap);
  return { text, masked: text, input: encodeLines(inner.text), display };
}

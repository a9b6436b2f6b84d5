/**
 * The command-line program (with `npm:commander`): `run`, `inspect`, `completions` and,
 * for the generic `deployer` CLI, `compile` and a `[script]` operand. `runCli` and
 * `main` both go through {@linkcode executeProgram}.
 *
 * @module
 */
import { Argument, Command, CommanderError, Option } from "npm:commander@15.1.0";
import { Env } from "../exec/env.ts";
import type { Logger } from "../exec/logger.ts";
import { UsageError } from "../errors.ts";
import type { NodeClass } from "../node/markers.ts";
import { type CommandSpec, completionScript, type ShellName, SHELLS } from "./completions.ts";
import { type LoadOptions, loadScript, looksLikeScript } from "./load.ts";
import { debugEnabled, errorText, jsonError, type JsonReport } from "./output.ts";
import { type CliIo, executeRun, type RunOptions } from "./run.ts";
import { VERSION } from "../version.ts";

/** How the program is set up. */
export interface ProgramSetup {
  /** The program name (usage, completions, shell). */
  readonly name: string;
  /** A fixed root node class (`runCli`): no `[script]` operand and no `compile`. */
  readonly root?: NodeClass;
  /** The root used when no script is given (the generic CLI's embedded example). */
  readonly defaultRoot?: NodeClass;
  /** Extra loggers for `run`. */
  readonly loggers?: readonly Logger[];
  /** Where to write. */
  readonly io: CliIo;
}

function positiveInteger(value: string, option = "--parallel"): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) {
    throw new UsageError(`${option} expects a positive integer, got "${value}"`);
  }
  return n;
}

/** `--reload` and `--lock FILE` of the generic CLI (scripts by URL). */
type LoadFlags = Pick<LoadOptions, "reload" | "lock">;

function addLoadOptions(command: Command): void {
  command
    .option("--reload", "a script by URL: fetch its imports from other origins again")
    .option("--lock <file>", "a script by URL: pin it and its imports in FILE (JSON of sha256)");
}

/** The options of `listen` and `connect`. */
interface SessionOptions {
  socket?: string;
  panes?: boolean;
  pane?: string;
  path?: string;
  parallel?: number;
  log?: string;
}

/** Splits the command line at the first `--`. */
function splitDashDash(args: readonly string[]): [string[], string[]] {
  const at = args.indexOf("--");
  return at < 0 ? [[...args], []] : [args.slice(0, at), args.slice(at + 1)];
}

function specsOf(program: Command, scripts: boolean): CommandSpec[] {
  return program.commands.filter((c) => c.name() !== "help").map((c) => ({
    name: c.name(),
    description: c.description(),
    options: c.options.map((o) => ({
      names: [o.short, o.long].filter((n): n is string => !!n),
      value: o.required || o.optional
        ? (/^--(log|output|lock)$/.test(o.long ?? "") ? "file" as const : "text" as const)
        : undefined,
      description: o.description,
    })),
    operands: c.name() === "completions" ? SHELLS : scripts ? "file" : undefined,
  }));
}

/**
 * Parses `args` and runs the command. Resolves to the exit code: 0 ok, 1 failure, 2
 * usage error (unknown option, command, path or action; a script that does not load),
 * 130 interrupted. Never calls `Deno.exit` (except on a second Ctrl-C during a run).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { executeProgram } from "./program.ts";
 * let out = "";
 * const io = { out: (t: string) => (out += t), err: () => {} };
 * const code = await executeProgram(["--version"], { name: "deployer", io });
 * assert.equal(code, 0);
 * assert.ok(out.startsWith("deployer "));
 * ```
 */
export async function executeProgram(
  args: readonly string[],
  setup: ProgramSetup,
): Promise<number> {
  const { io } = setup;
  const generic = setup.root === undefined;
  const [head, tail] = splitDashDash(args);
  let code = 0;
  let json = false;
  let action: string | null = null;
  let actionArgs: string[] = [];

  const rootFor = async (script: string | undefined, load: LoadFlags = {}): Promise<NodeClass> => {
    if (setup.root) return setup.root;
    if (script !== undefined) return await loadScript(script, undefined, load);
    if (setup.defaultRoot) return setup.defaultRoot;
    throw new UsageError("No script given");
  };
  /** In the generic CLI, a first word that looks like a script is the script. */
  const splitScript = (words: string[]): [string | undefined, string[]] =>
    generic && words.length && looksLikeScript(words[0])
      ? [words[0], words.slice(1)]
      : [undefined, words];

  const program = new Command(setup.name)
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .showHelpAfterError(`(run \`${setup.name} --help\` for usage)`)
    .description(
      generic
        ? "Run actions of a deployer tree (loaded from a script path or URL), inspect it, " +
          "or compile it into one executable."
        : "Run actions of this deployment tree, or open its interactive shell.",
    )
    .version(
      generic
        ? `deployer ${VERSION} (deno ${Deno.version.deno})`
        : `${setup.name} (deployer ${VERSION}, deno ${Deno.version.deno})`,
      "-V, --version",
      "print the version",
    );

  program.command("run")
    .description(
      "run ACTION (a dotted path: production.database.start) with string arguments, or open " +
        "the interactive shell when no action is given",
    )
    .argument(generic ? "[script]" : "[action]", generic ? "script path or URL" : "action path")
    .argument("[args...]", generic ? "ACTION ARG... (or after --)" : "arguments (or after --)")
    .option("--path <path>", "node to start the shell at (ACTION is relative to it)")
    .option("--non-interactive", "nobody answers questions: failed commands abort")
    .option("--sandbox", "dry run: check commands with bash -n, print the plan")
    .option("--scp", "open the SCP shell on a host of the node (--path), not the shell")
    .addOption(
      new Option("--parallel <n>", "commands running at once (default 32)").argParser(
        (v) => positiveInteger(v),
      ),
    )
    .option("--log <file>", "append JSON-lines events to a file")
    .option("--json", "print one JSON document with the result on stdout (all else: stderr)")
    .option("--debug", "print the full stack of an error")
    .option("--limit <patterns>", "only hosts whose slug matches: web*,db1 (!web2 excludes)")
    .addOption(
      new Option("--serial <n>", "parallel actions run on N hosts at a time (rolling)")
        .argParser((v) => positiveInteger(v, "--serial")),
    )
    .option("--fail-fast", "after a host fails, start no more hosts (they are skipped)")
    .action(async (first: string | undefined, rest: string[], options: RunOptions & LoadFlags) => {
      json = options.json ?? false;
      const [script, words] = splitScript([...(first === undefined ? [] : [first]), ...rest]);
      const all = [...words, ...tail];
      action = all[0] ?? null;
      actionArgs = all.slice(1);
      const root = await rootFor(script, options);
      code = await executeRun({
        root,
        name: setup.name,
        options,
        words: all,
        loggers: setup.loggers,
        io,
      });
    });

  program.command("inspect")
    .description("print the tree: nodes, groups, hosts per role and actions")
    .argument(generic ? "[script]" : "[path]", generic ? "script path or URL" : "node path")
    .argument("[path]", "node path (production.web)")
    .action(async (first: string | undefined, second: string | undefined, load: LoadFlags) => {
      const words = [first, second, ...tail].filter((w): w is string => w !== undefined);
      const [script, rest] = splitScript(words);
      if (rest.length > 1) {
        throw new UsageError(`inspect takes one node path, got: ${rest.join(" ")}`);
      }
      const root = await rootFor(script, load);
      await using env = new Env({ interactive: false });
      const { inspectPath } = await import("./tree.ts"); // source lookup: only for inspect
      io.out(inspectPath(env.bind(root) as object, rest[0] ?? ""));
    });

  if (generic) {
    program.commands.filter((c) => /^(run|inspect)$/.test(c.name())).forEach(addLoadOptions);
    program.command("compile")
      .description("compile a script that calls runCli(Root) into one executable (deno compile)")
      .argument("<script>", "script path or URL")
      .option("-o, --output <file>", "the executable to write")
      .action(async (script: string, options: { output?: string }) => {
        const { runCompile } = await import("./compile.ts");
        code = await runCompile({ script, output: options.output, extra: tail }, io);
      });
  }

  // Sessions: one long-lived process keeps the tree, its Env and connections; shells attach.
  program.command("listen")
    .description(
      "keep the tree, its environment and open connections in this process, serving shells " +
        "to `connect` over a private unix socket",
    )
    .argument(generic ? "[script]" : "[unused]", generic ? "script path or URL" : "(none)")
    .option("--socket <path>", "the unix socket (default: in $XDG_RUNTIME_DIR/deployer)")
    .addOption(
      new Option("--parallel <n>", "commands running at once (default 32)").argParser(
        (v) => positiveInteger(v),
      ),
    )
    .option("--log <file>", "append JSON-lines events to a file")
    .action(async (script: string | undefined, options: SessionOptions) => {
      const root = await rootFor(generic ? script : undefined);
      const { listenSession } = await import("./session/mod.ts"); // only for sessions
      code = await listenSession({
        root,
        script: generic && script !== undefined ? script : setup.name,
        name: setup.name,
        socket: options.socket,
        parallel: options.parallel,
        log: options.log,
        loggers: setup.loggers,
        err: io.err,
      });
    });
  program.command("connect")
    .description(
      "open one more interactive shell on a running session (see `listen`), or run " +
        "`-- ACTION ARG...` in it on its open connections",
    )
    .option("--socket <path>", "the session's socket (default: the only live session)")
    .option("--path <path>", "node to start the shell at")
    .option("--panes", "inside tmux, run each isolation of a parallel action in its own pane")
    .addOption(new Option("--pane <key>", "show one isolation (used by --panes)").hideHelp())
    .action(async (options: SessionOptions) => {
      const path = (options.path ?? "").split(".").filter(Boolean);
      const { connectTerminal } = await import("./session/mod.ts");
      code = await connectTerminal({
        socket: options.socket,
        path,
        action: tail,
        panes: options.panes,
        pane: options.pane,
        err: io.err,
      });
    });
  program.command("sessions")
    .description("list this user's live sessions (pid, socket, script, started, clients)")
    .action(async () => {
      const { formatSessions, liveSessions } = await import("./session/mod.ts");
      io.out(formatSessions(await liveSessions()));
    });

  program.command("completions")
    .description("print a shell completion script")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
    .action((shell: ShellName) => {
      io.out(completionScript(shell, setup.name, specsOf(program, generic)));
    });

  try {
    await program.parseAsync(head, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const usage = error instanceof Error && error.name === "UsageError";
    if (json) {
      const report: JsonReport = { ok: false, action, args: actionArgs, error: jsonError(error) };
      io.out(`${JSON.stringify(report, null, 2)}\n`);
    }
    io.err(errorText(error, debugEnabled() || head.includes("--debug")));
    return usage ? 2 : 1;
  }
}

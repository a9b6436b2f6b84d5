/**
 * The state of one shell and the description of its built-in commands. Types only: the
 * registry itself is `BUILTIN_COMMANDS` in `commands.ts`.
 *
 * @module
 */
import type { Console } from "../console/mod.ts";
import type { Env } from "../exec/env.ts";
import type { Location, ResolveMode } from "./paths.ts";
import type { Word } from "./words.ts";

/** The mutable state of one shell (one per `runShell` call, never global). */
export interface ShellSession {
  /** The environment actions run in (forked per action). */
  readonly env: Env;
  /** The console, for questions. */
  readonly console: Console;
  /** Where the shell is. */
  location: Location;
  /** Writes text to the user. */
  readonly write: (text: string) => void;
  /** Shows long text (paged when the console can). */
  readonly page: (text: string) => Promise<void>;
  /** Lays out names in columns. */
  readonly columns: (names: string[]) => string;
  /** Colours text when colour is on. */
  readonly paint: (text: string, color: string) => string;
  /** `color`, `ask-on-failure`, `fail-fast` (on/off); `limit`, `serial` (text). */
  readonly options: Map<string, boolean | string>;
  /** The program name, for `--version`. */
  readonly name: string;
  /** The deployer version. */
  readonly version: string;
  /** Where Ctrl-C comes from while an action runs (default: this process's SIGINT). */
  readonly interrupts?: (handler: () => void) => () => void;
}

/** What a line asks the shell loop to do next. */
export type LineOutcome = { exit: true } | { subshell: object } | undefined;

/**
 * What a built-in takes after its name: a node path (`node`), a path and an action
 * (`action`), a path and an optional member (`inspect`), option words, free string
 * arguments (`strings`, nothing to complete), or nothing. Both completion and dispatch read it.
 */
export type BuiltinArguments = ResolveMode | "none" | "option" | "strings";

/** One built-in command of the shell: its name, help, completion and handler. */
export interface Builtin {
  /** The word that runs it. */
  readonly name: string;
  /** Its arguments as `help` shows them (`[path]`), after the name. */
  readonly usage: string;
  /** One line of help. */
  readonly help: string;
  /** What follows the name (for completion and argument checks). */
  readonly takes: BuiltinArguments;
  /**
   * Runs it. `args` are the words after the name. For `takes: "node"` the node is already
   * resolved (`undefined` args resolve to the current node).
   */
  run(session: ShellSession, args: Word[], node: object): Promise<LineOutcome> | LineOutcome;
}

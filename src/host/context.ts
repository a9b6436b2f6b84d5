/**
 * The context of a bound host: the `cd`, `prefix` and `env` stacks that commands are
 * composed with. Each method pushes and returns a `Disposable` that pops (use `using`).
 *
 * @module
 */
import {
  type CommandInput,
  type Raw,
  raw,
  type Secret,
  type ShellCommand,
  toCommand,
} from "../command/sh.ts";

/** One `cd` entry. */
export interface CdEntry {
  /** The path as given. */
  readonly path: string;
  /** Whether a leading `~` is expanded to the home directory. */
  readonly expand: boolean;
}

/** Options of `env()`. */
export interface EnvValueOptions {
  /** Quote the value (default). `false` inserts it raw so `$VAR` expands. */
  escape?: boolean;
}

/**
 * The stacks of one bound host.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostContext } from "./context.ts";
 * const context = new HostContext();
 * {
 *   using _ = context.cd("/srv");
 *   assert.equal(context.cdStack.length, 1);
 * }
 * assert.equal(context.cdStack.length, 0);
 * ```
 */
export class HostContext {
  readonly #cd: CdEntry[] = [];
  readonly #prefixes: ShellCommand[] = [];
  readonly #env: [string, string | Secret | Raw][] = [];

  /** The `cd` stack, outermost first. */
  get cdStack(): readonly CdEntry[] {
    return this.#cd;
  }
  /** The prefixes, outermost first. */
  get prefixes(): readonly ShellCommand[] {
    return this.#prefixes;
  }
  /** The environment variables, in order. */
  get envEntries(): readonly (readonly [string, string | Secret | Raw])[] {
    return this.#env;
  }

  /** Runs commands in `path` (relative paths stack). */
  cd(path: string, options: { expand?: boolean } = {}): Disposable {
    if (typeof path !== "string" || path === "") throw new TypeError("cd() needs a non-empty path");
    return this.#push(this.#cd, { path, expand: options.expand ?? false });
  }

  /** Runs commands as `prefix && command`. */
  prefix(command: CommandInput): Disposable {
    return this.#push(this.#prefixes, toCommand(command));
  }

  /** Exports `name=value` for commands. */
  env(
    name: string,
    value: string | Secret | Raw | null,
    options: EnvValueOptions = {},
  ): Disposable {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(`Invalid environment variable name: ${JSON.stringify(name)}`);
    }
    const v = value ?? "";
    const entry: [string, string | Secret | Raw] = [
      name,
      typeof v === "string" && options.escape === false ? raw(v) : v,
    ];
    return this.#push(this.#env, entry);
  }

  /** A copy with the same stacks (a snapshot). */
  copy(): HostContext {
    const copy = new HostContext();
    copy.#cd.push(...this.#cd);
    copy.#prefixes.push(...this.#prefixes);
    copy.#env.push(...this.#env);
    return copy;
  }

  #push<T>(stack: T[], item: T): Disposable {
    stack.push(item);
    let done = false;
    return {
      [Symbol.dispose]: () => {
        if (done) return;
        done = true;
        const index = stack.lastIndexOf(item);
        if (index >= 0) stack.splice(index, 1);
      },
    };
  }
}

/**
 * Tab completion of the SCP shell, as a function of the line and a directory lister:
 * command names first, then a path on the side the command works on (remote over SFTP,
 * local from the file system). Pure: the lister is given, so it is tested without hosts.
 *
 * @module
 */
import { hasControl } from "../../console/control.ts";

/** One directory entry as completion needs it. */
export interface PathEntry {
  /** The name (no directory). */
  readonly name: string;
  /** Whether it is a directory (symbolic links to directories count). */
  readonly isDir: boolean;
}

/** Which side a command's path argument is on. */
export type Side = "remote" | "local";

/** What a command takes after its name, for completion. */
export interface ArgumentKind {
  /** The side its path is on, or `undefined` when it takes no path. */
  readonly side?: Side;
  /** Only directories are offered (`cd`, `lcd`). */
  readonly dirsOnly?: boolean;
}

/** Lists a directory (relative to the side's working directory) for completion. */
export type Lister = (side: Side, dir: string) => Promise<readonly PathEntry[]>;

/**
 * The argument of a command line: the text after the command name and its spaces
 * (unquoted; one path per command, so names with spaces need no quotes).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { argumentText } from "./complete.ts";
 * assert.deepEqual(argumentText("put  my file"), ["put", "my file"]);
 * assert.deepEqual(argumentText("ls"), ["ls", undefined]);
 * ```
 */
export function argumentText(line: string): [string, string | undefined] {
  const match = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(line);
  if (!match) return ["", undefined];
  return [match[1], match[2] === undefined ? undefined : match[2]];
}

/**
 * Completes an SCP shell line: `[candidates, the text they replace]`, as `node:readline`
 * wants. Hidden names are offered only when the typed part starts with a dot; names with
 * control characters are never offered (they cannot be typed back).
 *
 * @param line The line up to the cursor.
 * @param commands The command names and what each takes.
 * @param list Lists a directory on one side.
 * @returns The candidates and the part of the line they replace.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { completeScp } from "./complete.ts";
 * const commands = new Map([["cd", { side: "remote" as const, dirsOnly: true }], ["ls", {}]]);
 * const list = async (_side: string, dir: string) =>
 *   dir === "." ? [{ name: "srv", isDir: true }, { name: "src.txt", isDir: false }] : [];
 * assert.deepEqual(await completeScp("c", commands, list), [["cd "], "c"]);
 * assert.deepEqual(await completeScp("cd s", commands, list), [["srv/"], "s"]);
 * ```
 */
export async function completeScp(
  line: string,
  commands: ReadonlyMap<string, ArgumentKind>,
  list: Lister,
): Promise<[string[], string]> {
  const [name, arg] = argumentText(line);
  if (arg === undefined && !/\s$/.test(line)) {
    const names = [...commands.keys()].filter((c) => c.startsWith(name)).sort();
    return [names.map((n) => `${n} `), name];
  }
  const kind = commands.get(name);
  if (!kind?.side) return [[], ""];
  const typed = arg ?? "";
  const slash = typed.lastIndexOf("/");
  const dir = typed.slice(0, slash + 1);
  const prefix = typed.slice(slash + 1);
  let entries: readonly PathEntry[];
  try {
    entries = await list(kind.side, dir || ".");
  } catch {
    return [[], typed]; // an unreadable directory completes nothing
  }
  const candidates = entries
    .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith(".") || !e.name.startsWith(".")))
    .filter((e) => !kind.dirsOnly || e.isDir)
    .filter((e) => !hasControl(e.name))
    .map((e) => `${dir}${e.name}${e.isDir ? "/" : ""}`)
    .sort();
  return [candidates, typed];
}

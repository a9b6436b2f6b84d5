/**
 * Reading an OpenSSH client config file from disk with every file it includes: `Include`
 * globs expanded (relative to `~/.ssh`), each file parsed once per read, at most 16 levels
 * deep like OpenSSH. The stamps of everything read are kept for caching.
 *
 * @module
 */
import { fileStamp, LocalFileError, readRegularFile } from "./local_file.ts";
import { wildcardMatch } from "./pattern.ts";
import {
  scanSshConfigText,
  SshConfigError,
  type SshConfigFile,
  type SshConfigIncludeLine,
  type SshConfigItem,
} from "./ssh_config_parse.ts";

const MAX_INCLUDE_DEPTH = 16;

/** What reading a config needs besides the file. */
interface ReadState {
  readonly home: string;
  readonly stamps: string[];
  readonly seen: Map<string, { file: SshConfigFile; height: number }>;
}

function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  return path.startsWith("~/") ? `${home}${path.slice(1)}` : path;
}

async function expandGlob(pattern: string, state: ReadState): Promise<string[]> {
  let bases = [pattern.startsWith("/") ? "/" : "."];
  for (const part of pattern.split("/")) {
    if (!part) continue;
    const next: string[] = [];
    for (const base of bases) {
      const prefix = base === "/" ? "/" : `${base}/`;
      if (!/[*?]/.test(part)) {
        next.push(`${prefix}${part}`);
        continue;
      }
      state.stamps.push(await fileStamp(base));
      try {
        for await (const entry of Deno.readDir(base)) {
          if (!entry.name.startsWith(".") && wildcardMatch(part, entry.name)) {
            next.push(`${prefix}${entry.name}`);
          }
        }
      } catch {
        // A directory that cannot be listed matches nothing.
      }
    }
    bases = next.sort();
  }
  return bases;
}

async function readFileTree(
  path: string,
  state: ReadState,
  depth: number,
): Promise<{ file: SshConfigFile; height: number } | undefined> {
  // A file reads the same at any depth: parse it once per read (unless it is now too deep,
  // then read it again to report where).
  const known = state.seen.get(path);
  if (known && depth + known.height <= MAX_INCLUDE_DEPTH) return known;
  state.stamps.push(await fileStamp(path));
  let text: string;
  try {
    text = new TextDecoder().decode(await readRegularFile(path, "SSH config"));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof LocalFileError && /a directory/.test(error.message)) return undefined;
    if (error instanceof LocalFileError) {
      throw new SshConfigError(path, 0, error.message.slice(error.message.indexOf('": ') + 3));
    }
    const why = error instanceof Error ? error.message : String(error);
    throw new SshConfigError(path, 0, `cannot read it: ${why}`, { cause: error });
  }
  const items: SshConfigItem[] = [];
  const includes: SshConfigIncludeLine[] = [];
  scanSshConfigText(text, path, items, includes);
  let height = 0;
  for (const include of includes) {
    if (depth >= MAX_INCLUDE_DEPTH) {
      throw new SshConfigError(
        path,
        include.line,
        `Include nested more than ${MAX_INCLUDE_DEPTH} levels deep (recursive Include?)`,
      );
    }
    const files: SshConfigFile[] = [];
    for (const arg of include.args) {
      const expanded = expandHome(arg, state.home);
      const absolute = expanded.startsWith("/") ? expanded : `${state.home}/.ssh/${expanded}`;
      for (const included of await expandGlob(absolute, state)) {
        const tree = await readFileTree(included, state, depth + 1);
        if (!tree) continue;
        files.push(tree.file);
        height = Math.max(height, tree.height + 1);
      }
    }
    items[include.index] = { kind: "include", files };
  }
  const tree = { file: { path, items, stamps: state.stamps }, height };
  state.seen.set(path, tree);
  return tree;
}

/**
 * Reads a config file and every file it includes. A missing file gives `undefined`.
 * Rejects with {@linkcode SshConfigError} (file and line) on malformed or non-regular
 * files and on `Include` nested more than 16 levels deep.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSshConfigFile } from "./ssh_config_read.ts";
 * assert.equal(await readSshConfigFile("/nonexistent/config", "/root"), undefined);
 * ```
 */
export async function readSshConfigFile(
  path: string,
  home: string,
): Promise<SshConfigFile | undefined> {
  return (await readFileTree(path, { home, stamps: [], seen: new Map() }, 0))?.file;
}

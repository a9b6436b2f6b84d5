/**
 * Finding the known_hosts lines of one host without testing every line: each file is
 * indexed once per Env by its plain host names; only lines with wildcards, negations or
 * hashed names are matched one by one. With 500 hosts in a 500-line file, a connection
 * looks at its own line instead of 500.
 *
 * @module
 */
import { memoByStamp } from "./file_memo.ts";
import { hostMatcher, type KnownHostEntry, readKnownHostsFile } from "./known_hosts.ts";

/** A parsed known_hosts file with its index. */
interface IndexedFile {
  readonly entries: readonly KnownHostEntry[];
  /** Lower-cased plain name → positions of the lines that list it. */
  readonly byName: ReadonlyMap<string, readonly number[]>;
  /** Positions of the lines that must be matched one by one. */
  readonly others: readonly number[];
}

/** A line whose patterns are all plain names (no wildcard, negation or hash) is found by name. */
function indexable(entry: KnownHostEntry): boolean {
  return entry.patterns.every((p) => !/^[!|]|[*?]/.test(p));
}

function indexEntries(entries: readonly KnownHostEntry[]): IndexedFile {
  const byName = new Map<string, number[]>();
  const others: number[] = [];
  entries.forEach((entry, at) => {
    if (!indexable(entry)) return others.push(at);
    for (const name of new Set(entry.patterns.map((p) => p.toLowerCase()))) {
      const list = byName.get(name);
      if (list) list.push(at);
      else byName.set(name, [at]);
    }
  });
  return { entries, byName, others };
}

async function matchOthers(file: IndexedFile, name: string): Promise<number[]> {
  const matches = hostMatcher(name);
  const found: number[] = [];
  for (let i = 0; i < file.others.length; i++) {
    // Yield now and then: timers (the connect deadline) and signals still run while a
    // very large file of hashed names is searched.
    if (i % 5000 === 4999) await new Promise((resolve) => setTimeout(resolve, 0));
    const at = file.others[i];
    if (matches(file.entries[at])) found.push(at);
  }
  return found;
}

/**
 * The lines of `files` that apply to a host name (`host` or `[host]:port`), in file
 * order: the same lines as testing every line with `entryMatches`. With `memo` (the Env's
 * connect memo) each file is read, parsed and indexed once, and again when its stamp
 * changed (see `file_memo.ts`). Files that do not exist are skipped; a FIFO, device or
 * unreadable file rejects with a `LocalFileError` naming it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownHostsFor } from "./known_hosts_lookup.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/known_hosts`;
 *   await Deno.writeTextFile(file, "web1 ssh-ed25519 K1\n*.example ssh-rsa K2\nWEB1 ssh-rsa K3\n");
 *   const memo = new Map<string, unknown>();
 *   const found = await knownHostsFor([file], "web1", memo);
 *   assert.deepEqual(found.map((e) => e.key), ["K1", "K3"]);
 *   assert.deepEqual((await knownHostsFor([file], "a.example", memo)).map((e) => e.key), ["K2"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function knownHostsFor(
  files: readonly string[],
  name: string,
  memo?: Map<string, unknown>,
): Promise<KnownHostEntry[]> {
  const found: KnownHostEntry[] = [];
  for (const path of files) {
    const load = async () => indexEntries(await readKnownHostsFile(path));
    const file = await memoByStamp(memo, "known_hosts-indexed", path, load);
    const direct = file.byName.get(name.toLowerCase()) ?? [];
    const positions = file.others.length
      ? [...direct, ...await matchOthers(file, name)].sort((a, b) => a - b)
      : direct;
    for (const at of positions) found.push(file.entries[at]);
  }
  return found;
}

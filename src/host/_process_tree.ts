/**
 * The descendants of a local process, read from `/proc` (private). Used to stop a whole
 * command tree, including processes that moved to another session (a PTY's shell).
 * Where there is no `/proc` the list is empty.
 *
 * @module
 */

/** The PIDs of every descendant of `pid` (children first), from `/proc`; `[]` without `/proc`. */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let stat: string;
      try {
        stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      } catch {
        continue; // exited meanwhile
      }
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry.name));
      parents.set(ppid, list);
    }
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const kid of parents.get(queue.shift()!) ?? []) {
      found.push(kid);
      queue.push(kid);
    }
  }
  return found;
}

/** Sends a signal to a process (or, with a negative PID, a process group); ignores failures. */
export function sendSignal(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // already gone, or not ours
  }
}

/**
 * The descendants of a local process, read from `/proc` (private). Used to stop a whole
 * command tree, including processes that moved to another session (a PTY's shell). Deno
 * reads `/proc` only with `--allow-all`; otherwise (and where there is no `/proc`) the
 * parent of every process comes from `ps` run by `sh` (`--allow-run=sh` is enough), else
 * from `/proc/<pid>/stat` read by `sed`. When all of that fails, the list is empty.
 *
 * @module
 */

/** Every process's parent, from Deno's own reads of `/proc`; throws when they are refused. */
async function parentsFromProc(): Promise<Map<number, number[]>> {
  const parents = new Map<number, number[]>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces, parentheses and newlines.
    add(parents, Number(entry.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  return parents;
}

/** `pid ppid` lines: `ps` where there is one, else `sed` over `/proc/<pid>/stat`. */
const PS_SCRIPT = "ps -A -o pid= -o ppid= 2>/dev/null || " +
  "cat /proc/[0-9]*/stat 2>/dev/null | sed -n 's/^\\([0-9][0-9]*\\) .*) . \\([0-9][0-9]*\\) .*/\\1 \\2/p'";

/** Every process's parent, as `sh` finds them (see {@linkcode PS_SCRIPT}). */
async function parentsFromShell(): Promise<Map<number, number[]>> {
  const out = await new Deno.Command("sh", {
    args: ["-c", PS_SCRIPT],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const parents = new Map<number, number[]>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(pid) && Number.isInteger(ppid)) add(parents, pid, ppid);
  }
  return parents;
}

function add(parents: Map<number, number[]>, pid: number, ppid: number): void {
  const list = parents.get(ppid) ?? [];
  list.push(pid);
  parents.set(ppid, list);
}

/** The PIDs of every descendant of `pid` (children first); `[]` when none can be found. */
export async function descendants(pid: number): Promise<number[]> {
  let parents: Map<number, number[]>;
  try {
    parents = await parentsFromProc();
  } catch {
    try {
      parents = await parentsFromShell();
    } catch {
      return [];
    }
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

/**
 * Finding and stopping a process tree by PID (private). sshd puts every connection in
 * its own session, so a process-group kill would miss them; the tree is read from /proc.
 *
 * @module
 */
import { sleep } from "./_process.ts";

export { descendants } from "../host/_process_tree.ts";

/** Whether a process exists (and is not a zombie). */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Sends a signal, ignoring processes that are already gone. */
export function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Waits until none of `pids` is alive; sends SIGKILL to the rest after `graceMs`. */
export async function reap(pids: number[], graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  let left = pids;
  while (left.length > 0) {
    const alive = await Promise.all(left.map(processAlive));
    left = left.filter((_, i) => alive[i]);
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      for (const pid of left) signal(pid, "SIGKILL");
      if (Date.now() > deadline + 2000) return;
    }
    await sleep(20);
  }
}

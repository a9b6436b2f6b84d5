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

/** The PIDs of the processes whose real or effective user id is `uid`, from `/proc`. */
export async function processesOf(uid: number): Promise<number[]> {
  const found: number[] = [];
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const status = await Deno.readTextFile(`/proc/${entry.name}/status`);
        const ids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
        if (ids && (Number(ids[1]) === uid || Number(ids[2]) === uid)) {
          found.push(Number(entry.name));
        }
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return found;
}

/** Kills (SIGKILL) every process of a test user and waits until they are gone. */
export async function killUserProcesses(uid: number): Promise<void> {
  if (uid === 0) throw new Error("Refusing to kill the processes of root");
  const pids = await processesOf(uid);
  for (const pid of pids) signal(pid, "SIGKILL");
  await reap(pids, 5000);
}

/**
 * Looking at this machine's processes from the outside, as any other user of a host could
 * (through `/proc`): the processes whose command line contains a text.
 *
 * @module
 */

/** A process and its command line (arguments joined by spaces). */
export interface Proc {
  /** Its PID. */
  pid: number;
  /** Its arguments joined by spaces. */
  cmdline: string;
}

/** Every live (not zombie) process whose command line contains `text`, except this one. */
export async function processesWith(text: string): Promise<Proc[]> {
  const found: Proc[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const raw = await Deno.readFile(`/proc/${entry.name}/cmdline`);
      const cmdline = new TextDecoder().decode(raw).replaceAll("\0", " ").trim();
      if (cmdline.includes(text)) found.push({ pid: Number(entry.name), cmdline });
    } catch {
      // it ended meanwhile
    }
  }
  return found;
}

/** Kills what a failed test left (so that one failure does not leak processes). */
export async function killAll(text: string): Promise<void> {
  for (const proc of await processesWith(text)) {
    try {
      Deno.kill(proc.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** A number unlikely to appear in any other command line: use it as `sleep <n>`. */
export function uniqueSeconds(): number {
  return 300_000 + Math.floor(Math.random() * 600_000);
}

/** A number for `sleep <n>` (see {@linkcode uniqueSeconds}); disposing it kills what is left. */
export interface UniqueSleep extends AsyncDisposable {
  /** The number of seconds. */
  readonly seconds: number;
}

/** A new {@linkcode UniqueSleep}: `await using` kills its `sleep`s a failed test left. */
export function uniqueSleep(): UniqueSleep {
  const seconds = uniqueSeconds();
  return { seconds, [Symbol.asyncDispose]: () => killAll(`sleep ${seconds}`) };
}

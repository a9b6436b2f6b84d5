/**
 * Helpers for the tests of stopped file transfers: sources that never end, the first write
 * into a directory, and what is left there (temporary files, processes holding files open).
 *
 * @module
 */

/** A stream source that never ends, and what became of it. */
export interface Endless {
  /** Delivers `chunks` pieces of 256 KiB, then calls `onStalled` and never delivers more. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Resolves when the reader let the stream go (cancelled it). */
  readonly cancelled: Promise<unknown>;
}

/** A source of `chunks` pieces of 256 KiB that then stalls forever (see {@linkcode Endless}). */
export function endless(chunks: number, onStalled: () => void): Endless {
  let pulled = 0;
  const { promise: cancelled, resolve } = Promise.withResolvers<unknown>();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) {
        onStalled();
        return new Promise(() => {});
      }
      pulled++;
      controller.enqueue(new Uint8Array(256 * 1024).fill(pulled & 0xff));
    },
    cancel: (reason) => resolve(reason),
  }, { highWaterMark: 0 });
  return { stream, cancelled };
}

/** The first write into a deployer temporary file in a directory (`.…deployer-…`). */
export interface FirstWrite extends AsyncDisposable {
  /** Resolves on the first write into such a file. */
  readonly seen: Promise<void>;
}

/** Watches `dir` for the first write into one of deployer's temporary files. */
export function firstWrite(dir: string): FirstWrite {
  const watcher = Deno.watchFs(dir, { recursive: false });
  const { promise: seen, resolve } = Promise.withResolvers<void>();
  const watching = (async () => {
    for await (const event of watcher) {
      const written = event.kind === "modify" &&
        event.paths.some((p) => /\/\.[^/]*deployer-[^/]*$/.test(p));
      if (written) resolve();
    }
  })();
  return {
    seen,
    async [Symbol.asyncDispose]() {
      watcher.close();
      await watching;
    },
  };
}

/** The processes (this one too) holding a file under `dir` open: `<pid> <path>` each. */
export async function openersIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      for await (const fd of Deno.readDir(`/proc/${entry.name}/fd`)) {
        const target = await Deno.readLink(`/proc/${entry.name}/fd/${fd.name}`).catch(() => "");
        if (target.startsWith(`${dir}/`)) found.push(`${entry.name} ${target}`);
      }
    } catch {
      // it ended meanwhile, or is not ours to look at
    }
  }
  return found;
}

/** deployer's temporary files in `dir` (names containing `.deployer-`), sorted. */
export async function tempsIn(dir: string): Promise<string[]> {
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  return names.filter((n) => n.includes("deployer-")).sort();
}

/**
 * What `check` finds once it finds nothing, or after 10 s what it still finds: for what a
 * stopped process leaves for a moment (its last file closed as it exits).
 */
export async function settled<T>(check: () => Promise<T[]>): Promise<T[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const found = await check();
    if (!found.length || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The SCP shell's transfers: `put` and `get` of files and whole directories with a
 * progress bar (live on a TTY), and `edit` (the remote file in the local `$EDITOR`,
 * written back atomically only when it changed).
 *
 * @module
 */
import { basename, join } from "node:path";
import type { ProgressBar } from "../../console/progress.ts";
import { remotePath, resolveIn, type ScpState, shown, throttled } from "./state.ts";

const FORMAT = "{message}: {counter}/{expected} KiB [{percentage}]  [{duration}]";

function bar(state: ScpState, message: string, bytes: number | undefined): ProgressBar {
  return state.console.progressBar(message, {
    expected: bytes === undefined ? undefined : Math.ceil(bytes / 1024),
    format: bytes === undefined ? "{message}: {counter} KiB  [{duration}]" : FORMAT,
  });
}

/** Counts the bytes going through; an abort errors the stream at once (no more data needed). */
function counting(
  report: (bytes: number) => void,
  signal: AbortSignal | undefined,
): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  let onAbort = () => {};
  return new TransformStream({
    start(controller) {
      onAbort = () => controller.error(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
    },
    transform(chunk, controller) {
      signal?.throwIfAborted();
      total += chunk.length;
      report(total);
      controller.enqueue(chunk);
    },
    flush() {
      signal?.removeEventListener("abort", onAbort);
    },
  });
}

/**
 * `put <local>`: uploads a local file or directory into the remote working directory
 * under the same name. A directory replaces an existing remote directory of that name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Console } from "../../console/console.ts";
 * import { Env } from "../../exec/env.ts";
 * import { LocalHost } from "../../host/local.ts";
 * import { put } from "./transfer.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/here`);
 *   await Deno.mkdir(`${dir}/there`);
 *   await Deno.writeTextFile(`${dir}/here/notes`, "hi");
 *   await using env = new Env({ interactive: false });
 *   let out = "";
 *   const state = {
 *     host: env.host(new LocalHost()), console: env.console, local: `${dir}/here`,
 *     remote: `${dir}/there`, write: (t: string) => void (out += t),
 *   };
 *   await put(state, "notes");
 *   assert.equal(await Deno.readTextFile(`${dir}/there/notes`), "hi");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function put(state: ScpState, path: string): Promise<void> {
  const source = resolveIn(state.local, path);
  const target = join(state.remote, basename(source));
  const info = await Deno.stat(source);
  const label = `Uploading ${shown(basename(source))}`;
  if (info.isDirectory) {
    const progress = bar(state, label, undefined);
    try {
      await state.host.putDir(source, target, {
        onProgress: (done) => progress.setProgress(Math.floor(done / 1024)),
        signal: state.signal,
      });
    } finally {
      progress.done();
    }
    return;
  }
  using progress = bar(state, label, info.isFile ? info.size : undefined); // a pipe: unknown
  const report = throttled((n) => progress.setProgress(Math.ceil(n / 1024)));
  const file = await Deno.open(source, { read: true });
  await state.host.writeFile(target, file.readable.pipeThrough(counting(report, state.signal)), {
    localPath: source,
    mode: info.isFile ? (info.mode ?? 0o644) & 0o7777 : undefined, // for a new file
  });
  report(info.size, true);
}

/**
 * `get <remote>`: downloads a remote file or directory into the local working directory
 * under the same name (written atomically; a directory replaces a local one).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../../exec/env.ts";
 * import { LocalHost } from "../../host/local.ts";
 * import { get } from "./transfer.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/here`);
 *   await Deno.mkdir(`${dir}/there/site`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/there/site/index.html`, "<p>");
 *   await using env = new Env({ interactive: false });
 *   const state = {
 *     host: env.host(new LocalHost()), console: env.console, local: `${dir}/here`,
 *     remote: `${dir}/there`, write: () => {},
 *   };
 *   await get(state, "site");
 *   assert.equal(await Deno.readTextFile(`${dir}/here/site/index.html`), "<p>");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function get(state: ScpState, path: string): Promise<void> {
  const source = await remotePath(state, path);
  const target = join(state.local, basename(source));
  const info = await state.host.stat(source);
  const label = `Downloading ${shown(basename(source))}`;
  if (info.isDir) {
    const progress = bar(state, label, undefined);
    try {
      await state.host.getDir(source, target, {
        onProgress: (done) => progress.setProgress(Math.floor(done / 1024)),
        signal: state.signal,
      });
    } finally {
      progress.done();
    }
    return;
  }
  using progress = bar(state, label, info.size);
  const report = throttled((n) => progress.setProgress(Math.ceil(n / 1024)));
  const connection = await state.host.services.connection(state.host.definition);
  const stream = await connection.readStream(source);
  const temp = join(
    state.local,
    `.${basename(source).slice(0, 200)}.deployer-${crypto.randomUUID()}`,
  );
  try {
    await Deno.writeFile(temp, stream.pipeThrough(counting(report, state.signal)), {
      mode: info.mode & 0o777,
    });
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  report(info.size, true);
}

/**
 * `edit <remote>`: copies the remote file (or nothing, for a new one) to a private local
 * directory, runs `$EDITOR` (else `$VISUAL`, else `vi`) on it with this terminal, and
 * writes it back with the host's atomic write when, and only when, it changed (a new
 * file left empty is not created).
 *
 * @returns Whether the file was written.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../../exec/env.ts";
 * import { LocalHost } from "../../host/local.ts";
 * import { edit } from "./transfer.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/motd`, "hello\n");
 *   await using env = new Env({ interactive: false });
 *   const state = {
 *     host: env.host(new LocalHost()), console: env.console, local: dir, remote: dir,
 *     write: () => {},
 *   };
 *   assert.equal(await edit(state, "motd", "sed -i s/hello/bye/"), true);
 *   assert.equal(await Deno.readTextFile(`${dir}/motd`), "bye\n");
 *   assert.equal(await edit(state, "motd", "true"), false); // unchanged: not written
 *   assert.equal(await edit(state, "new", "true"), false); // a new file left empty
 *   assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["motd"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function edit(state: ScpState, path: string, editor?: string): Promise<boolean> {
  const remote = await remotePath(state, path);
  const exists = await state.host.exists(remote);
  const before = exists ? await state.host.readFile(remote) : new Uint8Array();
  const dir = await Deno.makeTempDir({ prefix: "deployer-edit-" });
  try {
    const local = join(dir, basename(remote).slice(0, 200) || "file");
    await Deno.writeFile(local, before, { mode: 0o600 });
    const command = editor ?? Deno.env.get("EDITOR") ?? Deno.env.get("VISUAL") ?? "vi";
    const status = await new Deno.Command("sh", {
      args: ["-c", `${command} "$1"`, "sh", local],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (!status.success) {
      throw new Error(`The editor (${command}) ended with exit code ${status.code}: not written`);
    }
    const after = await Deno.readFile(local);
    if (after.length === before.length && after.every((b, i) => b === before[i])) {
      state.write(`${shown(remote)} unchanged, not written\n`);
      return false;
    }
    await state.host.writeFile(remote, after);
    state.write(`Written ${shown(remote)} (${after.length} bytes)\n`);
    return true;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

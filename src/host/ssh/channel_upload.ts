/**
 * The data of a large upload as one raw stream: `cat > <temporary file>` on an exec channel
 * of the same connection, instead of SFTP write requests. Each byte then costs one SSH
 * packet and no SFTP framing, request or answer, and the local file is read into two
 * buffers that are used again and again. The shell creates the temporary file; the SFTP
 * session then checks it, sets its mode and renames it (`sftp_upload.ts`).
 *
 * @module
 */
import { esc1 } from "../../command/escape.ts";
import { ConnectionError, DeployerError } from "../../errors.ts";
import type { ExecOptions, FileData, RunningCommand } from "../connection.ts";
import { LocalFileStream } from "../local_file_data.ts";

/** Starts a command on the connection (its `exec`). */
export type Exec = (command: string, options?: ExecOptions) => Promise<RunningCommand>;

/**
 * Bytes per channel write (and per read of a local file): measured against 1 MiB, the
 * same CPU and ~1.5 MiB less peak RSS for a 100 MiB upload; smaller pieces cost CPU.
 */
const PIECE = 512 * 1024;
/** What the probe prints when `sh` runs commands and `cat` exists. */
const MARK = "deployer-stream-ok";

/**
 * Whether the server runs shell commands that have `cat`: false for an SFTP-only account
 * (`ForceCommand internal-sftp` runs sftp-server instead, which prints nothing), or when
 * the command cannot be started.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "../local.ts";
 * import { canStream } from "./channel_upload.ts";
 * const connection = await new LocalHost().connect({
 *   interactive: false,
 *   confirm: () => Promise.resolve(false),
 * });
 * try {
 *   assert.equal(await canStream((command, options) => connection.exec(command, options)), true);
 * } finally {
 *   await connection.close();
 * }
 * ```
 */
export async function canStream(exec: Exec): Promise<boolean> {
  let out = "";
  const decoder = new TextDecoder();
  try {
    const proc = await exec(`sh -c 'command -v cat >/dev/null && echo ${MARK}'`, {
      onStdout: (chunk) => void (out += decoder.decode(chunk, { stream: true })),
    });
    await proc.closeStdin();
    const status = await proc.status;
    return status.code === 0 && out.includes(MARK);
  } catch {
    return false;
  }
}

/**
 * Yields the bytes of `data` in pieces of up to 512 KiB. A local file is read into two
 * buffers in turn, so a piece must be used up (written) before the one after the next is
 * read; any other stream's chunks are passed on as they are.
 */
async function* piecesOf(data: FileData): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) {
    for (let at = 0; at < data.length; at += PIECE) yield data.subarray(at, at + PIECE);
    return;
  }
  if (data instanceof LocalFileStream) {
    const buffers = [new Uint8Array(PIECE), new Uint8Array(PIECE)];
    for (let turn = 0, n; (n = await data.readInto(buffers[turn])) !== null; turn ^= 1) {
      yield buffers[turn].subarray(0, n);
    }
    return;
  }
  const reader = data.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (value.length) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Creates the file `path` (mode 0600; fails if it exists) and writes `data`, then `tail`,
 * into it with `cat` on a new exec channel; resolves when `cat` has exited 0 (every byte is
 * in the file). Writes wait for the server's window,
 * so at most two pieces are held here. Fails with a {@linkcode ConnectionError} when the
 * channel closes without an exit status (the connection was lost), with a
 * {@linkcode DeployerError} naming the host, the path and `cat`'s message when it fails, and
 * with the source's own error when reading `data` fails (then `cat` gets EOF and ends).
 * When `signal` aborts, `cat` is killed (its channel closed when it does not end), reading
 * stops, and the promise rejects with the signal's reason once `cat` has ended; the caller
 * removes the partial file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "../local.ts";
 * import { streamFile } from "./channel_upload.ts";
 * const connection = await new LocalHost().connect({
 *   interactive: false,
 *   confirm: () => Promise.resolve(false),
 * });
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/upload-0a1b`;
 * try {
 *   const exec = (command: string) => connection.exec(command);
 *   await streamFile(exec, "local", path, new TextEncoder().encode("hello\n"));
 *   assert.equal(await Deno.readTextFile(path), "hello\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 *   await connection.close();
 * }
 * ```
 */
export async function streamFile(
  exec: Exec,
  host: string,
  path: string,
  data: FileData,
  tail: Uint8Array = new Uint8Array(),
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  let stderr = "";
  const decoder = new TextDecoder();
  // The shell creates the file (noclobber: O_EXCL, never through a link) and `cat` writes
  // through that one descriptor. A random hex end of the name goes on stdin, not in argv.
  const hidden = /-([0-9a-f]+)$/.exec(path)?.[1] ?? "";
  const shown = path.slice(0, path.length - hidden.length);
  const proc = await exec(
    `sh -c 'IFS= read -r n && umask 077 && set -C && exec cat > "$1$n"' deployer-upload ` +
      `'${esc1(shown)}'`,
    {
      onStderr: (chunk) =>
        void (stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-2000)),
    },
  );
  let ended = false;
  const status = proc.status.finally(() => (ended = true));
  // Stopped: `cat` is killed before anything could end its input (EOF would let it end
  // well, with a partial file); the writes waiting for the window then fail.
  const stop = () => proc.kill();
  if (signal?.aborted) stop();
  else signal?.addEventListener("abort", stop, { once: true });
  let refused = false; // a write failed: the channel closed under it
  let complete = false;
  let writing: Promise<void> = proc.write(`${hidden}\n`).catch(() => void (refused = true));
  try {
    for await (const piece of piecesOf(data)) {
      await writing; // the piece before it is sent: its buffer is free for the next read
      if (ended || refused || signal?.aborted) break;
      writing = proc.write(piece).catch(() => void (refused = true));
    }
    await writing;
    if (tail.length && !ended && !refused && !signal?.aborted) {
      await proc.write(tail).catch(() => (refused = true));
    }
    complete = !ended && !refused;
  } catch (error) {
    // The source failed: `cat` gets EOF and ends; the caller removes the partial file.
    await writing;
    if (!signal?.aborted) await proc.closeStdin();
    await status;
    signal?.removeEventListener("abort", stop);
    signal?.throwIfAborted();
    throw error;
  }
  if (signal?.aborted) {
    await status;
    signal.removeEventListener("abort", stop);
    signal.throwIfAborted();
  }
  signal?.removeEventListener("abort", stop);
  await proc.closeStdin();
  const { code, signal: killedBy } = await status;
  if (code === 0 && complete) return;
  if (code === null && !killedBy) throw lost(host, path);
  const why = stderr.trim().split("\n").pop() ||
    (killedBy ? `cat ended by ${killedBy}` : `cat exited with ${code}`);
  throw new DeployerError(`Cannot write "${path}" on host "${host}": ${why}`);
}

function lost(host: string, path: string): ConnectionError {
  return new ConnectionError(host, `the connection was lost while writing "${path}"`);
}

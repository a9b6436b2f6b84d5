/**
 * Whole-directory transfers, `putDir` and `getDir`: one tar stream over one command when
 * both ends have `tar` (found out once per host and environment), pipelined SFTP file
 * transfers otherwise. Modes are kept; the new tree is built in a temporary directory
 * next to the target and replaces it only when complete (see `dir_swap.ts`).
 *
 * @module
 */
import { resolve as resolveLocal } from "node:path";
import { DeployerError } from "../errors.ts";
import type { Connection } from "./connection.ts";
import { cleanRemote, explain, failure, finish, start, useTar } from "./_dir_exec.ts";
import { removeLocalTree, removeTreeScript, shellWord, swapLocal, swapScript } from "./dir_swap.ts";
import { getDirSftp, type LocalTree, putDirSftp, walkLocal } from "./dir_sftp.ts";
import { refuseNul, tempPath, uploadName } from "./file_names.ts";
import { fileEvent, type FileTarget } from "./files.ts";

/** Options of `putDir` / `getDir`. */
export interface DirTransferOptions {
  /** Called as bytes move: bytes so far and the expected total (when known). */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Stops the transfer; nothing is left behind. */
  signal?: AbortSignal;
  /** `"tar"` or `"sftp"` forces a method; `"auto"` (default) uses tar when both ends have it. */
  via?: "auto" | "tar" | "sftp";
  /**
   * `putDir` only: install as root. The tree is uploaded to a private directory in the
   * login home, then copied next to the target with `sudo tar` (files owned by root, modes
   * kept) and swapped in the same way.
   */
  useSudo?: boolean;
}

/** Stops a transfer's two ends: the remote command and the local `tar`. */
interface Stopper extends Disposable {
  /** Kills both ends now (an end that already ended is left alone). */
  stop(): void;
}

/** Kills both ends of a transfer when `signal` aborts, until disposed. */
function stopOnAbort(
  signal: AbortSignal | undefined,
  command: { kill(): void },
  child: Deno.ChildProcess,
): Stopper {
  const stop = () => {
    command.kill();
    try {
      child.kill();
    } catch { /* already ended */ }
  };
  signal?.addEventListener("abort", stop, { once: true });
  return { stop, [Symbol.dispose]: () => signal?.removeEventListener("abort", stop) };
}

/**
 * Uploads the local directory `local` as the remote directory `remote` (absolute).
 * An existing `remote` directory is replaced (not merged) once the new tree is complete.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { putDir } from "./dir_transfer.ts";
 * import { LocalHost } from "./local.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src`);
 *   await Deno.writeTextFile(`${dir}/src/a b`, "x");
 *   await using env = new Env({ interactive: false });
 *   await putDir(env.host(new LocalHost()), `${dir}/src`, `${dir}/dst`);
 *   assert.equal(await Deno.readTextFile(`${dir}/dst/a b`), "x");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function putDir(
  target: FileTarget,
  local: string,
  remote: string,
  options: DirTransferOptions = {},
): Promise<void> {
  refuseNul(target.slug, "upload to", remote);
  const what = `upload directory "${local}" to "${remote}"`;
  const services = target.services;
  const tree = await walkLocal(local).catch((error) => {
    throw failure(target, what, error instanceof Error ? error.message : String(error), error);
  });
  if (services.sandbox) {
    const how = options.useSudo ? "(sudo) " : "";
    services.recordPlan(target.slug, `${how}put directory ${local} -> ${remote}`);
    services.emit(fileEvent(target, "put", remote, { localPath: local, ok: true }));
    return;
  }
  const connection = await services.connection(target.definition);
  const sudo = options.useSudo ?? false;
  // With sudo, the tree goes to a private directory in the login home first.
  const destination = sudo ? `${await connection.home()}/${uploadName()}` : remote;
  const temp = tempPath(destination);
  try {
    if (await useTar(target, connection, options.via ?? "auto")) {
      await putViaTar(target, connection, local, destination, temp, tarSize(tree), options);
    } else {
      await putDirSftp(connection, tree, destination, temp, options);
      const swap = swapScript(temp, destination, tempPath(destination));
      const { command, stderr } = await start(connection, swap);
      await command.closeStdin();
      const finished = await finish(command, stderr);
      if (finished.code !== 0) throw failure(target, what, explain(finished));
    }
    if (sudo) await installWithSudo(target, destination, remote, what);
    services.emit(
      fileEvent(target, "put", remote, { localPath: local, bytes: tree.bytes, ok: true, sudo }),
    );
  } catch (error) {
    await cleanRemote(connection, temp);
    services.emit(fileEvent(target, "put", remote, { localPath: local, ok: false, error, sudo }));
    if (error instanceof DeployerError) throw error;
    throw failure(target, what, error instanceof Error ? error.message : String(error), error);
  } finally {
    if (sudo) await cleanRemote(connection, destination);
  }
}

/**
 * Copies the uploaded tree `upload` to `remote` as root (files owned by root, modes kept),
 * through a temporary directory next to `remote` and the same swap.
 */
async function installWithSudo(
  target: FileTarget,
  upload: string,
  remote: string,
  what: string,
): Promise<void> {
  const temp = tempPath(remote);
  const [u, t] = [shellWord(upload), shellWord(temp)];
  const script = `umask 077; mkdir -- ${t} || exit 1; ` +
    `(cd -- ${u} && tar -c -f - .) | tar -x -p -o -f - -C ${t} || { rm -rf -- ${t}; exit 1; }; ` +
    swapScript(temp, remote, tempPath(remote));
  const result = await target.sudo(script, { silent: true, sandbox: false, noThrow: true });
  if (result.code !== 0) {
    await target.sudo(`rm -rf -- ${t}`, { silent: true, sandbox: false, noThrow: true });
    throw failure(
      target,
      `${what} (with sudo)`,
      explain({ code: result.code, stderr: result.stderr }),
    );
  }
}

/** The size of the tar stream of a tree: a header per entry, data in 512-byte blocks. */
function tarSize(tree: LocalTree): number {
  let blocks = 1 + 2; // "./" and the two end blocks
  for (const entry of tree.entries) blocks += 1 + Math.ceil(entry.size / 512);
  return Math.ceil((blocks * 512) / 10240) * 10240; // whole 10 KiB records
}

async function putViaTar(
  target: FileTarget,
  connection: Connection,
  local: string,
  remote: string,
  temp: string,
  total: number,
  options: DirTransferOptions,
): Promise<void> {
  const script = `umask 077; mkdir -- ${shellWord(temp)} || exit 1; ` +
    `tar -x -p -o -f - -C ${shellWord(temp)} || { ${removeTreeScript(temp)}; exit 1; }; ` +
    swapScript(temp, remote, tempPath(remote));
  const { command, stderr } = await start(connection, script);
  const child = new Deno.Command("tar", {
    args: ["-c", "-f", "-", "-C", local, "."],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  using stopper = stopOnAbort(options.signal, command, child);
  const localErr = new Response(child.stderr).text();
  try {
    let sent = 0;
    const estimate = total;
    for await (const chunk of child.stdout) {
      options.signal?.throwIfAborted();
      await command.write(chunk);
      sent += chunk.length;
      options.onProgress?.(Math.min(sent, estimate), estimate);
    }
    await command.closeStdin();
    const [localStatus, finished] = await Promise.all([child.status, finish(command, stderr)]);
    options.signal?.throwIfAborted();
    if (!localStatus.success) {
      throw failure(target, `read "${local}"`, await localErr);
    }
    if (finished.code !== 0) {
      throw failure(target, `upload directory "${local}" to "${remote}"`, explain(finished));
    }
    options.onProgress?.(estimate, estimate);
  } catch (error) {
    stopper.stop();
    await child.status;
    throw error;
  }
}

/**
 * Downloads the remote directory `remote` (absolute) as the local directory `local`.
 * An existing local directory is replaced (not merged) once the new tree is complete.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { getDir } from "./dir_transfer.ts";
 * import { LocalHost } from "./local.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src`);
 *   await Deno.writeTextFile(`${dir}/src/-x`, "y");
 *   await using env = new Env({ interactive: false });
 *   await getDir(env.host(new LocalHost()), `${dir}/src`, `${dir}/copy`);
 *   assert.equal(await Deno.readTextFile(`${dir}/copy/-x`), "y");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function getDir(
  target: FileTarget,
  remote: string,
  local: string,
  options: DirTransferOptions = {},
): Promise<void> {
  refuseNul(target.slug, "download", remote);
  const services = target.services;
  const connection = await services.connection(target.definition);
  const full = resolveLocal(local);
  const temp = tempPath(full);
  try {
    await Deno.mkdir(temp, { mode: 0o700 });
    let bytes: number;
    if (await useTar(target, connection, options.via ?? "auto")) {
      bytes = await getViaTar(target, connection, remote, temp, options);
    } else {
      bytes = await getDirSftp(connection, remote, temp, options);
    }
    await swapLocal(temp, full, tempPath(full));
    services.emit(fileEvent(target, "get", remote, { localPath: local, bytes, ok: true }));
  } catch (error) {
    await removeLocalTree(temp).catch(() => {});
    services.emit(fileEvent(target, "get", remote, { localPath: local, ok: false, error }));
    if (error instanceof DeployerError) throw error;
    const what = `download directory "${remote}" to "${local}"`;
    throw failure(target, what, error instanceof Error ? error.message : String(error), error);
  }
}

async function getViaTar(
  target: FileTarget,
  connection: Connection,
  remote: string,
  temp: string,
  options: DirTransferOptions,
): Promise<number> {
  const child = new Deno.Command("tar", {
    args: ["-x", "-p", "-o", "-f", "-", "-C", temp],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const localErr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  let received = 0;
  let total: number | undefined;
  let writing: Promise<void> = Promise.resolve();
  let broken: unknown;
  const script = `cd -- ${shellWord(remote)} || exit 1; ` +
    `printf 'size %s\\n' "$(du -sk . 2>/dev/null | cut -f1)" >&2; tar -c -f - .`;
  const { command, stderr } = await start(connection, script, (chunk) => {
    received += chunk.length;
    if (total === undefined) {
      const size = /^size (\d+)/.exec(stderr());
      if (size) total = Number(size[1]) * 1024 + 1024;
    }
    options.onProgress?.(total ? Math.min(received, total) : received, total);
    // A local tar that ended early (failed, or stopped) breaks the pipe: noted, not thrown
    // here, so that no rejection is left unhandled while the remote side still sends.
    writing = writing.then(() => writer.write(chunk)).catch((error) => {
      broken ??= error;
      command.kill();
    });
  });
  using stopper = stopOnAbort(options.signal, command, child);
  try {
    await command.closeStdin();
    const finished = await finish(command, stderr);
    options.signal?.throwIfAborted();
    await writing;
    if (broken !== undefined) {
      throw failure(target, `unpack into "${temp}"`, await localErr || String(broken));
    }
    if (finished.code !== 0) {
      const detail = finished.stderr.replace(/^size \d*\n/, "") || `exit code ${finished.code}`;
      throw failure(target, `download directory "${remote}"`, detail);
    }
    await writer.close();
    const status = await child.status;
    if (!status.success) throw failure(target, `unpack into "${temp}"`, await localErr);
    return received;
  } catch (error) {
    stopper.stop();
    await writing.catch(() => {});
    await writer.abort().catch(() => {});
    await child.status;
    throw error;
  }
}

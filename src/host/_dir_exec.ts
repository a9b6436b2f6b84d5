/**
 * Helpers of `dir_transfer.ts` (private to it): remote scripts on a connection, the tar
 * check, errors and clean-up.
 *
 * @module
 */
import { DeployerError } from "../errors.ts";
import type { Connection, RunningCommand } from "./connection.ts";
import { NOT_A_DIRECTORY, removeTreeScript, shellWord } from "./dir_swap.ts";
import type { FileTarget } from "./files.ts";

const REMOTE_TAR = "dir-transfer:remote-tar";
const LOCAL_TAR = "dir-transfer:local-tar";

async function localHasTar(): Promise<boolean> {
  try {
    const out = await new Deno.Command("tar", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** What a remote script printed on stderr and how it ended. */
export interface Finished {
  code: number | null;
  stderr: string;
}

/** Waits for a started script to end. */
export async function finish(command: RunningCommand, stderr: () => string): Promise<Finished> {
  const status = await command.status;
  return { code: status.code, stderr: stderr() };
}

/** Starts POSIX shell text on a connection (as `sh -c`), keeping the end of its stderr. */
export async function start(
  connection: Connection,
  script: string,
  onStdout?: (chunk: Uint8Array) => void,
): Promise<{ command: RunningCommand; stderr: () => string }> {
  let text = "";
  const decoder = new TextDecoder();
  const command = await connection.exec(`sh -c ${shellWord(script)}`, {
    onStdout,
    onStderr: (chunk) =>
      void (text = (text + decoder.decode(chunk, { stream: true })).slice(-4000)),
  });
  return { command, stderr: () => text };
}

/** Whether to use tar: forced by `via`, else both ends have it (asked once per host and Env). */
export async function useTar(
  target: FileTarget,
  connection: Connection,
  via: string,
): Promise<boolean> {
  if (via !== "auto") return via === "tar";
  const memo = target.services.memo(target.definition);
  if (!memo.has(LOCAL_TAR)) memo.set(LOCAL_TAR, localHasTar());
  if (!memo.has(REMOTE_TAR)) {
    memo.set(
      REMOTE_TAR,
      start(connection, "command -v tar >/dev/null 2>&1").then(async ({ command }) => {
        await command.closeStdin();
        return (await command.status).code === 0;
      }),
    );
  }
  return await (memo.get(LOCAL_TAR) as Promise<boolean>) &&
    await (memo.get(REMOTE_TAR) as Promise<boolean>);
}

/** The error of a failed transfer: what, on which host, and the last lines of stderr. */
export function failure(
  target: FileTarget,
  what: string,
  detail: string,
  cause?: unknown,
): DeployerError {
  const text = detail.trim().split("\n").slice(-5).join("\n");
  return new DeployerError(`Cannot ${what} on host "${target.slug}"${text ? `: ${text}` : ""}`, {
    cause,
  });
}

/** The reason a transfer script gave. */
export function explain(finished: Finished): string {
  return finished.code === NOT_A_DIRECTORY ? "the target exists and is not a directory" : (
    finished.stderr || `exit code ${finished.code}`
  );
}

/** Removes a remote tree, quietly (best effort: the connection may be gone). */
export async function cleanRemote(connection: Connection, path: string): Promise<void> {
  try {
    const { command } = await start(connection, removeTreeScript(path));
    await command.closeStdin();
    await command.status;
  } catch {
    // The connection is gone: nothing more can be done from here.
  }
}

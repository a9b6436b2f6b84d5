/**
 * Whether a unix socket path has a live server behind it.
 *
 * @module
 */

/** What is at a socket path: nothing, a live server, a socket nobody listens on, or a file. */
export type SocketState = "missing" | "live" | "stale" | "other";

/**
 * Probes `path`: a socket that refuses connections is `stale` (its server died without
 * removing it).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeSocket } from "./probe.ts";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await probeSocket(`${dir}/none.sock`), "missing");
 * const listener = Deno.listen({ transport: "unix", path: `${dir}/a.sock` });
 * assert.equal(await probeSocket(`${dir}/a.sock`), "live");
 * listener.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function probeSocket(path: string): Promise<SocketState> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
  if (!info.isSocket) return "other";
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
    return "live";
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused || error instanceof Deno.errors.NotFound) {
      return "stale";
    }
    throw error;
  }
}

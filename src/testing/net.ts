/**
 * TCP helpers for tests: a free port, and a server that accepts connections but never
 * speaks (to test connect and handshake timeouts).
 *
 * @module
 */

/**
 * Finds a TCP port on 127.0.0.1 that is free right now (the OS picks it; another process
 * may still take it before you bind it, so retry on "address in use").
 *
 * @returns A port number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { freePort } from "./net.ts";
 * const port = await freePort();
 * assert.ok(port > 0);
 * assert.ok(port < 65536);
 * ```
 */
export async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await Promise.resolve();
  return port;
}

/** A running {@linkcode startSilentServer} server. */
export interface SilentServer extends AsyncDisposable {
  /** The port it listens on (on 127.0.0.1). */
  readonly port: number;
}

/**
 * Starts a TCP server on 127.0.0.1 that accepts every connection and never sends a byte
 * (what a black-holed or hung SSH server looks like). Dispose it to close everything.
 *
 * @returns The server; `await using` closes it and every accepted connection.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshHost } from "../host/ssh/ssh_host.ts";
 * import { startSilentServer } from "./net.ts";
 * await using server = await startSilentServer();
 * const host = new SshHost({
 *   slug: "hung", address: "127.0.0.1", port: server.port, connectTimeout: 200,
 *   configFile: false, agent: false,
 * });
 * const context = { interactive: false, confirm: () => Promise.resolve(false) };
 * await assert.rejects(host.connect(context), {
 *   name: "ConnectionError",
 *   message: /^Cannot connect to host "hung": timed out after 200 ms during SSH handshake/,
 * });
 * ```
 */
export function startSilentServer(): Promise<SilentServer> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const readers: Promise<void>[] = [];
  async function drain(conn: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(4096);
    try {
      while ((await conn.read(buffer)) !== null) {
        // discard what the client says; never answer
      }
    } catch {
      // closed by dispose
    }
    if (conns.delete(conn)) conn.close();
  }
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        readers.push(drain(conn));
      }
    } catch {
      // listener closed
    }
  })();
  let closed = false;
  return Promise.resolve({
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      if (closed) return;
      closed = true;
      listener.close();
      await accepting;
      for (const conn of conns) {
        conns.delete(conn);
        conn.close();
      }
      await Promise.all(readers);
    },
  });
}

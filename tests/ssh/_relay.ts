/**
 * A TCP relay in front of a real sshd, living in the test process, that shapes when the
 * client gets the server's bytes: to place a delay in one phase of the SSH handshake (the
 * server's banner, the key exchange after it) or to keep our own event loop busy while the
 * banner waits unread in the socket.
 */

/** How the relay passes the server's bytes to the client. */
export type RelayMode =
  /** The banner line at once, everything after it only `ms` later. */
  | { kind: "hold-after-banner"; ms: number }
  /**
   * The server's banner is read before the client connects; on accept the relay writes it
   * and then blocks the whole process (a busy loop, like CPU-bound work) for `ms`.
   */
  | { kind: "busy-after-banner"; ms: number };

/** A running relay. */
export interface Relay extends AsyncDisposable {
  /** The port on 127.0.0.1 the client connects to. */
  readonly port: number;
}

const NEWLINE = 10;

async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      await to.write(buffer.subarray(0, n));
    }
  } catch {
    // one side closed
  }
  await to.closeWrite().catch(() => {}); // already closed
}

/** Reads from `conn` until a newline was seen; returns every byte read. */
async function readBanner(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("the server closed before its banner");
    chunks.push(buffer.slice(0, n));
    if (buffer.subarray(0, n).includes(NEWLINE)) break;
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) (out.set(c, at), at += c.length);
  return out;
}

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // CPU-bound work on our side, like hundreds of key exchanges at once
  }
}

/**
 * Starts a relay on 127.0.0.1 to `target` for one connection at a time (every accepted
 * connection gets its own upstream connection).
 */
export function startRelay(target: { address: string; port: number }, mode: RelayMode): Relay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const track = (conn: Deno.Conn) => (conns.add(conn), conn);
  const connect = () => Deno.connect({ hostname: target.address, port: target.port });

  async function serve(client: Deno.Conn, ready?: Promise<[Deno.Conn, Uint8Array]>) {
    const [server, banner] = ready ? await ready : await (async () => {
      const s = track(await connect());
      return [s, await readBanner(s)] as [Deno.Conn, Uint8Array];
    })();
    const up = pump(client, server);
    await client.write(banner);
    if (mode.kind === "busy-after-banner") busy(mode.ms);
    else await new Promise((resolve) => setTimeout(resolve, mode.ms));
    await Promise.all([up, pump(server, client)]);
  }

  const accepting = (async () => {
    // busy-after-banner: the next upstream connection and its banner are ready before the
    // client connects, so that nothing but our own busy loop stands between them.
    const prepare = async (): Promise<[Deno.Conn, Uint8Array]> => {
      const s = track(await connect());
      return [s, await readBanner(s)];
    };
    let next = mode.kind === "busy-after-banner" ? prepare() : undefined;
    next?.catch(() => {});
    try {
      for await (const client of listener) {
        track(client);
        tasks.push(serve(client, next).catch(() => {}));
        if (next) (next = prepare(), next.catch(() => {}));
      }
    } catch {
      // listener closed
    }
    await next?.catch(() => {});
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await Promise.all(tasks);
    },
  };
}

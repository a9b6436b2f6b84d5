/**
 * Opening one authenticated ssh2 `Client`: our own TCP socket (Nagle off, one write per
 * turn of the event loop: `coalesced_writes.ts`), or a channel
 * forwarded through a jump host; `connectTimeout` over reaching the server (until its SSH
 * banner) and `handshakeTimeout` over each later phase (local files, key exchange,
 * authentication); retries when the server drops the connection during the handshake;
 * errors mapped to {@linkcode ConnectionError} / {@linkcode HostKeyError}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createConnection, type Socket } from "node:net";
import type { Duplex } from "node:stream";
// @ts-types="npm:@types/ssh2@1.15.6"
import { Client } from "npm:ssh2@1.17.0";
import { ConnectionError, HostKeyError } from "../../errors.ts";
import type { ConnectContext } from "../connection.ts";
import { type AuthPlan, type AuthSources, planAuth } from "./auth.ts";
import { type HostKeyCheck, type HostKeyCheckOptions, prepareHostKeyCheck } from "./host_key.ts";
import { coalesceWrites } from "./coalesced_writes.ts";
import { installChaChaPoly } from "./ssh2_chacha.ts";
import { type Phase, PhaseDeadline, watchBanner } from "./phase_deadline.ts";

/** Everything needed to open one hop. */
export interface HopTarget {
  /** The slug of the host (for messages). */
  slug: string;
  /** Address to connect to. */
  address: string;
  /** Port. */
  port: number;
  /** Credentials. */
  auth: AuthSources;
  /** Host key check, less the address and port. */
  hostKey: Omit<HostKeyCheckOptions, "slug" | "address" | "port" | "context">;
  /**
   * Deadline for reaching the server, in ms: the TCP connect (or the jump host's channel)
   * until the server's SSH banner arrived (OpenSSH's `ConnectTimeout`).
   */
  connectTimeout: number;
  /**
   * Deadline for each later phase, in ms: reading known_hosts and keys before connecting,
   * the key exchange after the banner, and authentication.
   */
  handshakeTimeout: number;
  /** Keepalive interval in ms (0 disables). */
  keepaliveInterval: number;
  /** Forward the agent to the host. */
  agentForward?: boolean;
}

const HANDSHAKE_RETRIES = 3;
const KEEPALIVE_COUNT_MAX = 2;
const FAST_CIPHER = "chacha20-poly1305@openssh.com";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openTcp(address: string, port: number): Socket {
  const socket = createConnection({ host: address, port });
  socket.setNoDelay(true);
  // The packets of one turn (a whole upload piece) in one write, not three writes each.
  return coalesceWrites(socket);
}

function openForwarded(via: Client, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut("127.0.0.1", 0, address, port, (error, stream) => {
      if (error) reject(error);
      else resolve(stream);
    });
  });
}

function describe(error: unknown, target: HopTarget, tried: readonly string[]): string {
  const where = `${target.address}:${target.port}`;
  const e = error as { code?: string; level?: string; message?: string };
  const message = e?.message ?? String(error);
  if (e?.level === "client-authentication") {
    const methods = tried.length ? tried.join(", ") : "none available";
    return `authentication failed for user "${target.auth.username}" at ${where} ` +
      `(methods tried: ${methods})`;
  }
  switch (e?.code) {
    case "ECONNREFUSED":
      return `connection refused (${where})`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return `cannot resolve address "${target.address}"`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `host unreachable (${where})`;
    case "ECONNRESET":
      return `connection reset during SSH handshake (${where})`;
  }
  if (/open failed|administratively prohibited|connect failed/i.test(message)) {
    return `the jump host could not open a connection to ${where}: ${message}`;
  }
  return `${message} (${where})`;
}

function isHandshakeDrop(error: unknown): boolean {
  const e = error as { code?: string; message?: string; level?: string };
  if (e?.level === "client-authentication" || error instanceof HostKeyError) return false;
  return e?.code === "ECONNRESET" || e?.code === "EPIPE" ||
    /before handshake|kex_exchange_identification|connection lost|closed/i.test(e?.message ?? "");
}

async function attempt(
  target: HopTarget,
  context: ConnectContext,
  via: Client | undefined,
): Promise<Client> {
  const where = `${target.address}:${target.port}`;
  const handshake = (what: string): Phase => ({
    ms: target.handshakeTimeout,
    what,
    option: "handshakeTimeout",
  });
  const reach = (what: string): Phase => ({
    ms: target.connectTimeout,
    what,
    option: "connectTimeout",
  });
  let check: HostKeyCheck | undefined;
  let accepted: Buffer | undefined;
  let plan: AuthPlan | undefined;
  const client = new Client();
  let socket: Duplex | undefined;
  let hostKeyError: HostKeyError | undefined;
  let stopWatching = () => {};
  return await new Promise<Client>((resolve, reject) => {
    let settled = false;
    const deadline = new PhaseDeadline((phase) =>
      fail(
        new ConnectionError(
          target.slug,
          `timed out after ${phase.ms} ms ${phase.what} (${where}, ${phase.option})`,
        ),
      )
    );
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      stopWatching();
      context.signal?.removeEventListener("abort", onAbort);
      client.removeAllListeners("ready");
      client.end();
      socket?.destroy();
      if (hostKeyError) return reject(hostKeyError);
      if (error instanceof ConnectionError || error instanceof HostKeyError) return reject(error);
      const wrapped = new ConnectionError(target.slug, describe(error, target, plan?.tried ?? []), {
        cause: error,
      });
      (wrapped as { retriable?: boolean }).retriable = isHandshakeDrop(error);
      reject(wrapped);
    };
    const onAbort = () => fail(new ConnectionError(target.slug, "connecting was aborted"));
    if (context.signal?.aborted) return onAbort();
    context.signal?.addEventListener("abort", onAbort, { once: true });
    // Local files first: our own work, under the generous bound.
    deadline.arm(handshake("reading known_hosts and keys"));
    client.on("error", fail);
    client.on("close", () => fail(new Error("connection closed during SSH handshake")));
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      deadline.clear();
      context.signal?.removeEventListener("abort", onAbort);
      client.removeAllListeners("error");
      client.removeAllListeners("close");
      client.on("error", () => {}); // the connection watches for drops through "close"
      // ssh2 keeps our callbacks for the life of the connection: let go of what only the
      // handshake needed.
      plan = undefined;
      socket = undefined;
      stopWatching = () => {};
      resolve(client);
    });
    // Reaching the server (connectTimeout) ends with its banner; key exchange and
    // authentication after it queue behind every other handshake on our own CPU, so they
    // have their own, generous bound (handshakeTimeout).
    client.once("connect", () => {
      deadline.rename("during SSH handshake, waiting for the server's SSH banner");
      stopWatching = watchBanner(socket!, () => {
        if (!settled) deadline.arm(handshake("during SSH handshake, in key exchange"));
      });
    });
    const start = async () => {
      context.phase?.("connecting");
      check = await prepareHostKeyCheck({
        ...target.hostKey,
        slug: target.slug,
        address: target.address,
        port: target.port,
        context,
      });
      plan = await planAuth(target.auth, context.memo);
      // Through a jump host, our connection's packets are written inside the jump
      // connection's: ssh2's own chacha20-poly1305 keeps its nonce in state shared by both
      // and writes the length before it encrypts the payload, so a nested connection
      // encrypts with the outer one's nonce and never authenticates. The methods of
      // ssh2_chacha.ts write each packet only once it is complete.
      if (via) await installChaChaPoly().catch(() => false);
      if (settled) return;
      deadline.arm(reach(via ? "opening a channel through the jump host" : "connecting"));
      socket = via
        ? await openForwarded(via, target.address, target.port)
        : openTcp(target.address, target.port);
      socket.on("error", fail);
      if (settled) return void socket.destroy();
      client.connect({
        sock: socket as never,
        username: target.auth.username,
        authHandler: plan!.handler,
        algorithms: {
          serverHostKey: check!.algorithms as never,
          // Under Deno, chacha20-poly1305 is ~1.7x faster than AES-GCM (ssh2 lists it last).
          // Through a jump host, ssh2's default order (as before); a server that offers only
          // chacha20-poly1305 works too (see installChaChaPoly above).
          ...(via ? {} : { cipher: { remove: FAST_CIPHER, prepend: FAST_CIPHER } as never }),
        },
        hostVerifier: (key: Uint8Array, verify: (ok: boolean) => void) => {
          // A re-key shows the key again: it must be the one accepted at first (asked and
          // recorded once, and no longer under any deadline).
          if (accepted) return verify(Buffer.compare(Buffer.from(key), accepted) === 0);
          deadline.clear(); // the policy may ask a person
          stopWatching();
          check!.verify(key).then(
            () => {
              accepted = Buffer.from(key);
              check = undefined; // its known_hosts lines are not needed any more
              if (!settled) {
                deadline.arm(handshake("authenticating"));
                context.phase?.("authenticating");
              }
              verify(true);
            },
            (error) => {
              hostKeyError = error instanceof HostKeyError ? error : undefined;
              verify(false);
              fail(error);
            },
          );
        },
        readyTimeout: 2 ** 31 - 1,
        keepaliveInterval: target.keepaliveInterval,
        // ssh2 pings every interval and gives up at the (countMax + 1)-th tick without
        // an answer: a silent link fails within 3 intervals (30-45 s with 15 s), not 4.
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        agent: target.agentForward ? target.auth.agent : undefined,
        agentForward: target.agentForward && !!target.auth.agent,
      } as never);
    };
    start().catch(fail);
  });
}

/**
 * Opens one authenticated client, optionally through an already open jump client.
 * `target.connectTimeout` bounds reaching the server: the TCP connect (or the jump host's
 * channel) until the server's SSH banner. `target.handshakeTimeout` bounds, each on its own
 * clock, reading known_hosts and keys, the key exchange and authentication; the time a
 * person takes to answer a host key question is not counted. A timer that fires late
 * because our own process was busy looks again once pending input was read, so a host is
 * not blamed for our CPU. Errors name the host, the phase, the address and the option.
 * Retries up to 3 times, with a short backoff, when the server closes during the handshake (sshd's
 * `MaxStartups` drops excess unauthenticated connections that way).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startSilentServer } from "../../testing/net.ts";
 * import { resolveHops } from "./resolve.ts";
 * import { openClient } from "./transport.ts";
 * await using server = await startSilentServer(); // accepts connections, never answers
 * const [target] = await resolveHops({
 *   slug: "hung", address: "127.0.0.1", port: server.port, configFile: false, agent: false,
 *   hostKeyPolicy: "strict", keepaliveInterval: 0, connectTimeout: 200,
 * });
 * const context = { interactive: false, confirm: () => Promise.resolve(false) };
 * // A live server gives an authenticated ssh2 `Client`; this one never sends its banner:
 * await assert.rejects(openClient(target, context), {
 *   name: "ConnectionError",
 *   message: /timed out after 200 ms during SSH handshake, waiting for the server's SSH banner/,
 * });
 * ```
 */
export async function openClient(
  target: HopTarget,
  context: ConnectContext,
  via?: Client,
): Promise<Client> {
  for (let retry = 0;; retry++) {
    try {
      return await attempt(target, context, via);
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable;
      if (!retriable || retry >= HANDSHAKE_RETRIES || context.signal?.aborted) throw error;
      await delay(100 * 2 ** retry);
    }
  }
}

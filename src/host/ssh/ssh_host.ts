/**
 * {@linkcode SshHost}: a machine reached over SSH (python-deployer's `SSHHost`), on
 * `npm:ssh2`, with `~/.ssh/config`, known_hosts checking, agent and jump hosts.
 *
 * @module
 */
import type { ConnectContext, Connection } from "../connection.ts";
import { Host } from "../host.ts";
import type { SshHostOptions } from "./options.ts";
import { resolveHops } from "./resolve.ts";
import { limiter } from "../limit.ts";

/**
 * A host reached over SSH. Immutable: the connection belongs to the `Env` that opens it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshHost } from "./ssh_host.ts";
 * const web1 = new SshHost({ slug: "web1", address: "10.0.0.11", username: "deploy" });
 * assert.equal(web1.slug, "web1");
 * assert.equal(web1.port, undefined);
 * ```
 */
export class SshHost extends Host {
  /** Port, when given explicitly. */
  readonly port: number | undefined;
  /** Default command timeout in ms, when given. */
  readonly commandTimeout: number | undefined;
  /** The options this host was defined with. */
  readonly options: Readonly<SshHostOptions>;
  #gate: <T>(task: () => Promise<T>) => Promise<T>;
  readonly #leftovers = new Set<string>();

  /** Defines a host. */
  constructor(options: SshHostOptions) {
    super({ ...options, slug: options.slug ?? options.address });
    this.port = options.port;
    this.commandTimeout = options.commandTimeout;
    this.options = Object.freeze({ ...options, knownHostsFiles: options.knownHostsFiles?.slice() });
    this.#gate = limiter(options.maxConnectConcurrency ?? 10);
  }

  /** Opens the SSH connection (rejects with `ConnectionError` or `HostKeyError`). */
  async connect(context: ConnectContext): Promise<Connection> {
    const o = this.options;
    const hops = await resolveHops({
      ...o,
      slug: this.slug,
      hostKeyPolicy: o.hostKeyPolicy ?? (context.interactive ? "ask" : "strict"),
      keepaliveInterval: o.keepaliveInterval ?? 15_000,
    }, context);
    context.progress?.(`Connecting to ${this.slug}`);
    // ssh2 loads on the first connection, not when a script defines its hosts.
    const { SshConnection } = await import("./connection.ts");
    const connection = new SshConnection(
      {
        slug: this.slug,
        hops,
        maxSessions: o.maxSessions,
        gate: this.#gate,
        leftovers: this.#leftovers,
      },
      context,
    );
    return await connection.open();
  }
}

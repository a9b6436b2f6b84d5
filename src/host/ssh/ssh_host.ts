/**
 * {@linkcode SshHost}: a machine reached over SSH (python-deployer's `SSHHost`), on
 * `npm:ssh2`, with `~/.ssh/config`, known_hosts checking, agent and jump hosts.
 *
 * @module
 */
import type { ConnectContext, Connection } from "../connection.ts";
import { Host } from "../host.ts";
import { SshConnection } from "./connection.ts";
import type { HostKeyPolicy } from "./host_key.ts";
import { resolveHops } from "./resolve.ts";

/** How to reach a host over SSH. Explicit options win over `~/.ssh/config`. */
export interface SshHostOptions {
  /** Short unique name; defaults to `address`. */
  slug?: string;
  /** Address or `~/.ssh/config` alias (its `HostName` is then used). */
  address: string;
  /** Port (config `Port`, else 22). */
  port?: number;
  /** Login user (config `User`, else the local user). */
  username?: string;
  /** Password for password auth and for `sudo`. Never logged. */
  password?: string;
  /** Private key file. */
  keyFile?: string;
  /** Private key text (PEM or OpenSSH). */
  key?: string;
  /** Passphrase of the key. */
  passphrase?: string;
  /** Agent: `false` for none, a socket path, or `true` / unset for `$SSH_AUTH_SOCK`. */
  agent?: boolean | string;
  /** Forward the agent to the host. */
  agentForward?: boolean;
  /** SSH config file (default `~/.ssh/config`); `false` ignores it. */
  configFile?: string | false;
  /** Project known_hosts files, read after `~/.ssh/known_hosts`; new keys go to the first. */
  knownHostsFiles?: string[];
  /**
   * Unknown host keys: `strict` refuses, `accept-new` records them, `ask` asks. Default:
   * `ask` when the connect context is interactive, else `strict`. Changed keys are always
   * refused.
   */
  hostKeyPolicy?: HostKeyPolicy;
  /** Keepalive interval in ms (default 15000; 0 disables). */
  keepaliveInterval?: number;
  /** Deadline for connect + handshake + auth, in ms (config `ConnectTimeout`, else 10000). */
  connectTimeout?: number;
  /** Default timeout for commands on this host, in ms. */
  commandTimeout?: number;
  /**
   * Most connection set-ups (TCP + handshake + auth) to this host at once, across every Env
   * using this definition (sshd's `MaxStartups` drops excess unauthenticated connections).
   * Default 10.
   */
  maxConnectConcurrency?: number;
  /**
   * Most session channels (commands, shells) open at once on one connection; more wait.
   * Default 8 (sshd's `MaxSessions` is 10, and the SFTP session takes one).
   */
  maxSessions?: number;
  /** Jump hosts (`[user@]host[:port],...`), like ssh's `-J`; `none` ignores the config's. */
  proxyJump?: string;
}

/**
 * A host reached over SSH. Immutable: the connection belongs to the `Env` that opens it.
 *
 * @example Usage
 * ```ts
 * import { SshHost } from "./ssh_host.ts";
 * const web1 = new SshHost({ slug: "web1", address: "10.0.0.11", username: "deploy" });
 * console.assert(web1.slug === "web1" && web1.port === undefined);
 * ```
 */
export class SshHost extends Host {
  /** Port, when given explicitly. */
  readonly port: number | undefined;
  /** Default command timeout in ms, when given. */
  readonly commandTimeout: number | undefined;
  /** The options this host was defined with. */
  readonly options: Readonly<SshHostOptions>;
  #gate: Gate;

  /** Defines a host. */
  constructor(options: SshHostOptions) {
    super({ ...options, slug: options.slug ?? options.address });
    this.port = options.port;
    this.commandTimeout = options.commandTimeout;
    this.options = Object.freeze({ ...options, knownHostsFiles: options.knownHostsFiles?.slice() });
    this.#gate = gate(options.maxConnectConcurrency ?? 10);
  }

  /** Opens the SSH connection (rejects with `ConnectionError` or `HostKeyError`). */
  async connect(context: ConnectContext): Promise<Connection> {
    const o = this.options;
    const hops = await resolveHops({
      ...o,
      slug: this.slug,
      hostKeyPolicy: o.hostKeyPolicy ?? (context.interactive ? "ask" : "strict"),
      keepaliveInterval: o.keepaliveInterval ?? 15_000,
    });
    context.progress?.(`Connecting to ${this.slug}`);
    const connection = new SshConnection(
      { slug: this.slug, hops, maxSessions: o.maxSessions, gate: this.#gate },
      context,
    );
    return await connection.open();
  }
}

type Gate = <T>(task: () => Promise<T>) => Promise<T>;

function gate(limit: number): Gate {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

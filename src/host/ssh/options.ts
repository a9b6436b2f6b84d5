/**
 * The options of an `SshHost`.
 *
 * @module
 */
import type { HostKeyPolicy } from "./host_key.ts";

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
  /** Password for `sudo` when it differs from `password` (e.g. key login). Never logged. */
  sudoPassword?: string;
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
  /**
   * Deadline in ms (config `ConnectTimeout`, else 10000) for reaching the server, like
   * OpenSSH's `ConnectTimeout`: the TCP connect (or the jump host's channel) until the
   * server's SSH banner arrived. Time our own process spends busy (hundreds of handshakes
   * at once) does not count against the server.
   */
  connectTimeout?: number;
  /**
   * Deadline in ms for each step of connecting that is not reaching the server: reading the
   * SSH config, known_hosts and keys; the key exchange after the banner; authentication
   * (asking a person about a host key is not timed). Default: 60000, or `connectTimeout`
   * when that is longer. A server that stalls mid-handshake fails with an error naming the
   * host and the step.
   */
  handshakeTimeout?: number;
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

/**
 * Host definitions: immutable descriptions of a machine. Connections to them belong to
 * an `Env`; nodes use them through bound handles (`this.host`, `this.hosts`).
 *
 * @module
 */
import { type ConnectContext, type Connection, HOST_BRAND } from "./connection.ts";

/** What every host definition has. */
export interface HostOptions {
  /** Short unique name used in logs, prompts and `:slug` navigation. */
  slug?: string;
  /** Network address (or `localhost`). */
  address?: string;
  /** Login user name (defaults depend on the kind of host). */
  username?: string;
  /** Password for `sudo` (and SSH password auth). Never logged. */
  password?: string;
  /** Password for `sudo` when it differs from `password` (e.g. key login). Never logged. */
  sudoPassword?: string;
}

/**
 * The base of every host definition. A host is immutable: it describes where and how to
 * connect; the {@linkcode Connection} lives in an `Env`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalHost } from "./local.ts";
 * const host = new LocalHost({ slug: "local1" });
 * assert.equal(host.slug, "local1");
 * ```
 */
export abstract class Host {
  /** Short unique name used in logs and navigation. */
  readonly slug: string;
  /** Network address. */
  readonly address: string;
  /** Login user name, when known up front. */
  readonly username: string | undefined;
  /** Password used for `sudo` when given; otherwise asked once per Env. */
  readonly password: string | undefined;
  /** Password for `sudo` when it differs from `password`. */
  readonly sudoPassword: string | undefined;

  /** Creates a definition. */
  constructor(options: HostOptions & { slug: string; address: string }) {
    this.slug = options.slug;
    this.address = options.address;
    this.username = options.username;
    this.password = options.password;
    this.sudoPassword = options.sudoPassword;
  }

  /** Brand recognised by every copy of deployer (never use `instanceof` across copies). */
  get [HOST_BRAND](): true {
    return true;
  }

  /** Opens a connection. Called by an `Env`, at most once per host at a time. */
  abstract connect(context: ConnectContext): Promise<Connection>;

  /** A short description for logs and errors. */
  toString(): string {
    return `${this.constructor.name}(${this.slug})`;
  }
}

/**
 * Whether a value is a host definition from any copy of deployer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHost } from "./host.ts";
 * import { LocalHost } from "./local.ts";
 * assert.ok(isHost(new LocalHost()));
 * assert.ok(!isHost({ slug: "x" }));
 * ```
 */
export function isHost(value: unknown): value is Host {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[HOST_BRAND] === true;
}

/**
 * Turning `SshHost` options plus `~/.ssh/config` into the hops to connect through.
 * Explicit options win over config values.
 *
 * @module
 */
import { ConnectionError } from "../../errors.ts";
import type { ConnectContext } from "../connection.ts";
import type { SshHostOptions } from "./options.ts";
import type { HostKeyPolicy } from "./host_key.ts";
import { withDeadline } from "./local_file.ts";
import {
  parseProxyJump,
  resolveSshConfig,
  SshConfigError,
  type SshConfigValues,
} from "./ssh_config.ts";
import type { HopTarget } from "./transport.ts";
import { exists } from "../_fs.ts";

/** The options of an `SshHost` that matter for connecting, with defaults applied. */
export type SshTargetOptions =
  & Omit<SshHostOptions, "slug" | "hostKeyPolicy" | "keepaliveInterval" | "knownHostsFiles">
  & {
    /** Slug (for messages). */
    slug: string;
    /** Host key policy for this connect. */
    hostKeyPolicy: HostKeyPolicy;
    /** Keepalive interval (ms). */
    keepaliveInterval: number;
    /** Extra known_hosts files (new keys are appended to the first). */
    knownHostsFiles?: readonly string[];
  };

const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_HANDSHAKE_TIMEOUT = 60_000;
const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: treat as unset
  }
}

interface Resolving {
  readonly options: SshTargetOptions;
  readonly home: string | undefined;
  readonly memo: Map<string, unknown> | undefined;
  readonly localUser: string;
  /** What is being done now (for the timeout message). */
  step: string;
}

async function configFor(host: string, r: Resolving): Promise<SshConfigValues> {
  const { options, home } = r;
  if (options.configFile === false || !home && !options.configFile) return { identityFiles: [] };
  const file = options.configFile ?? `${home}/.ssh/config`;
  r.step = `reading the SSH config ${file}`;
  try {
    const source = { file, home: home ?? "/", memo: r.memo, localUser: r.localUser };
    return await resolveSshConfig(host, source);
  } catch (error) {
    if (!(error instanceof SshConfigError)) throw error;
    throw new ConnectionError(options.slug, `bad SSH config: ${error.message}`, { cause: error });
  }
}

async function identities(values: SshConfigValues, r: Resolving): Promise<string[]> {
  const home = r.home;
  if (values.identityFiles.length) return values.identityFiles;
  if (!home) return [];
  r.step = `looking for keys in ${home}/.ssh`;
  const found: string[] = [];
  for (const name of DEFAULT_IDENTITIES) {
    if (await exists(`${home}/.ssh/${name}`)) found.push(`${home}/.ssh/${name}`);
  }
  return found;
}

function agentSocket(options: SshTargetOptions, values: SshConfigValues): string | undefined {
  if (options.agent === false) return undefined;
  if (typeof options.agent === "string") return options.agent;
  if (values.identityAgent) {
    if (values.identityAgent.toLowerCase() === "none") return undefined;
    if (values.identityAgent !== "SSH_AUTH_SOCK") return values.identityAgent;
  }
  return env("SSH_AUTH_SOCK") || undefined;
}

/** `handshakeTimeout`: as given, else 60 s or the connect timeout when that is longer. */
function handshakeTimeout(options: SshTargetOptions, connectTimeout: number): number {
  return options.handshakeTimeout ?? Math.max(DEFAULT_HANDSHAKE_TIMEOUT, connectTimeout);
}

/**
 * Resolves the hops (jump hosts first, the host last) for connecting to a host. Reading
 * the SSH config is local work, bounded like the rest of the handshake (`handshakeTimeout`,
 * else 60 s or `connectTimeout` when longer) and by `context.signal`; `context.memo` keeps
 * the parsed config for the run. Rejects with `ConnectionError` on a malformed config (file
 * and line), a timeout or an abort.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveHops } from "./resolve.ts";
 * const hops = await resolveHops({
 *   slug: "web1", address: "127.0.0.1", port: 2222, username: "deploy", configFile: false,
 *   agent: false, hostKeyPolicy: "strict", keepaliveInterval: 15000,
 * });
 * assert.equal(hops.length, 1);
 * assert.equal(hops[0].port, 2222);
 * ```
 */
export function resolveHops(
  options: SshTargetOptions,
  context?: Pick<ConnectContext, "signal" | "memo">,
): Promise<HopTarget[]> {
  const r: Resolving = {
    options,
    home: env("HOME"),
    memo: context?.memo,
    localUser: env("USER") ?? env("LOGNAME") ?? "root",
    step: "resolving",
  };
  const ms = handshakeTimeout(options, options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT);
  return withDeadline(
    resolve(r),
    ms,
    () =>
      new ConnectionError(options.slug, `timed out after ${ms} ms ${r.step} (handshakeTimeout)`),
    context?.signal,
    () => new ConnectionError(options.slug, "connecting was aborted"),
  );
}

async function resolve(r: Resolving): Promise<HopTarget[]> {
  const { options, home, localUser } = r;
  const values = await configFor(options.address, r);
  const userFiles = values.userKnownHostsFiles ?? (home ? [`${home}/.ssh/known_hosts`] : []);
  const extra = options.knownHostsFiles ?? [];
  const hostKey = {
    policy: options.hostKeyPolicy,
    files: [...userFiles, ...extra],
    appendTo: extra[0] ?? userFiles[0] ?? "known_hosts",
  };
  const agent = agentSocket(options, values);
  const connectTimeout = options.connectTimeout ?? values.connectTimeout ??
    DEFAULT_CONNECT_TIMEOUT;
  const target: HopTarget = {
    slug: options.slug,
    address: values.hostName ?? options.address,
    port: options.port ?? values.port ?? 22,
    auth: {
      slug: options.slug,
      username: options.username ?? values.user ?? localUser,
      password: options.password,
      key: options.key,
      keyFile: options.keyFile,
      passphrase: options.passphrase,
      identityFiles: await identities(values, r),
      agent,
    },
    hostKey,
    connectTimeout,
    handshakeTimeout: handshakeTimeout(options, connectTimeout),
    keepaliveInterval: options.keepaliveInterval,
    agentForward: options.agentForward ?? values.forwardAgent,
  };
  const jump = options.proxyJump ?? values.proxyJump;
  if (!jump || jump.toLowerCase() === "none") return [target];
  const hops: HopTarget[] = [];
  for (const hop of parseProxyJump(jump)) {
    const hv = await configFor(hop.host, r);
    const hopTimeout = options.connectTimeout ?? hv.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    hops.push({
      slug: `${options.slug} (jump host ${hop.host})`,
      address: hv.hostName ?? hop.host,
      port: hop.port ?? hv.port ?? 22,
      auth: {
        slug: `${options.slug} (jump host ${hop.host})`,
        username: hop.user ?? hv.user ?? localUser,
        key: options.key,
        keyFile: options.keyFile,
        passphrase: options.passphrase,
        identityFiles: await identities(hv, r),
        agent: agentSocket(options, hv),
      },
      hostKey,
      connectTimeout: hopTimeout,
      handshakeTimeout: handshakeTimeout(options, hopTimeout),
      keepaliveInterval: options.keepaliveInterval,
    });
  }
  return [...hops, target];
}

/**
 * Turning `SshHost` options plus `~/.ssh/config` into the hops to connect through.
 * Explicit options win over config values.
 *
 * @module
 */
import type { SshHostOptions } from "./options.ts";
import type { HostKeyPolicy } from "./host_key.ts";
import { parseProxyJump, resolveSshConfig, type SshConfigValues } from "./ssh_config.ts";
import type { HopTarget } from "./transport.ts";

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
const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: treat as unset
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function configFor(
  host: string,
  options: SshTargetOptions,
  home: string | undefined,
): Promise<SshConfigValues> {
  if (options.configFile === false || !home && !options.configFile) return { identityFiles: [] };
  const file = options.configFile ?? `${home}/.ssh/config`;
  return await resolveSshConfig(host, { file, home: home ?? "/" });
}

async function identities(values: SshConfigValues, home: string | undefined): Promise<string[]> {
  if (values.identityFiles.length) return values.identityFiles;
  if (!home) return [];
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

/**
 * Resolves the hops (jump hosts first, the host last) for connecting to a host.
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
export async function resolveHops(options: SshTargetOptions): Promise<HopTarget[]> {
  const home = env("HOME");
  const values = await configFor(options.address, options, home);
  const localUser = env("USER") ?? env("LOGNAME") ?? "root";
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
      identityFiles: await identities(values, home),
      agent,
    },
    hostKey,
    connectTimeout,
    keepaliveInterval: options.keepaliveInterval,
    agentForward: options.agentForward ?? values.forwardAgent,
  };
  const jump = options.proxyJump ?? values.proxyJump;
  if (!jump || jump.toLowerCase() === "none") return [target];
  const hops: HopTarget[] = [];
  for (const hop of parseProxyJump(jump)) {
    const hv = await configFor(hop.host, options, home);
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
        identityFiles: await identities(hv, home),
        agent: agentSocket(options, hv),
      },
      hostKey,
      connectTimeout: options.connectTimeout ?? hv.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      keepaliveInterval: options.keepaliveInterval,
    });
  }
  return [...hops, target];
}

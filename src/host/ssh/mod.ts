/**
 * SSH hosts: {@linkcode SshHost} and the pieces it is built from (known_hosts, SSH config,
 * the connection).
 *
 * @module
 */
export { SshHost } from "./ssh_host.ts";
export type { SshHostOptions } from "./options.ts";
export { SshConnection, type SshConnectionPlan } from "./connection.ts";
export type { HostKeyPolicy } from "./host_key.ts";
export {
  appendKnownHost,
  checkHostKey,
  fingerprintOfBlob,
  type HostKeyVerdict,
  type KnownHostEntry,
  knownHostsName,
  parseKnownHosts,
  readKnownHosts,
} from "./known_hosts.ts";
export {
  computeSshConfig,
  type JumpHop,
  parseProxyJump,
  resolveSshConfig,
  type SshConfigSource,
  type SshConfigValues,
} from "./ssh_config.ts";

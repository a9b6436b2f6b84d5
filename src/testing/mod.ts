/**
 * Test helpers for deployer: throwaway OpenSSH servers with real test users, free ports
 * and a silent TCP server.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshHost } from "../host/ssh/ssh_host.ts";
 * import { freePort, startSilentServer } from "./mod.ts";
 * // `startSshServers(n)` starts real sshd servers (root only); the TCP helpers run anywhere:
 * assert.ok(await freePort() > 0);
 * await using hung = await startSilentServer();
 * const host = new SshHost({
 *   address: "127.0.0.1", port: hung.port, connectTimeout: 200, configFile: false, agent: false,
 * });
 * await assert.rejects(host.connect({ interactive: false, confirm: async () => false }), {
 *   name: "ConnectionError",
 * });
 * ```
 *
 * @module
 */
export {
  sshServersUnavailable,
  startSshServers,
  type StartSshServersOptions,
  type TestServer,
  type TestServers,
  type TestUser,
} from "./sshd.ts";
export { freePort, type SilentServer, startSilentServer } from "./net.ts";
export {
  type DebianRootfs,
  type DebianRootfsOptions,
  DEFAULT_MACHINE_PACKAGES,
  ensureDebianRootfs,
  MACHINE_PASSWORD,
  MACHINE_USER,
} from "./debian_rootfs.ts";
export {
  type MachineSshOptions,
  machineSupport,
  startMachines,
  type StartMachinesOptions,
  TestMachine,
  type TestMachines,
} from "./machine.ts";
export {
  CLIENT_ADDRESS,
  CLIENT_NETNS,
  createClientNetns,
  listNetns,
  sweepNetns,
} from "./machine_network.ts";
export type { ToolOutput } from "./_process.ts";

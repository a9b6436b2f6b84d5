/**
 * Test helpers for deployer: throwaway OpenSSH servers with real test users, free ports
 * and a silent TCP server.
 *
 * @example Usage
 * ```ts ignore
 * import { startSshServers } from "./mod.ts";
 * await using ssh = await startSshServers(1);
 * console.log(ssh.servers[0].port, ssh.keyUser.keyFile);
 * ```
 *
 * @module
 */
export {
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

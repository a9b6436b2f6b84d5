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
  sshServersUnavailable,
  startSshServers,
  type StartSshServersOptions,
  type TestServer,
  type TestServers,
  type TestUser,
} from "./sshd.ts";
export { freePort, type SilentServer, startSilentServer } from "./net.ts";

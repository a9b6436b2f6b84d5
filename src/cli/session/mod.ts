/**
 * Sessions: `deployer listen` keeps a tree, its environment and open connections in one
 * process; `deployer connect` opens more shells on it; `deployer sessions` lists them.
 *
 * @module
 */
export { type ListenRequest, listenSession } from "./server.ts";
export { chooseSocket, type ConnectRequest, connectTerminal } from "./connect.ts";
export { formatSessions, liveSessions } from "./list.ts";
export { type ClientOptions, querySession, SessionClient, type SessionInfo } from "./client.ts";
export { sessionDir } from "./paths.ts";

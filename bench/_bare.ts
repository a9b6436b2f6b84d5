/**
 * The bare ssh2 baseline of the SSH benchmark (private): one `Client` per host on a TCP
 * socket with Nagle off, ssh2's default algorithms, no framework.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createConnection } from "node:net";
// @ts-types="npm:@types/ssh2@1.15.6"
import { Client, type SFTPWrapper } from "npm:ssh2@1.17.0";

/** Where and how the baseline connects. */
export interface BareTarget {
  /** The TCP port. */
  port: number;
  /** The loopback address (default 127.0.0.1). */
  address?: string;
  /** The login user. */
  username: string;
  /** The private key (file contents). */
  privateKey: Uint8Array;
  /** Only this cipher (default: ssh2's default list). */
  cipher?: string;
}

/** The cipher the framework prefers. */
export const CHACHA = "chacha20-poly1305@openssh.com";

/**
 * Connects and authenticates one client.
 *
 * @example Usage
 * ```ts ignore
 * import { bareConnect } from "./_bare.ts";
 * const client = await bareConnect({ port: 2222, username: "me", privateKey: key });
 * client.end();
 * ```
 */
export function bareConnect(target: BareTarget): Promise<Client> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: target.address ?? "127.0.0.1", port: target.port });
    sock.setNoDelay(true);
    const client = new Client();
    client.once("ready", () => resolve(client));
    client.once("error", reject);
    client.connect({
      sock: sock as never,
      username: target.username,
      privateKey: Buffer.from(target.privateKey),
      algorithms: target.cipher ? { cipher: [target.cipher] } as never : undefined,
    });
  });
}

/**
 * Runs `command` on a new channel; resolves to its stdout when the channel has closed.
 *
 * @example Usage
 * ```ts ignore
 * import { bareExec } from "./_bare.ts";
 * console.log(await bareExec(client, "echo hi"));
 * ```
 */
export function bareExec(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let out = "";
      stream.on("data", (chunk: Buffer) => (out += chunk.toString()));
      stream.stderr.resume();
      stream.once("close", () => resolve(out));
    });
  });
}

/**
 * Opens an SFTP session.
 *
 * @example Usage
 * ```ts ignore
 * import { bareSftp } from "./_bare.ts";
 * const sftp = await bareSftp(client);
 * ```
 */
export function bareSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) =>
    client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)))
  );
}

/**
 * `sftp.fastPut` as a promise.
 *
 * @example Usage
 * ```ts ignore
 * import { fastPut } from "./_bare.ts";
 * await fastPut(sftp, "/tmp/local", "/tmp/remote");
 * ```
 */
export function fastPut(sftp: SFTPWrapper, local: string, remote: string): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.fastPut(local, remote, (error) => (error ? reject(error) : resolve()))
  );
}

/**
 * `sftp.writeFile` as a promise.
 *
 * @example Usage
 * ```ts ignore
 * import { sftpWriteFile } from "./_bare.ts";
 * await sftpWriteFile(sftp, "/tmp/remote", new Uint8Array(4096));
 * ```
 */
export function sftpWriteFile(sftp: SFTPWrapper, remote: string, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.writeFile(remote, Buffer.from(data), (error) => (error ? reject(error) : resolve()))
  );
}

/**
 * Ends a client and waits (briefly) for its socket to close.
 *
 * @example Usage
 * ```ts ignore
 * import { bareClose } from "./_bare.ts";
 * await bareClose(client);
 * ```
 */
export function bareClose(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}

/** One server address of a fan-out: a port on 127.0.0.1, or a loopback address and port. */
export type FanOutTarget = number | { address: string; port: number };

/**
 * The bare baseline of the fan-out: one client per target, all in parallel, each connecting
 * and running `command` once. Resolves to the outputs; the clients are ended (not awaited).
 *
 * @example Usage
 * ```ts ignore
 * import { bareFanOut } from "./_bare.ts";
 * const outputs = await bareFanOut([2222, 2223], "me", key, "echo hi");
 * ```
 */
export async function bareFanOut(
  targets: FanOutTarget[],
  username: string,
  privateKey: Uint8Array,
  command: string,
): Promise<{ outputs: string[]; closed: Promise<void> }> {
  const clients: Client[] = [];
  const outputs = await Promise.all(targets.map(async (target) => {
    const where = typeof target === "number" ? { port: target } : target;
    const client = await bareConnect({ ...where, username, privateKey });
    clients.push(client);
    return await bareExec(client, command);
  }));
  return { outputs, closed: Promise.all(clients.map(bareClose)).then(() => {}) };
}

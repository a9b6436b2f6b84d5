/**
 * Shared set-up of the SSH tests: real sshd servers from `src/testing` and hosts on them.
 */
import type { ConnectContext, Connection } from "../../src/host/connection.ts";
import { SshHost, type SshHostOptions } from "../../src/host/ssh/mod.ts";
import type { TestServers } from "../../src/testing/mod.ts";

/** A non-interactive connect context that refuses every question. */
export const CONTEXT: ConnectContext = {
  interactive: false,
  confirm: () => Promise.resolve(false),
};

/** A key-user host on server `index` of `ssh`, isolated from the user's ~/.ssh. */
export function keyHost(ssh: TestServers, index = 0, extra: Partial<SshHostOptions> = {}): SshHost {
  const server = ssh.servers[index];
  return new SshHost({
    slug: server.slug,
    address: server.address,
    port: server.port,
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFiles: [ssh.knownHostsFile],
    configFile: false,
    agent: false,
    ...extra,
  });
}

/** What one command printed and how it ended. */
export interface Ran {
  stdout: string;
  stderr: string;
  code: number | null;
  signal?: string;
}

/** Runs a command to completion on a connection. */
export async function run(
  connection: Connection,
  command: string,
  options: { stdin?: string; pty?: boolean } = {},
): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const decoder = { out: new TextDecoder(), err: new TextDecoder() };
  const proc = await connection.exec(command, {
    pty: options.pty ? { term: "xterm", cols: 80, rows: 24 } : undefined,
    onStdout: (c) => (stdout += decoder.out.decode(c, { stream: true })),
    onStderr: (c) => (stderr += decoder.err.decode(c, { stream: true })),
  });
  if (options.stdin !== undefined) await proc.write(options.stdin);
  if (!options.pty) await proc.closeStdin();
  const status = await proc.status;
  return { stdout, stderr, ...status };
}

/** Measures how long a promise takes to settle, in ms. */
export async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await promise;
  return [value, performance.now() - start];
}

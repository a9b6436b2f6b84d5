/**
 * The fixture of the SSH benchmark (private): throwaway sshd servers, the local files to
 * upload, a remote directory the login user owns, and the three ways to reach a server.
 *
 * @module
 */
import { SshHost } from "../mod.ts";
import { startSshServers, type TestServers } from "../src/testing/sshd.ts";
import type { BareTarget } from "./_bare.ts";
import { type OpenSshTarget, sshExitMaster } from "./_openssh.ts";

/** Everything the scenarios need. */
export interface Fixture {
  /** The servers (and the key user). */
  ssh: TestServers;
  /** The temporary directory (local files, remote directory, ControlMaster sockets). */
  dir: string;
  /** The 100 MB file. */
  bigFile: string;
  /** The size of the big file in bytes. */
  bigSize: number;
  /** A directory of small files. */
  smallDir: string;
  /** The names of the small files. */
  smallNames: string[];
  /** A fresh, empty directory owned by the login user (the "remote" side). */
  remoteDir(): Promise<string>;
  /** An `SshHost` for server `i`. */
  host(i: number): SshHost;
  /** The bare ssh2 target for server `i`. */
  bare(i: number): BareTarget;
  /** The OpenSSH target for server `i` (`multiplex`: with ControlMaster). */
  openssh(i: number, multiplex: boolean): OpenSshTarget;
  /** Stops every server and ControlMaster and removes every file. Idempotent. */
  cleanup(): Promise<void>;
}

/** Sizes of the upload scenario. */
export interface FixtureOptions {
  /** How many servers to start. */
  servers: number;
  /** Size of the big file in MiB. */
  bigMiB: number;
  /** How many small files. */
  smallCount: number;
  /** Size of each small file in bytes. */
  smallBytes: number;
}

async function randomFile(path: string, bytes: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const chunk = new Uint8Array(1 << 20);
    for (let left = bytes; left > 0; left -= chunk.length) {
      for (let at = 0; at < chunk.length; at += 65536) {
        crypto.getRandomValues(chunk.subarray(at, at + 65536));
      }
      const piece = chunk.subarray(0, Math.min(left, chunk.length));
      for (let done = 0; done < piece.length;) done += await file.write(piece.subarray(done));
    }
  } finally {
    file.close();
  }
}

/**
 * Starts the servers and writes the local files.
 *
 * @example Usage
 * ```ts ignore
 * import { createFixture } from "./_setup.ts";
 * const fx = await createFixture({ servers: 2, bigMiB: 1, smallCount: 10, smallBytes: 4096 });
 * await fx.cleanup();
 * ```
 */
export async function createFixture(options: FixtureOptions): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "deployer-bench-" });
  let ssh: TestServers | undefined;
  const masters = new Set<number>();
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    cleaning ??= (async () => {
      if (ssh) {
        const s = ssh;
        await Promise.all([...masters].map((i) => sshExitMaster(target(s, i, true))));
        await s.stop();
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  const target = (s: TestServers, i: number, multiplex: boolean): OpenSshTarget => ({
    port: s.servers[i].port,
    username: s.keyUser.name,
    keyFile: s.keyUser.keyFile!,
    knownHostsFile: s.knownHostsFile,
    controlDir: multiplex ? `${dir}/cm` : undefined,
  });
  try {
    await Deno.chmod(dir, 0o755);
    await Deno.mkdir(`${dir}/cm`, { mode: 0o700 });
    ssh = await startSshServers(options.servers, { passwordAuth: false });
    const servers = ssh;
    const { uid, gid } = await Deno.stat(`/home/${servers.keyUser.name}`);
    const bigFile = `${dir}/big.bin`;
    await randomFile(bigFile, options.bigMiB << 20);
    const smallDir = `${dir}/small`;
    await Deno.mkdir(smallDir);
    const smallNames = Array.from({ length: options.smallCount }, (_, i) => `f${i}.bin`);
    for (const name of smallNames) {
      await Deno.writeFile(
        `${smallDir}/${name}`,
        crypto.getRandomValues(new Uint8Array(options.smallBytes)),
      );
    }
    await Deno.mkdir(`${dir}/remote`, { mode: 0o755 });
    await Deno.chown(`${dir}/remote`, uid!, gid!);
    let remotes = 0;
    const hosts = new Map<number, SshHost>();
    const key = await Deno.readFile(servers.keyUser.keyFile!);
    return {
      ssh: servers,
      dir,
      bigFile,
      bigSize: options.bigMiB << 20,
      smallDir,
      smallNames,
      async remoteDir() {
        await Deno.remove(`${dir}/remote`, { recursive: true });
        await Deno.mkdir(`${dir}/remote`, { mode: 0o755 });
        await Deno.chown(`${dir}/remote`, uid!, gid!);
        const path = `${dir}/remote/r${++remotes}`;
        await Deno.mkdir(path, { mode: 0o755 });
        await Deno.chown(path, uid!, gid!);
        return path;
      },
      host(i) {
        if (!hosts.has(i)) {
          hosts.set(
            i,
            new SshHost({
              slug: servers.servers[i].slug,
              address: "127.0.0.1",
              port: servers.servers[i].port,
              username: servers.keyUser.name,
              keyFile: servers.keyUser.keyFile,
              knownHostsFiles: [servers.knownHostsFile],
              configFile: false,
              agent: false,
              hostKeyPolicy: "strict",
            }),
          );
        }
        return hosts.get(i)!;
      },
      bare: (i) => ({
        port: servers.servers[i].port,
        username: servers.keyUser.name,
        privateKey: key,
      }),
      openssh(i, multiplex) {
        if (multiplex) masters.add(i);
        return target(servers, i, multiplex);
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

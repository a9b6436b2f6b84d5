/**
 * One whole-process directory transfer for `bench/dir_bench.ts`: connects to the test
 * sshd given as JSON in the first argument and runs `putDir` or `getDir`.
 *
 * @module
 */
import { Env, SshHost } from "../mod.ts";

/** What the parent passes. */
export interface DirJob {
  /**
   * `put` (local `from` to remote `to`), `get` (remote `from` to local `to`), `files`
   * (every file of `from` with `putFile` into the existing `to`, 32 at once), or `connect`
   * (connect and run `true`: the baseline of time and memory).
   */
  direction: "put" | "get" | "files" | "connect";
  /** The sshd port on 127.0.0.1. */
  port: number;
  /** The login user. */
  username: string;
  /** Its private key. */
  keyFile: string;
  /** known_hosts with the server's key. */
  knownHostsFile: string;
  /** Source directory. */
  from: string;
  /** Target directory. */
  to: string;
  /** `sftp` forces the SFTP way (as on a host without tar). */
  via?: "auto" | "sftp";
}

if (import.meta.main) {
  const job = JSON.parse(Deno.args[0]) as DirJob;
  const host = new SshHost({
    slug: "bench",
    address: "127.0.0.1",
    port: job.port,
    username: job.username,
    keyFile: job.keyFile,
    knownHostsFiles: [job.knownHostsFile],
    configFile: false,
    agent: false,
    hostKeyPolicy: "strict",
  });
  await using env = new Env({ interactive: false });
  const handle = env.host(host);
  const options = { via: job.via ?? "auto" };
  if (job.direction === "put") await handle.putDir(job.from, job.to, options);
  else if (job.direction === "get") await handle.getDir(job.from, job.to, options);
  else if (job.direction === "connect") await handle.run("true", { silent: true });
  else {
    const names = [...Deno.readDirSync(job.from)].map((e) => e.name);
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++];
        await handle.putFile(`${job.from}/${name}`, `${job.to}/${name}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  }
}

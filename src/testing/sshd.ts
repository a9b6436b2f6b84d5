/**
 * Throwaway OpenSSH servers for tests: each is one real `sshd -D -e` child process with
 * its own config, host key and port on 127.0.0.1, and two real test users created for the
 * set (`dpl-k-<pid>-<id>` logs in with a fresh key and has passwordless sudo;
 * `dpl-p-<pid>-<id>` logs in with a password and sudo asks for it). Stopping the set
 * removes the servers, the users, their sudo rules and the temp directory; what a killed
 * run left behind is swept by the next start. Needs root, `sshd`, `ssh-keygen`, `sudo`
 * and `useradd`.
 *
 * @module
 */
import { findProgram, mustRun, runTool, sleep } from "./_process.ts";
import { descendants, reap, signal } from "./_proc_tree.ts";
import { createTestUsers, removeTestUsers, type UserPair } from "./_users.ts";
import { sweepLeftovers } from "./_sweep.ts";
import { freePort } from "./net.ts";

/** A real OS user the test servers accept. */
export interface TestUser {
  /** The login name (`dpl-k-<pid>-<id>` or `dpl-p-<pid>-<id>`, new for every server set). */
  name: string;
  /** Path of the private key (unencrypted ed25519), for the key user. */
  keyFile?: string;
  /** The public key line (`ssh-ed25519 AAAA... comment`), for the key user. */
  publicKey?: string;
  /** The login (and sudo) password, for the password user. */
  password?: string;
  /** Whether sudo needs no password or asks for the user's password. */
  sudo: "nopasswd" | "password";
}

/** One running sshd. */
export interface TestServer {
  /** A short name for the server (`sshd1`, `sshd2`, ...), usable as a host slug. */
  slug: string;
  /** The address it listens on: `127.0.0.1`. */
  address: string;
  /** The TCP port it listens on. */
  port: number;
  /** The host key type, e.g. `ssh-ed25519`. */
  hostKeyType: string;
  /** The host public key as `<type> <base64>`. */
  hostPublicKey: string;
  /** The `SHA256:...` fingerprint of the host key, as OpenSSH prints it. */
  fingerprint: string;
  /** The PID of the sshd process. */
  pid: number;
  /** Stops this server (and every session it runs). Safe to call twice. */
  stop(): Promise<void>;
}

/** A set of servers from {@linkcode startSshServers}. `await using` stops them all. */
export interface TestServers extends AsyncDisposable {
  /** The servers, each on its own port. */
  servers: TestServer[];
  /** The user that logs in with {@linkcode TestUser.keyFile} and has passwordless sudo. */
  keyUser: TestUser;
  /** The user that logs in with {@linkcode TestUser.password}; sudo asks for it. */
  passwordUser: TestUser;
  /** A known_hosts file with `[127.0.0.1]:<port> <type> <key>` for every server. */
  knownHostsFile: string;
  /** The temporary directory holding keys and configs (removed by `stop()`). */
  dir: string;
  /**
   * Stops every server, removes the two test users (with their processes and homes), their
   * sudo rules and {@linkcode TestServers.dir}. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Options of {@linkcode startSshServers}. */
export interface StartSshServersOptions {
  /** Whether the servers accept password authentication (default `true`). */
  passwordAuth?: boolean;
  /** More `sshd_config` lines (e.g. `MaxSessions 2`); they win over the defaults. */
  config?: string[];
  /** The login shell of both test users (an absolute path); default `/bin/bash`. */
  shell?: string;
}

const READY_TIMEOUT_MS = 20_000;
const STDERR_LIMIT = 64 * 1024;

async function sha256Fingerprint(base64Key: string): Promise<string> {
  const blob = Uint8Array.from(atob(base64Key), (c) => c.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, "")}`;
}

/** Extra options for newer OpenSSH (9.8+ penalises failed logins per source address). */
async function versionOptions(sshd: string): Promise<string[]> {
  const out = await runTool(sshd, ["-V"]);
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(out.stderr + out.stdout);
  const version = match ? Number(match[1]) * 100 + Number(match[2]) : 0;
  return version >= 908 ? ["PerSourcePenalties no"] : [];
}

function sshdConfig(
  users: UserPair,
  dir: string,
  serverDir: string,
  port: number,
  passwordAuth: boolean,
  extra: string[],
  first: string[] = [],
) {
  return [
    ...first, // sshd keeps the first value of a keyword
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${serverDir}/host_ed25519`,
    `PidFile ${serverDir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys/%u`,
    "PubkeyAuthentication yes",
    `PasswordAuthentication ${passwordAuth ? "yes" : "no"}`,
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    "PermitRootLogin no",
    `AllowUsers ${users.keyUser} ${users.passwordUser}`,
    "Subsystem sftp internal-sftp",
    "MaxSessions 64",
    "MaxStartups 100:30:200",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    "LogLevel ERROR",
    ...extra,
    "",
  ].join("\n");
}

/** Resolves true when something on the port answers with an SSH banner. */
async function answersSsh(port: number): Promise<boolean> {
  let conn: Deno.Conn | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const buffer = new Uint8Array(256);
    const timeout = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 2000));
    const n = await Promise.race([conn.read(buffer), timeout]);
    return n !== null && new TextDecoder().decode(buffer.subarray(0, n)).startsWith("SSH-");
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    conn?.close();
  }
}

interface Launch {
  child: Deno.ChildProcess;
  exited: Promise<Deno.CommandStatus>;
  stderrDone: Promise<void>;
  stderr(): string;
}

function launch(sshd: string, config: string): Launch {
  const child = new Deno.Command(sshd, {
    args: ["-D", "-e", "-f", config],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const stderrDone = child.stderr.pipeTo(
    new WritableStream({
      write(chunk) {
        if (text.length < STDERR_LIMIT) text += decoder.decode(chunk, { stream: true });
      },
    }),
  ).catch(() => {});
  return { child, exited: child.status, stderrDone, stderr: () => text.trim() };
}

async function waitReady(run: Launch, port: number): Promise<string | undefined> {
  let done = false;
  run.exited.then(() => done = true);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (done) return `sshd exited early: ${run.stderr() || "(no output)"}`;
    if (await answersSsh(port) && !done) return undefined;
    await sleep(25);
  }
  return `sshd did not accept connections within ${READY_TIMEOUT_MS} ms: ${run.stderr()}`;
}

async function stopLaunch(run: Launch): Promise<void> {
  const pid = run.child.pid;
  const tree = await descendants(pid);
  signal(pid, "SIGTERM");
  for (const kid of tree) signal(kid, "SIGTERM");
  const killer = setTimeout(() => signal(pid, "SIGKILL"), 5000);
  await run.exited;
  clearTimeout(killer);
  await reap(tree, 3000);
  // Sessions that escaped the snapshot may still hold stderr open: stop reading then.
  const grace = sleep(1000).then(() => run.child.stderr.cancel().catch(() => {}));
  await Promise.race([run.stderrDone, grace]);
  await run.stderrDone;
}

async function startServer(
  users: UserPair,
  sshd: string,
  dir: string,
  index: number,
  passwordAuth: boolean,
  extra: string[],
  first: string[] = [],
): Promise<TestServer> {
  const serverDir = `${dir}/server${index}`;
  await Deno.mkdir(serverDir, { mode: 0o755 });
  await newKey(`${serverDir}/host_ed25519`, "");
  const [hostKeyType, base64] = (await Deno.readTextFile(`${serverDir}/host_ed25519.pub`)).trim()
    .split(/\s+/);
  const fingerprint = await sha256Fingerprint(base64);
  let lastError = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = `${serverDir}/sshd_config`;
    await Deno.writeTextFile(
      config,
      sshdConfig(users, dir, serverDir, port, passwordAuth, extra, first),
    );
    const run = launch(sshd, config);
    const problem = await waitReady(run, port);
    if (problem === undefined) {
      let stopping: Promise<void> | undefined;
      return {
        slug: `sshd${index}`,
        address: "127.0.0.1",
        port,
        hostKeyType,
        hostPublicKey: `${hostKeyType} ${base64}`,
        fingerprint,
        pid: run.child.pid,
        stop: () => stopping ??= stopLaunch(run),
      };
    }
    await stopLaunch(run);
    lastError = problem;
    if (!/address already in use/i.test(problem)) break;
  }
  throw new Error(`Cannot start test sshd ${index}: ${lastError}`);
}

/**
 * Why {@linkcode startSshServers} cannot work on this machine, or `undefined` when it can:
 * it needs root (to create the test users) and the OpenSSH server and tools. Meant for
 * `Deno.test`'s `ignore`, so that such tests are reported as ignored, with the reason
 * printed, instead of failing.
 *
 * @returns A sentence naming what is missing, or `undefined`.
 *
 * @example Ignoring SSH tests where they cannot run
 * ```ts
 * import assert from "node:assert/strict";
 * import { sshServersUnavailable } from "./sshd.ts";
 * const missing = await sshServersUnavailable();
 * // In a test file: Deno.test("logs in over SSH", { ignore: missing !== undefined }, ...)
 * assert.ok(missing === undefined || /need/.test(missing));
 * ```
 */
export async function sshServersUnavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "the SSH test servers need Linux";
  if (Deno.uid() !== 0) return "the SSH test servers need root (they create test users)";
  const sshd = await findProgram("sshd", ["/usr/sbin/sshd", "/usr/local/sbin/sshd"]);
  if (!sshd) return "the SSH test servers need sshd (install openssh-server)";
  for (const tool of ["ssh-keygen", "useradd", "userdel", "chpasswd", "visudo", "sudo"]) {
    const path = await findProgram(tool, [`/usr/sbin/${tool}`, `/usr/bin/${tool}`]);
    if (!path) return `the SSH test servers need ${tool}`;
  }
  return undefined;
}

/**
 * Starts `count` throwaway sshd servers on 127.0.0.1, each with its own host key and
 * port, and creates two test users for them (needs root). Leftovers of earlier runs
 * whose processes are gone are removed first.
 *
 * @param count How many servers to start.
 * @param options Whether password authentication is on (default `true`), more
 *   `sshd_config` lines, the login shell of the test users (default `/bin/bash`).
 * @returns The servers, the two users, a known_hosts file; `await using` stops them.
 *
 * @example Usage
 * ```ts
 * // Illustrative: starts sshd and creates test users (needs root and openssh-server), so
 * // this is type-checked but not run here; call such a function from a test of your own.
 * import { sh } from "../command/sh.ts";
 * import { Env } from "../exec/env.ts";
 * import { SshHost } from "../host/ssh/ssh_host.ts";
 * import { startSshServers } from "./sshd.ts";
 * async function whoamiOverSsh(): Promise<string> {
 *   await using ssh = await startSshServers(1);
 *   const [server] = ssh.servers;
 *   const host = new SshHost({
 *     slug: server.slug, address: server.address, port: server.port,
 *     username: ssh.keyUser.name, keyFile: ssh.keyUser.keyFile,
 *     knownHostsFiles: [ssh.knownHostsFile], configFile: false, agent: false,
 *   });
 *   await using env = new Env({ interactive: false });
 *   return (await env.host(host).run(sh`whoami`)).stdout.trim(); // ssh.keyUser.name
 * }
 * ```
 */
export async function startSshServers(
  count: number,
  options: StartSshServersOptions = {},
): Promise<TestServers> {
  const sshd = await findProgram("sshd", ["/usr/sbin/sshd", "/usr/local/sbin/sshd"]);
  if (!sshd) throw new Error("Cannot start test sshd: sshd not found (install openssh-server)");
  await sweepLeftovers();
  await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const extra = await versionOptions(sshd);
  const users = await createTestUsers({ shell: options.shell });
  let dir = "";
  let servers: TestServer[] = [];
  const cleanup = async () => {
    const stopped = await Promise.allSettled(servers.map((s) => s.stop()));
    await removeTestUsers(users);
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    const failed = stopped.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  };
  try {
    // The owner's PID in the name lets a later run remove it if this process is killed.
    dir = await Deno.makeTempDir({ prefix: `dpl-sshd-${Deno.pid}-` });
    await Deno.chmod(dir, 0o755); // sshd reads authorized_keys as the login user
    await Deno.mkdir(`${dir}/authorized_keys`, { mode: 0o755 });
    const keyFile = `${dir}/${users.keyUser}_ed25519`;
    await newKey(keyFile, "deployer-test");
    const publicKey = (await Deno.readTextFile(`${keyFile}.pub`)).trim();
    await Deno.writeTextFile(`${dir}/authorized_keys/${users.keyUser}`, `${publicKey}\n`, {
      mode: 0o644,
    });
    const started = await Promise.allSettled(
      Array.from(
        { length: count },
        (_, i) =>
          startServer(
            users,
            sshd,
            dir,
            i + 1,
            options.passwordAuth ?? true,
            extra,
            options.config,
          ),
      ),
    );
    servers = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const knownHostsFile = `${dir}/known_hosts`;
    await Deno.writeTextFile(
      knownHostsFile,
      servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}\n`).join(""),
    );
    let stopping: Promise<void> | undefined;
    const stop = () => stopping ??= cleanup();
    return {
      servers,
      keyUser: { name: users.keyUser, keyFile, publicKey, sudo: "nopasswd" },
      passwordUser: { name: users.passwordUser, password: users.password, sudo: "password" },
      knownHostsFile,
      dir,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
}

/** Writes a new unencrypted ed25519 key pair to `path` and `path.pub`. */
function newKey(path: string, comment: string): Promise<string> {
  return mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
}

/**
 * Real Debian 12 test machines: each runs in its own mount, PID, UTS, IPC and network
 * namespaces, over its own writable overlay on the shared cached root filesystem
 * ({@linkcode ensureDebianRootfs}), with its own sshd and host keys, an init that starts
 * sshd, supervisor and nginx and reaps orphans, and a `deploy` user (key login, `sudo` asks
 * for a password). Machines are reachable at `127.1.0.N` from the client network namespace
 * only (see `machine_network.ts`); `deno task e2e` runs the tests there.
 *
 * @module
 */
import { mustRun, runTool, type ToolOutput } from "./_process.ts";
import { processAlive } from "./_proc_tree.ts";
import {
  type DebianRootfsOptions,
  ensureDebianRootfs,
  MACHINE_PASSWORD,
  MACHINE_USER,
} from "./debian_rootfs.ts";
import { BOOT_SCRIPT, INIT_PATH, INIT_SCRIPT, READY_LINE } from "./machine_init.ts";
import {
  createMachineNetns,
  deleteMachineNetns,
  inClientNetwork,
  NETNS_PREFIX,
} from "./machine_network.ts";

/** Where machine state (writable layers) lives; one `run-<pid>-<id>` directory per set. */
const DEFAULT_STATE_DIR = "/var/tmp/deployer-machines";

/** Options of {@linkcode startMachines}. */
export interface StartMachinesOptions extends DebianRootfsOptions {
  /** Where the writable layers go (default `/var/tmp/deployer-machines`). */
  stateDir?: string;
  /** How long a boot may take, in ms (default 60000). */
  bootTimeout?: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function which(program: string): Promise<boolean> {
  return (await runTool("sh", ["-c", `command -v ${program}`])).code === 0;
}

/**
 * Why test machines cannot run here, or `undefined` when they can: needs root, `unshare`,
 * `nsenter`, `setpriv`, `ip`, `debootstrap`, and a client network namespace (`deno task e2e`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { machineSupport } from "./machine.ts";
 * const reason = await machineSupport(); // outside `deno task e2e`: why not
 * assert.ok(reason === undefined || reason.length > 0);
 * // Deno.test({ name: "deploys", ignore: reason !== undefined, fn: ... });
 * ```
 */
export async function machineSupport(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "test machines need Linux namespaces";
  if (Deno.uid() !== 0) return "test machines need root (namespaces, mounts, chroot)";
  for (const program of ["unshare", "nsenter", "setpriv", "ip", "debootstrap", "chroot"]) {
    if (!(await which(program))) return `test machines need \`${program}\` (not found)`;
  }
  if (!(await inClientNetwork())) {
    return "not in the client network namespace: run the end-to-end tests with `deno task e2e`";
  }
  return undefined;
}

/**
 * One test machine (made by {@linkcode startMachines}).
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { startMachines } from "./machine.ts";
 * await using set = await startMachines(1);
 * const [machine] = set.machines;
 * await machine.stop(); // a clean shutdown; start() boots it again with its state
 * await machine.start();
 * await machine.reprovision(); // fresh writable layer, new host keys
 * ```
 */
export class TestMachine {
  /** Short name, also its hostname (`m2`, `m3`, ...). */
  readonly name: string;
  /** Its address on the client bridge (`127.1.0.N`). */
  readonly address: string;
  /** Its network namespace. */
  readonly netns: string;
  #lower: string;
  #dir: string;
  #keyLine: string;
  #bootTimeout: number;
  #child?: Deno.ChildProcess;
  #initPid = 0;
  #drain?: Promise<void>;
  #hostKey = "";

  /** Use {@linkcode startMachines}. */
  constructor(
    index: number,
    lower: string,
    dir: string,
    keyLine: string,
    bootTimeout: number,
  ) {
    this.name = `m${index}`;
    this.address = `127.1.0.${index}`;
    this.netns = `${NETNS_PREFIX}m${index}`;
    this.#lower = lower;
    this.#dir = dir;
    this.#keyLine = keyLine;
    this.#bootTimeout = bootTimeout;
  }

  /** The current host public key (`ssh-ed25519 AAAA...`), made on first boot. */
  get hostPublicKey(): string {
    return this.#hostKey;
  }

  /** Whether the machine runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The PID (in the host's PID namespace) of the machine's init. */
  get initPid(): number {
    return this.#initPid;
  }

  /** Its writable layer (files the machine changed, as seen from outside). */
  get upperDir(): string {
    return `${this.#dir}/upper`;
  }

  async #prepareLayer(): Promise<void> {
    for (const sub of ["upper", "work", "merged"]) {
      await Deno.mkdir(`${this.#dir}/${sub}`, { recursive: true });
    }
    const upper = this.upperDir;
    await Deno.mkdir(`${upper}/usr/local/sbin`, { recursive: true });
    await Deno.writeTextFile(`${upper}${INIT_PATH}`, INIT_SCRIPT, { mode: 0o755 });
    const passwd = await Deno.readTextFile(`${this.#lower}/etc/passwd`);
    const entry = passwd.split("\n").find((line) => line.startsWith(`${MACHINE_USER}:`));
    if (!entry) throw new Error(`No user ${MACHINE_USER} in ${this.#lower}/etc/passwd`);
    const [, , uid, gid] = entry.split(":").map(Number);
    const home = `${upper}/home/${MACHINE_USER}`;
    if (!(await exists(`${home}/.ssh/authorized_keys`))) {
      await Deno.mkdir(`${home}/.ssh`, { recursive: true });
      await Deno.writeTextFile(`${home}/.ssh/authorized_keys`, `${this.#keyLine}\n`, {
        mode: 0o600,
      });
      await Deno.chmod(home, 0o755);
      await Deno.chmod(`${home}/.ssh`, 0o700);
      for (const path of [home, `${home}/.ssh`, `${home}/.ssh/authorized_keys`]) {
        await Deno.chown(path, uid, gid);
      }
    }
  }

  /** Boots the machine (with the state it had when stopped) and waits until sshd runs. */
  async start(): Promise<void> {
    if (this.#child) return;
    await this.#prepareLayer();
    const child = new Deno.Command("setpriv", {
      args: [
        "--pdeathsig",
        "KILL",
        "ip",
        "netns",
        "exec",
        this.netns,
        "unshare",
        "--mount",
        "--pid",
        "--uts",
        "--ipc",
        "--fork",
        "--kill-child=SIGKILL",
        "--propagation",
        "private",
        "/bin/sh",
        "-c",
        BOOT_SCRIPT,
        "boot",
        this.#lower,
        this.upperDir,
        `${this.#dir}/work`,
        `${this.#dir}/merged`,
        this.name,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#bootTimeout);
    });
    let outcome: "ready" | "failed" | "timeout" | "exited" = "exited";
    try {
      while (true) {
        const next = await Promise.race([reader.read(), timeout]);
        if (next === "timeout") {
          outcome = "timeout";
          break;
        }
        if (next.done) break;
        seen += next.value;
        if (seen.includes(READY_LINE)) {
          outcome = "ready";
          break;
        }
        if (seen.includes("deployer-machine-failed")) {
          outcome = "failed";
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    this.#drain = (async () => {
      try {
        while (!(await reader.read()).done) { /* keep the pipe drained */ }
      } catch { /* closed */ }
      await stderr;
    })();
    if (outcome !== "ready") {
      const log = await Deno.readTextFile(`${this.upperDir}/var/log/deployer-init.log`).catch(
        () => "",
      );
      await this.kill();
      throw new Error(
        `Test machine ${this.name} did not boot (${outcome}): ${seen.trim()}\n${
          (await stderr).trim()
        }\n${log.trim()}`,
      );
    }
    this.#initPid = await this.#findInit(child.pid);
    this.#hostKey = (await Deno.readTextFile(`${this.upperDir}/etc/ssh/ssh_host_ed25519_key.pub`))
      .split(" ").slice(0, 2).join(" ");
  }

  async #findInit(unsharePid: number): Promise<number> {
    const children = await Deno.readTextFile(`/proc/${unsharePid}/task/${unsharePid}/children`);
    const pid = Number(children.trim().split(/\s+/)[0]);
    if (!pid) throw new Error(`Test machine ${this.name}: no init process below ${unsharePid}`);
    return pid;
  }

  async #waitExit(graceMs: number): Promise<void> {
    const child = this.#child;
    if (!child) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), graceMs);
    });
    const result = await Promise.race([child.status, late]);
    clearTimeout(timer);
    if (result === "late") {
      for (const pid of [this.#initPid, child.pid]) {
        if (pid && await processAlive(pid)) Deno.kill(pid, "SIGKILL");
      }
      await child.status;
    }
    await this.#drain;
    this.#child = undefined;
    this.#initPid = 0;
  }

  /** Shuts the machine down cleanly (its init stops the services); the state stays. */
  async stop(): Promise<void> {
    if (!this.#child) return;
    if (this.#initPid) {
      try {
        Deno.kill(this.#initPid, "SIGTERM");
      } catch { /* gone */ }
    }
    await this.#waitExit(20_000);
  }

  /** Pulls the plug: every process of the machine dies at once; the state stays. */
  async kill(): Promise<void> {
    if (!this.#child) return;
    // Killing PID 1 of the machine kills every process in it; unshare then reaps it and exits
    // (it kills its child itself when it dies first).
    try {
      Deno.kill(this.#initPid || this.#child.pid, "SIGKILL");
    } catch { /* gone */ }
    await this.#waitExit(10_000);
  }

  /** Stops the machine, throws its writable layer away and boots it fresh (new host keys). */
  async reprovision(): Promise<void> {
    await this.stop();
    for (const sub of ["upper", "work"]) {
      await Deno.remove(`${this.#dir}/${sub}`, { recursive: true }).catch(() => {});
    }
    await this.start();
  }

  /** Runs a command as root inside the running machine (all its namespaces and root). */
  async exec(args: string[], input?: string): Promise<ToolOutput> {
    if (!this.#initPid) throw new Error(`Test machine ${this.name} is not running`);
    return await runTool("nsenter", [
      "-t",
      String(this.#initPid),
      "-m",
      "-u",
      "-i",
      "-n",
      "-p",
      "-r",
      "-w",
      "--",
      ...args,
    ], input);
  }
}

/** What `new SshHost(...)` needs to log in to a machine as `deploy` (key, sudo password). */
export interface MachineSshOptions {
  /** The host slug (default: the machine's name). */
  slug: string;
  /** The machine's address. */
  address: string;
  /** `deploy`. */
  username: string;
  /** The client key. */
  keyFile: string;
  /** The password `sudo` asks for. */
  sudoPassword: string;
  /** The set's known_hosts file. */
  knownHostsFiles: string[];
  /** Unknown or changed host keys are refused. */
  hostKeyPolicy: "strict";
  /** No `~/.ssh/config`. */
  configFile: false;
  /** No agent. */
  agent: false;
}

/** Machines from {@linkcode startMachines}. `await using` tears them down. */
export interface TestMachines extends AsyncDisposable {
  /** The machines, booted. */
  machines: TestMachine[];
  /** The login user on every machine (`deploy`). */
  user: string;
  /** Its password, which `sudo` asks for. */
  password: string;
  /** The private key that logs in as {@linkcode TestMachines.user}. */
  keyFile: string;
  /** A known_hosts file with the host keys the machines had when they booted. */
  knownHostsFile: string;
  /** The state directory of this set (removed on teardown). */
  dir: string;
  /** Options for an `SshHost` that logs in to `machine` as `deploy` (override any). */
  sshOptions(machine: TestMachine, overrides?: Partial<MachineSshOptions>): MachineSshOptions;
  /** Rewrites {@linkcode TestMachines.knownHostsFile} with the machines' current host keys. */
  trustCurrentKeys(): Promise<void>;
  /** Stops every machine and removes namespaces, links and state. Safe to call twice. */
  stop(): Promise<void>;
}

async function sweepStateDirs(stateDir: string): Promise<void> {
  for await (const entry of Deno.readDir(stateDir)) {
    const pid = Number(/^run-(\d+)-/.exec(entry.name)?.[1]);
    if (pid && !(await exists(`/proc/${pid}`))) {
      await Deno.remove(`${stateDir}/${entry.name}`, { recursive: true }).catch(() => {});
    }
  }
}

/**
 * Boots `count` machines from the cached root filesystem (building it first when needed).
 * Must run in the client network namespace (see {@linkcode machineSupport}).
 *
 * @example Usage
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { startMachines } from "./machine.ts";
 * await using set = await startMachines(2);
 * const out = await set.machines[0].exec(["hostname"]);
 * assert.equal(out.stdout.trim(), set.machines[0].name);
 * ```
 */
export async function startMachines(
  count: number,
  options: StartMachinesOptions = {},
): Promise<TestMachines> {
  const reason = await machineSupport();
  if (reason) throw new Error(`Cannot start test machines: ${reason}`);
  const rootfs = await ensureDebianRootfs(options);
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  await Deno.mkdir(stateDir, { recursive: true });
  await sweepStateDirs(stateDir);
  const dir = await Deno.makeTempDir({ dir: stateDir, prefix: `run-${Deno.pid}-` });
  const keyFile = `${dir}/client_key`;
  await mustRun("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "deployer-e2e",
    "-f",
    keyFile,
  ]);
  const keyLine = (await Deno.readTextFile(`${keyFile}.pub`)).trim();
  const knownHostsFile = `${dir}/known_hosts`;
  const machines: TestMachine[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(machines.map((machine) => machine.kill()));
    for (const machine of machines) await deleteMachineNetns(machine.netns);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const trustCurrentKeys = async () => {
    await Deno.writeTextFile(
      knownHostsFile,
      machines.map((m) => `${m.address} ${m.hostPublicKey}\n`).join(""),
    );
  };
  try {
    for (let index = 2; machines.length < count; index++) {
      if (index > 250) throw new Error("No free machine address in 127.1.0.2-250");
      try {
        await createMachineNetns(`${NETNS_PREFIX}m${index}`, `127.1.0.${index}`);
      } catch (error) {
        if (String(error).includes("File exists")) continue;
        throw error;
      }
      machines.push(
        new TestMachine(
          index,
          rootfs.path,
          `${dir}/m${index}`,
          keyLine,
          options.bootTimeout ?? 60_000,
        ),
      );
    }
    await Promise.all(machines.map((machine) => machine.start()));
    await trustCurrentKeys();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    machines,
    user: MACHINE_USER,
    password: MACHINE_PASSWORD,
    keyFile,
    knownHostsFile,
    dir,
    sshOptions: (machine, overrides = {}) => ({
      slug: machine.name,
      address: machine.address,
      username: MACHINE_USER,
      keyFile,
      sudoPassword: MACHINE_PASSWORD,
      knownHostsFiles: [knownHostsFile],
      hostKeyPolicy: "strict",
      configFile: false,
      agent: false,
      ...overrides,
    }),
    trustCurrentKeys,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

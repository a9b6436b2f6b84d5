/**
 * Real Debian 12 test machines: each runs in its own mount, PID, UTS, IPC and network
 * namespaces, over its own writable overlay on the shared cached root filesystem
 * ({@linkcode ensureDebianRootfs}), with its own sshd and host keys, an init that starts
 * sshd, supervisor and nginx and reaps orphans, and a `deploy` user (key login, `sudo` asks
 * for a password). Machines are reachable at `127.1.0.N` from the client network namespace
 * only (see `machine_network.ts`); `deno task e2e` runs the tests there.
 * This module makes and tears down sets of machines; one machine's lifecycle is in
 * `test_machine.ts` ({@linkcode TestMachine}, re-exported here).
 *
 * @module
 */
import { mustRun, runTool } from "./_process.ts";
import {
  type DebianRootfsOptions,
  ensureDebianRootfs,
  MACHINE_PASSWORD,
  MACHINE_USER,
} from "./debian_rootfs.ts";
import {
  createMachineNetns,
  deleteMachineNetns,
  inClientNetwork,
  NETNS_PREFIX,
} from "./machine_network.ts";
import { TestMachine } from "./test_machine.ts";
import { exists } from "../host/_fs.ts";

export { TestMachine } from "./test_machine.ts";

/** Where machine state (writable layers) lives; one `run-<pid>-<id>` directory per set. */
const DEFAULT_STATE_DIR = "/var/tmp/deployer-machines";

/** Options of {@linkcode startMachines}. */
export interface StartMachinesOptions extends DebianRootfsOptions {
  /** Where the writable layers go (default `/var/tmp/deployer-machines`). */
  stateDir?: string;
  /** How long a boot may take, in ms (default 60000). */
  bootTimeout?: number;
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

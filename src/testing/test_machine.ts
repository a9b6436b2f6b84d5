/**
 * One Debian test machine and its process lifecycle: boots it in its own mount, PID, UTS and
 * IPC namespaces (inside its network namespace) over its writable overlay, waits until its
 * init reports sshd running, stops or kills it, throws its layer away, and runs commands in
 * it. Sets of machines are made by `startMachines` in `machine.ts`.
 *
 * @module
 */
import { runTool, type ToolOutput } from "./_process.ts";
import { processAlive } from "./_proc_tree.ts";
import { MACHINE_USER } from "./debian_rootfs.ts";
import { BOOT_SCRIPT, INIT_PATH, INIT_SCRIPT, READY_LINE } from "./machine_init.ts";
import { NETNS_PREFIX } from "./machine_network.ts";
import { exists } from "../host/_fs.ts";

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

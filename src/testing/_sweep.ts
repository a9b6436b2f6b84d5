/**
 * Removing what test runs that ended without cleaning up (killed, crashed) left behind
 * (private). Everything the test servers create carries the id of the process that owns
 * it: users `dpl-k-<pid>-…`/`dpl-p-<pid>-…`, sudoers files `deployer-test-<pid>-…`,
 * temp dirs `dpl-sshd-<pid>-…` (with the sshd processes started from them) and the run
 * directories `dpl-run-<pid>-…` of the test runner. Only leftovers whose owning
 * processes are all gone are removed, so concurrent runs keep theirs.
 *
 * @module
 */
import { descendants, processAlive, reap, signal } from "./_proc_tree.ts";
import { removeSudoers, removeUser, SUDOERS_DIR, SUDOERS_PATTERN, USER_PATTERN } from "./_users.ts";

/** Temp directory of a server set: `dpl-sshd-<pid>-<random>`. */
export const SSHD_DIR_PATTERN: RegExp = /^dpl-sshd-(\d+)-/;
/** Directory of one test-runner run: `dpl-run-<pid>-<random>`. */
export const RUN_DIR_PATTERN: RegExp = /^dpl-run-(\d+)-/;
/** File in a run directory listing every process that owns it, one PID a line. */
export const RUN_OWNERS_FILE = "owners";

/** What a sweep removed, and what it could not. */
export interface SweepReport {
  /** One line per removed thing (`user dpl-k-…`, `sshd 1234`, `dir /tmp/…`). */
  removed: string[];
  /** One line per failure; a sweep never throws. */
  errors: string[];
}

/** Where temp directories of runs may be: `$TMPDIR` and `/tmp`. */
export function tempRoots(): string[] {
  const roots = new Set(["/tmp"]);
  const tmpdir = Deno.env.get("TMPDIR");
  if (tmpdir) roots.add(tmpdir.replace(/\/+$/, "") || "/");
  return [...roots];
}

async function dead(pids: number[]): Promise<boolean> {
  for (const pid of pids) {
    if (pid === Deno.pid || await processAlive(pid)) return false;
  }
  return true;
}

async function names(path: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) found.push(entry.name);
  } catch {
    // missing or unreadable: nothing to sweep there
  }
  return found;
}

/** The test users (and user groups) named in `/etc/passwd` and `/etc/group`. */
async function testAccounts(): Promise<string[]> {
  const found = new Set<string>();
  for (const file of ["/etc/passwd", "/etc/group"]) {
    const text = await Deno.readTextFile(file).catch(() => "");
    for (const line of text.split("\n")) {
      const name = line.split(":")[0];
      if (USER_PATTERN.test(name)) found.add(name);
    }
  }
  return [...found];
}

/** sshd processes started from a `dpl-sshd-<pid>-…` directory: `[sshd pid, owner pid]`. */
async function testSshds(): Promise<[number, number][]> {
  const found: [number, number][] = [];
  for (const name of await names("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${name}/cmdline`).catch(() => "");
    // sshd rewrites its title: "sshd: /usr/sbin/sshd -D -e -f <config> [listener] ...".
    const text = cmdline.replaceAll("\0", " ");
    const owner = /\/dpl-sshd-(\d+)-[^/\s]*\/server\d+\/sshd_config(\s|$)/.exec(text);
    if (owner && /^(sshd: )?\S*sshd /.test(text)) found.push([Number(name), Number(owner[1])]);
  }
  return found;
}

async function runOwners(dir: string, pid: number): Promise<number[]> {
  const text = await Deno.readTextFile(`${dir}/${RUN_OWNERS_FILE}`).catch(() => "");
  return [pid, ...text.split("\n").filter((l) => /^\d+$/.test(l)).map(Number)];
}

async function attempt(report: SweepReport, what: string, fn: () => Promise<void>) {
  try {
    await fn();
    report.removed.push(what);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // a concurrent sweep was faster
    report.errors.push(`${what}: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * Removes the leftovers of test runs whose owning processes are gone: sshd processes,
 * test users (with their processes, homes and groups), sudoers files, temp directories.
 * Needs root for users and sudoers; without root it only does what it may.
 */
export async function sweepLeftovers(): Promise<SweepReport> {
  const report: SweepReport = { removed: [], errors: [] };
  for (const [pid, owner] of await testSshds()) {
    if (!(await dead([owner]))) continue;
    await attempt(report, `sshd ${pid}`, async () => {
      const tree = await descendants(pid);
      for (const kid of [pid, ...tree]) signal(kid, "SIGKILL");
      await reap([pid, ...tree], 5000);
    });
  }
  if (Deno.uid() === 0) {
    for (const name of await names(SUDOERS_DIR)) {
      const match = SUDOERS_PATTERN.exec(name.replace(/^\.(.*)\.tmp$/, "$1"));
      if (!match || !(await dead([Number(match[1])]))) continue;
      await attempt(report, `sudoers ${name}`, async () => {
        if (name.startsWith(".")) await Deno.remove(`${SUDOERS_DIR}/${name}`);
        else await removeSudoers(name.slice("deployer-test-".length));
      });
    }
    for (const name of await testAccounts()) {
      if (!(await dead([Number(USER_PATTERN.exec(name)![1])]))) continue;
      await attempt(report, `user ${name}`, () => removeUser(name));
    }
  }
  for (const root of tempRoots()) {
    for (const name of await names(root)) {
      const sshd = SSHD_DIR_PATTERN.exec(name);
      const run = RUN_DIR_PATTERN.exec(name);
      if (!sshd && !run) continue;
      const dir = `${root}/${name}`;
      const owners = run ? await runOwners(dir, Number(run[1])) : [Number(sshd![1])];
      if (!(await dead(owners))) continue;
      await attempt(report, `dir ${dir}`, () => Deno.remove(dir, { recursive: true }));
    }
  }
  return report;
}

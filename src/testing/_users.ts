/**
 * The OS users the test servers log in as (private). Every server set gets its own pair
 * (`dpl-k-<pid>-<id>` logs in with a key and has passwordless sudo, `dpl-p-<pid>-<id>`
 * logs in with a password and sudo asks for it) and its own sudoers file, and removes
 * them when it stops. The owning process id in the names lets a later run remove what a
 * killed run left behind (see `_sweep.ts`) without touching the users of a live run.
 *
 * @module
 */
import { mustRun, runTool, sleep } from "./_process.ts";
import { killUserProcesses } from "./_proc_tree.ts";

/** Where the per-set sudo rules live (one file per set, named after its id). */
export const SUDOERS_DIR = "/etc/sudoers.d";
/** Prefix of the sudoers file of a set: `deployer-test-<pid>-<id>`. */
export const SUDOERS_PREFIX = "deployer-test-";
/** Test user names: `dpl-k-<pid>-<hex>` (key user) or `dpl-p-<pid>-<hex>` (password user). */
export const USER_PATTERN: RegExp = /^dpl-[kp]-(\d+)-[0-9a-f]+$/;
/** Sudoers file names of test sets: `deployer-test-<pid>-<hex>`. */
export const SUDOERS_PATTERN: RegExp = /^deployer-test-(\d+)-[0-9a-f]+$/;

/** The users of one server set. */
export interface UserPair {
  /** `<pid>-<hex>`: the owning process and a random part. */
  id: string;
  /** The key user's name. */
  keyUser: string;
  /** The password user's name. */
  passwordUser: string;
  /** The password user's (random) password. */
  password: string;
}

function hex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs a user-database tool, retrying while another process holds the passwd/shadow lock. */
async function withLockRetry(program: string, args: string[], input?: string) {
  for (let attempt = 0;; attempt++) {
    const out = await runTool(program, args, input);
    if (out.code === 0 || attempt >= 100 || !/lock|try again/i.test(out.stderr)) return out;
    await sleep(20 + Math.random() * 100);
  }
}

function sudoers(pair: UserPair): string {
  const { keyUser, passwordUser } = pair;
  return `# Test users of deployer (src/testing), removed when their servers stop.
Defaults:${keyUser}, ${passwordUser} !lecture, !requiretty
Defaults:${passwordUser} timestamp_timeout=0
${keyUser} ALL=(ALL:ALL) NOPASSWD: ALL
${passwordUser} ALL=(ALL:ALL) ALL
`;
}

async function writeSudoers(pair: UserPair): Promise<void> {
  // A dot in the name makes sudo ignore the file until it is renamed into place.
  const temp = `${SUDOERS_DIR}/.${SUDOERS_PREFIX}${pair.id}.tmp`;
  await Deno.writeTextFile(temp, sudoers(pair), { mode: 0o440 });
  try {
    await Deno.chmod(temp, 0o440);
    await mustRun("visudo", ["-cf", temp]);
    await Deno.rename(temp, `${SUDOERS_DIR}/${SUDOERS_PREFIX}${pair.id}`);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** The login shell of the test users unless {@linkcode TestUsersOptions.shell} says otherwise. */
export const DEFAULT_SHELL = "/bin/bash";

/** Options of {@linkcode createTestUsers}. */
export interface TestUsersOptions {
  /** The login shell of both users (an absolute path). Default {@linkcode DEFAULT_SHELL}. */
  shell?: string;
}

async function addUser(name: string, shell: string, extra: string[]): Promise<void> {
  const out = await withLockRetry("useradd", ["-m", "-s", shell, ...extra, name]);
  if (out.code !== 0) throw new Error(`Cannot create test user "${name}": ${out.stderr.trim()}`);
}

/**
 * Removes one test user: its processes, the account, its home and its group. Missing
 * pieces are fine (this also finishes a half-done removal).
 */
export async function removeUser(name: string): Promise<void> {
  const uid = await runTool("id", ["-u", name]);
  if (uid.code === 0) {
    await killUserProcesses(Number(uid.stdout.trim()));
    const out = await withLockRetry("userdel", ["-r", "-f", name]);
    // 6: no such user (removed meanwhile); 12: the home directory was already gone. Two
    // sweeps can remove the same leftover user at once: the one that loses the race fails
    // ("cannot remove entry") although the user is gone, which is all that was asked.
    const gone = async () => (await runTool("id", ["-u", name])).code !== 0;
    if (out.code !== 0 && out.code !== 6 && out.code !== 12 && !(await gone())) {
      throw new Error(`Cannot remove test user "${name}": ${out.stderr.trim()}`);
    }
  }
  if ((await runTool("getent", ["group", name])).code === 0) {
    await withLockRetry("groupdel", [name]);
  }
}

/** Removes the sudoers file of a set (absent is fine). */
export async function removeSudoers(id: string): Promise<void> {
  await Deno.remove(`${SUDOERS_DIR}/${SUDOERS_PREFIX}${id}`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Removes both users of a set and its sudoers file. */
export async function removeTestUsers(pair: UserPair): Promise<void> {
  await removeSudoers(pair.id);
  await removeUser(pair.keyUser);
  await removeUser(pair.passwordUser);
}

/** Creates a fresh pair of test users with their sudo rules (needs root). */
export async function createTestUsers(options: TestUsersOptions = {}): Promise<UserPair> {
  const shell = options.shell ?? DEFAULT_SHELL;
  if (!shell.startsWith("/")) {
    throw new Error(`The login shell of the test users must be an absolute path, got "${shell}"`);
  }
  if (Deno.uid() !== 0) {
    throw new Error(
      "The SSH test servers need root: sshd must switch to the test users it creates; " +
        "run the tests as root",
    );
  }
  const id = `${Deno.pid}-${hex(3)}`;
  const pair: UserPair = {
    id,
    keyUser: `dpl-k-${id}`,
    passwordUser: `dpl-p-${id}`,
    password: hex(16),
  };
  try {
    // `-p '*'`: no password, but not locked (sshd without PAM refuses locked accounts).
    await addUser(pair.keyUser, shell, ["-p", "*"]);
    await addUser(pair.passwordUser, shell, []);
    const out = await withLockRetry("chpasswd", [], `${pair.passwordUser}:${pair.password}\n`);
    if (out.code !== 0) {
      throw new Error(
        `Cannot set the password of test user "${pair.passwordUser}": ${out.stderr.trim()}`,
      );
    }
    await writeSudoers(pair);
    return pair;
  } catch (error) {
    await removeTestUsers(pair).catch(() => {});
    throw error;
  }
}

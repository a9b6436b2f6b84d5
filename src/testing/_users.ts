/**
 * The two OS users the test servers log in as (private). Creation is idempotent and
 * safe when several test files start servers at the same time.
 *
 * @module
 */
import { mustRun, randomToken, runTool, sleep } from "./_process.ts";

/** The user that logs in with a key and has passwordless sudo. */
export const KEY_USER = "dpl-key";
/** The user that logs in with a password and whose sudo asks for it. */
export const PASSWORD_USER = "dpl-pass";

const SUDOERS_FILE = "/etc/sudoers.d/deployer-test";
const SUDOERS = `# Test users of deployer (src/testing); safe to delete.
Defaults:${KEY_USER}, ${PASSWORD_USER} !lecture, !requiretty
Defaults:${PASSWORD_USER} timestamp_timeout=0
${KEY_USER} ALL=(ALL:ALL) NOPASSWD: ALL
${PASSWORD_USER} ALL=(ALL:ALL) ALL
`;
const STATE_DIR = "/var/lib/deployer-test";
const PASSWORD_FILE = `${STATE_DIR}/${PASSWORD_USER}.password`;

/** Runs a user-database tool, retrying while another process holds the passwd/shadow lock. */
async function withLockRetry(program: string, args: string[], input?: string) {
  for (let attempt = 0;; attempt++) {
    const out = await runTool(program, args, input);
    if (out.code === 0 || attempt >= 60 || !/lock|try again/i.test(out.stderr)) return out;
    await sleep(50 + Math.random() * 200);
  }
}

async function userExists(name: string): Promise<boolean> {
  return (await runTool("id", ["-u", name])).code === 0;
}

async function ensureUser(name: string, extra: string[]): Promise<void> {
  if (await userExists(name)) return;
  const out = await withLockRetry("useradd", ["-m", "-s", "/bin/bash", ...extra, name]);
  // Exit code 9: created meanwhile by a concurrent test file.
  if (out.code !== 0 && !(await userExists(name))) {
    throw new Error(`Cannot create test user "${name}": ${out.stderr.trim()}`);
  }
}

/** sshd (without PAM) refuses accounts whose shadow password starts with `!`. */
async function unlockForKeys(name: string): Promise<void> {
  const shadow = await Deno.readTextFile("/etc/shadow");
  const line = shadow.split("\n").find((l) => l.startsWith(`${name}:`));
  if (line && line.split(":")[1].startsWith("!")) {
    const out = await withLockRetry("usermod", ["-p", "*", name]);
    if (out.code !== 0) throw new Error(`Cannot unlock test user "${name}": ${out.stderr.trim()}`);
  }
}

/**
 * The password of the password user. It is random per machine and kept in a root-only
 * file, so that concurrent test files agree on it (setting a new one per call would
 * break the servers another file already uses).
 */
async function machinePassword(): Promise<string> {
  await Deno.mkdir(STATE_DIR, { recursive: true, mode: 0o700 });
  try {
    return (await Deno.readTextFile(PASSWORD_FILE)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const temp = `${PASSWORD_FILE}.${randomToken(6)}.tmp`;
  await Deno.writeTextFile(temp, `${randomToken(18)}\n`, { mode: 0o600 });
  try {
    await Deno.link(temp, PASSWORD_FILE); // atomic; fails if another process won
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  } finally {
    await Deno.remove(temp);
  }
  return (await Deno.readTextFile(PASSWORD_FILE)).trim();
}

async function ensureSudoers(): Promise<void> {
  try {
    if (await Deno.readTextFile(SUDOERS_FILE) === SUDOERS) return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  // A dot in the name makes sudo ignore the file until it is renamed into place.
  const temp = `/etc/sudoers.d/.deployer-test.${randomToken(6)}.tmp`;
  await Deno.writeTextFile(temp, SUDOERS, { mode: 0o440 });
  try {
    await Deno.chmod(temp, 0o440);
    await mustRun("visudo", ["-cf", temp]);
    await Deno.rename(temp, SUDOERS_FILE);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Creates (or repairs) both test users and their sudo rules; returns the password user's password. */
export async function ensureTestUsers(): Promise<string> {
  if (Deno.uid() !== 0) {
    const missing = !(await userExists(KEY_USER)) || !(await userExists(PASSWORD_USER));
    throw new Error(
      `The SSH test servers need root: sshd must switch to the test users "${KEY_USER}" and ` +
        `"${PASSWORD_USER}"${missing ? " (which do not exist yet)" : ""}; run the tests as root`,
    );
  }
  await ensureUser(KEY_USER, ["-p", "*"]);
  await ensureUser(PASSWORD_USER, []);
  await unlockForKeys(KEY_USER);
  const password = await machinePassword();
  const out = await withLockRetry("chpasswd", [], `${PASSWORD_USER}:${password}\n`);
  if (out.code !== 0) {
    throw new Error(
      `Cannot set the password of test user "${PASSWORD_USER}": ${out.stderr.trim()}`,
    );
  }
  await ensureSudoers();
  return password;
}

// Over SSH, sshd hands the command text to the login shell. A connection finds out with its
// first command whether that shell is the host's /bin/sh; from then on, commands go without
// the `sh -c '<…>'` wrapper (one process less), and every other login shell keeps it.
import assert from "node:assert/strict";
import { Env, sh } from "../../mod.ts";
import type { Terminal } from "../../src/host/mod.ts";
import type { SshHost } from "../../src/host/ssh/mod.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { descendants, reap } from "../../src/testing/_proc_tree.ts";
import { CONTEXT, keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

/**
 * The name of the process that started the command's shell: `sh` when the login shell
 * ran it through the wrapper (dash waits for it), `sshd` when sshd started it directly.
 */
const PARENT = sh`cat /proc/$PPID/comm`;

async function parentOf(env: Env, host: SshHost): Promise<string> {
  return (await env.host(host).run(PARENT)).stdout.trim();
}

/** Kills the per-connection processes of one test server; its listener stays up. */
async function killSessions(ssh: TestServers): Promise<void> {
  const sessions = await descendants(ssh.servers[0].pid);
  assert.ok(sessions.length > 0, "the server has a session to kill");
  for (const pid of sessions) Deno.kill(pid, "SIGKILL");
  await reap(sessions, 10_000);
}

/** Resolves once `test` holds, checking every 10 ms for at most 30 s. */
async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 30 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test(
  "login shell /bin/sh: the first command finds out, the next ones go without the wrapper",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { shell: "/bin/sh" });
    await using env = new Env({ interactive: false });
    const host = keyHost(ssh);
    const connection = await env.host(host).services.connection(host);
    assert.equal(connection.loginShellIsSh, undefined);
    assert.equal(await parentOf(env, host), "sh", "the first command keeps the wrapper");
    assert.equal(connection.loginShellIsSh, true);
    assert.match(await parentOf(env, host), /^sshd/);
    assert.match(await parentOf(env, host), /^sshd/);
    // sudo starts `sh` itself, whatever the login shell.
    assert.equal((await env.host(host).sudo(sh`whoami`)).stdout, "root\n");
    assert.equal((await env.host(host).sudo(PARENT)).stdout.trim(), "sudo");
  },
);

Deno.test(
  "login shell /bin/sh: the command sees the same shell, variables and directory either way",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { shell: "/bin/sh" });
    await using env = new Env({ interactive: false });
    const host = keyHost(ssh);
    const look = sh`echo "$0 $- $#"; readlink /proc/$$/exe; pwd; env | sort`;
    const wrapped = await env.host(host).run(look);
    const direct = await env.host(host).run(look);
    assert.match(await parentOf(env, host), /^sshd/, "the second command went without it");
    assert.equal(direct.stdout, wrapped.stdout);
    const handle = env.host(host);
    {
      using _cd = handle.cd("/tmp");
      using _env = handle.env("A_B", "it's");
      using _p = handle.prefix(sh`export FROM_PREFIX=yes`);
      const r = await handle.run(sh`pwd; echo "$A_B $FROM_PREFIX"`);
      assert.equal(r.stdout, "/tmp\nit's yes\n");
    }
    const code = await env.host(host).run(sh`exit 9`, { noThrow: true });
    assert.equal(code.code, 9);
  },
);

Deno.test(
  "login shell bash: every command keeps the wrapper and runs in sh",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1); // the test users' default login shell: bash
    await using env = new Env({ interactive: false });
    const host = keyHost(ssh);
    const connection = await env.host(host).services.connection(host);
    for (let i = 0; i < 3; i++) {
      const r = await env.host(host).run(sh`echo "\${BASH_VERSION:-no bash}"; echo "$SHELL"`);
      assert.equal(r.stdout, "no bash\n/bin/bash\n");
      assert.equal(connection.loginShellIsSh, false);
    }
  },
);

Deno.test(
  "a login shell run by /bin/sh that starts another shell keeps the wrapper",
  NEEDS_SSH,
  async () => {
    // The login shell is a script: /bin/sh runs it and it starts bash (without `exec`), so
    // the wrapper's parent is /bin/sh, but $SHELL names the script.
    const dir = await Deno.makeTempDir({ prefix: "deployer-login-shell-" });
    try {
      await Deno.chmod(dir, 0o755);
      const shell = `${dir}/bash-via-sh`;
      await Deno.writeTextFile(shell, '#!/bin/sh\n/bin/bash "$@"\n');
      await Deno.chmod(shell, 0o755);
      await using ssh = await startSshServers(1, { shell });
      await using env = new Env({ interactive: false });
      const host = keyHost(ssh);
      const connection = await env.host(host).services.connection(host);
      for (let i = 0; i < 3; i++) {
        const r = await env.host(host).run(sh`echo "\${BASH_VERSION:-no bash}"`);
        assert.equal(r.stdout, "no bash\n");
        assert.equal(connection.loginShellIsSh, false);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "login shell /bin/sh: a new connection after a drop finds out again",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { shell: "/bin/sh" });
    await using env = new Env({ interactive: false });
    const host = keyHost(ssh);
    const connection = await env.host(host).services.connection(host);
    assert.equal(await parentOf(env, host), "sh");
    assert.match(await parentOf(env, host), /^sshd/);
    await killSessions(ssh);
    await until(() => !connection.alive, "the client sees the connection drop");
    assert.equal(connection.loginShellIsSh, undefined);
    assert.equal(await parentOf(env, host), "sh", "the first command after the drop wraps");
    const again = await env.host(host).services.connection(host);
    assert.equal(again.loginShellIsSh, true);
    assert.match(await parentOf(env, host), /^sshd/);
  },
);

Deno.test(
  "SshConnection: what it learned about the login shell ends with the connection",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { shell: "/bin/sh" });
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      const first = await connection.exec("true");
      await first.closeStdin();
      await first.status;
      connection.learnLoginShell!(first, true);
      assert.equal(connection.loginShellIsSh, true);
      await killSessions(ssh);
      await until(() => !connection.alive, "the client sees the connection drop");
      assert.equal(connection.loginShellIsSh, undefined);
      // The same connection opens again on its next use, and knows nothing yet.
      const second = await connection.exec("true");
      await second.closeStdin();
      await second.status;
      assert.equal(connection.loginShellIsSh, undefined);
      connection.learnLoginShell!(first, true); // from before the drop: ignored
      assert.equal(connection.loginShellIsSh, undefined);
      connection.learnLoginShell!(second, false);
      assert.equal(connection.loginShellIsSh, false);
    } finally {
      await connection.close();
    }
  },
);

Deno.test(
  "login shell /bin/sh: a stopped command without the wrapper leaves no process behind",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { shell: "/bin/sh" });
    await using env = new Env({ interactive: false });
    const host = keyHost(ssh);
    await env.host(host).run(sh`true`);
    const tag = `deployer-stop-${crypto.randomUUID().slice(0, 8)}`;
    const error = await env.host(host).run(`sleep 30 & sleep 31; echo ${tag}`, { timeout: 300 })
      .catch((e) => e);
    assert.match(String(error?.message), /timed out after 300 ms/);
    const pattern = `[d]${tag.slice(1)}`;
    let left = "";
    const deadline = Date.now() + 60_000;
    do {
      left = (await env.host(host).run(sh`pgrep -f ${pattern}; pgrep -x -u "$(id -u)" sleep; true`))
        .stdout.trim();
      if (!left) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.equal(left, "", "the command's processes are gone");
  },
);

Deno.test(
  "a bash login shell whose ~/.bashrc sets SHELL=/bin/sh keeps the wrapper",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    // bash reads ~/.bashrc when sshd starts it for a command (Debian builds it so).
    const home = `/home/${ssh.keyUser.name}`;
    await Deno.writeTextFile(`${home}/.bashrc`, "export SHELL=/bin/sh\n", { mode: 0o644 });
    await using env = new Env({ interactive: false });
    const host = keyHost(ssh);
    const connection = await env.host(host).services.connection(host);
    for (let i = 0; i < 3; i++) {
      const r = await env.host(host).run(sh`echo "\${BASH_VERSION:-no bash} $SHELL"`);
      assert.equal(r.stdout, "no bash /bin/sh\n");
      assert.equal(connection.loginShellIsSh, false);
    }
  },
);

Deno.test(
  "login shell /bin/sh: commands with a terminal find out and go without the wrapper too",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { shell: "/bin/sh" });
    let shown = "";
    // A recording stand-in for the local terminal; the PTY itself is real, on sshd.
    const terminal: Terminal = {
      isTTY: true,
      term: "xterm",
      size: () => ({ cols: 80, rows: 24 }),
      attach: () => () => {},
      write: (data) => void (shown += new TextDecoder().decode(data)),
    };
    await using env = new Env({ terminal });
    const host = keyHost(ssh);
    const look = sh`tty; cat /proc/$PPID/comm`;
    const first = await env.host(host).run(look, { interactive: true });
    assert.match(first.stdout, /^\/dev\/pts\/\d+\r\nsh\r\n$/);
    const second = await env.host(host).run(look, { interactive: true });
    assert.match(second.stdout, /^\/dev\/pts\/\d+\r\nsshd[^\r]*\r\n$/);
    assert.doesNotMatch(shown, /deployer-(session|shell)/);
  },
);

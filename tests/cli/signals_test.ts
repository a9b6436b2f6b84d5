/**
 * The CLI, as a subprocess, stops the remote work on every termination signal: SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT stop the sudo'd commands (and their children) on every host,
 * say so, and exit with 128 + the signal's number. Checked on the hosts (this machine).
 */
import assert from "node:assert/strict";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { killAll, processesWith, uniqueSeconds } from "../_support/procs.ts";
import { FIXTURES, PERMS, REPO } from "./helpers.ts";
import { tempHome } from "../_support/home.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

function sshSetup(ssh: TestServers, seconds: number) {
  return {
    servers: ssh.servers.map((s) => ({ slug: s.slug, address: s.address, port: s.port })),
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFile: ssh.knownHostsFile,
    seconds,
  };
}

const CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 };

async function interrupt(
  ssh: TestServers,
  user: "key" | "password",
  signal: Deno.Signal,
): Promise<void> {
  const seconds = uniqueSeconds();
  const setup = {
    servers: ssh.servers.map((s) => ({ slug: s.slug, address: s.address, port: s.port })),
    username: user === "key" ? ssh.keyUser.name : ssh.passwordUser.name,
    keyFile: user === "key" ? ssh.keyUser.keyFile : undefined,
    password: user === "key" ? undefined : ssh.passwordUser.password,
    knownHostsFile: ssh.knownHostsFile,
    seconds,
  };
  await using home = await tempHome();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-lock",
      ...PERMS,
      `${FIXTURES}ssh_hold.ts`,
      "run",
      "--non-interactive",
      "--",
      "hold",
    ],
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1", ...home.env, DPL_TEST_SSH: JSON.stringify(setup) },
  }).spawn();
  try {
    const decoder = new TextDecoder();
    const reader = child.stderr.getReader();
    let stderr = "";
    const readies = () => ssh.servers.filter((s) => stderr.includes(`[${s.slug}] ready`)).length;
    while (readies() < ssh.servers.length) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The CLI ended before every host was ready:\n${stderr}`);
      stderr += decoder.decode(value, { stream: true });
    }
    assert.ok((await processesWith(`sleep ${seconds}`)).length >= 3 * ssh.servers.length);
    child.kill(signal);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += decoder.decode(value, { stream: true });
    }
    const status = await child.status;
    assert.equal(status.code, CODES[signal], stderr);
    const stopped = /Interrupted Hold\.hold.*: stopped the commands on ([^.;]*)\.\n/.exec(stderr);
    assert.ok(stopped, stderr);
    assert.deepEqual(stopped[1].split(", ").sort(), ssh.servers.map((s) => s.slug));
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // ended
    }
    await child.status;
    await killAll(`sleep ${seconds}`);
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
  Deno.test(
    `cli ${signal}: sudo'd commands on 2 hosts are stopped, exit ${CODES[signal]}`,
    NEEDS_SSH,
    async () => {
      await using ssh = await startSshServers(2);
      await interrupt(ssh, "key", signal);
    },
  );
}

Deno.test(
  "cli SIGINT: commands under a sudo that asks for a password are stopped too",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    await interrupt(ssh, "password", "SIGINT");
  },
);

Deno.test(
  "cli shell: SIGTERM stops the action running in the shell, then exits 143",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const seconds = uniqueSeconds();
    const words = [
      Deno.execPath(),
      "run",
      "--quiet",
      "--no-lock",
      ...PERMS,
      `${FIXTURES}ssh_hold.ts`,
    ];
    const command = [...words, "run"].map((w) => `'${w}'`).join(" ");
    await using home = await tempHome(); // the shell writes its history there
    const child = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      cwd: REPO,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
      env: {
        NO_COLOR: "1",
        TERM: "dumb",
        ...home.env,
        DPL_TEST_SSH: JSON.stringify(sshSetup(ssh, seconds)),
      },
    }).spawn();
    const reader = child.stdout.getReader();
    const writer = child.stdin.getWriter();
    const decoder = new TextDecoder();
    let screen = "";
    const until = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error(`The shell ended early:\n${screen}`);
        screen += decoder.decode(value, { stream: true });
      }
    };
    try {
      await until(() => screen.includes("Hold > "));
      await writer.write(new TextEncoder().encode("hold\r"));
      await until(() => (screen.match(/\] ready/g) ?? []).length >= 2);
      const [cli] = (await processesWith(`${FIXTURES}ssh_hold.ts run`))
        .filter((p) => p.cmdline.startsWith(Deno.execPath()));
      assert.ok(cli, "the CLI process");
      Deno.kill(cli.pid, "SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        screen += decoder.decode(value, { stream: true });
      }
      assert.equal((await child.status).code, 143, screen);
      assert.match(screen, /SIGTERM: stopped the commands on (sshd1, sshd2|sshd2, sshd1)\./);
      assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
    } finally {
      await writer.close().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // ended
      }
      await child.status;
      await killAll(`sleep ${seconds}`);
    }
  },
);

Deno.test("cli SIGTERM twice: a local command ignoring TERM is killed before the exit", async () => {
  const seconds = uniqueSeconds();
  await using home = await tempHome();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", ...PERMS, `${FIXTURES}fleet.ts`, "run", "--", "stubborn"],
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1", ...home.env, DPL_TEST_SECONDS: String(seconds) },
  }).spawn();
  const reader = child.stderr.getReader();
  const decoder = new TextDecoder();
  let stderr = "";
  const readUntil = async (text: string) => {
    while (!stderr.includes(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The CLI ended before "${text}":\n${stderr}`);
      stderr += decoder.decode(value, { stream: true });
    }
  };
  try {
    await readUntil("[db1] started");
    child.kill("SIGTERM");
    await readUntil("stopping the running commands");
    child.kill("SIGTERM");
    await readUntil("SIGTERM again: exiting now.");
    reader.releaseLock();
    await child.stderr.cancel();
    assert.equal((await child.status).code, 143, stderr);
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // ended
    }
    await child.status;
    await killAll(`sleep ${seconds}`);
  }
});

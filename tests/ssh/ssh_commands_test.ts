import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost, run } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test("ssh exec: stdout, stderr and exit code", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  try {
    const r = await run(connection, "echo out; echo err >&2; exit 3");
    assert.deepEqual(r, { stdout: "out\n", stderr: "err\n", code: 3 });
    assert.equal((await run(connection, "true")).code, 0);
    assert.equal((await run(connection, "whoami")).stdout, `${ssh.keyUser.name}\n`);
    assert.equal(await connection.startPath(), `/home/${ssh.keyUser.name}`);
    assert.equal(await connection.home(), `/home/${ssh.keyUser.name}`);
    assert.ok(connection.alive);
  } finally {
    await connection.close();
    await connection.close(); // idempotent
  }
  assert.equal(connection.alive, false);
});

Deno.test("ssh exec: stdin is delivered and closed", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  try {
    const r = await run(connection, "cat; echo done", { stdin: "line1\nline2\n" });
    assert.equal(r.stdout, "line1\nline2\ndone\n");
    const big = "x".repeat(1_000_000);
    assert.equal((await run(connection, "wc -c", { stdin: big })).stdout.trim(), "1000000");
  } finally {
    await connection.close();
  }
});

Deno.test("ssh exec with a pty: tty, merged output, resize", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  try {
    const r = await run(connection, "tty; echo err >&2", { pty: true });
    assert.match(r.stdout, /^\/dev\/pts\/\d+\r\nerr\r\n$/);
    assert.equal(r.stderr, "");
    let out = "";
    let ready: () => void;
    const started = new Promise<void>((resolve) => ready = resolve);
    // The command waits for a line: the resize is sent once it runs, before that line.
    const proc = await connection.exec("stty -echo; echo ready; read x; stty size", {
      pty: { term: "xterm", cols: 80, rows: 24 },
      onStdout: (c) => {
        out += new TextDecoder().decode(c);
        if (out.includes("ready")) ready();
      },
    });
    await started;
    proc.resize(132, 50);
    await proc.write("go\n");
    assert.equal((await proc.status).code, 0);
    assert.equal(out.replace("ready", "").trim(), "50 132");
  } finally {
    await connection.close();
  }
});

Deno.test("ssh shell: the login shell runs under a pty", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  try {
    let out = "";
    const shell = await connection.shell({
      pty: { term: "dumb", cols: 100, rows: 30 },
      onStdout: (c) => (out += new TextDecoder().decode(c)),
    });
    await shell.write("echo $((6*7)); stty size; exit 4\n");
    assert.equal((await shell.status).code, 4);
    assert.match(out, /\r\n42\r\n30 100\r\n/);
  } finally {
    await connection.close();
  }
});

Deno.test(
  "ssh exec: 20 concurrent commands share one connection, queued under the limit",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh, 0, { maxSessions: 4 }).connect(CONTEXT);
    const log = `/tmp/deployer-ssh-concurrency-${crypto.randomUUID()}`;
    try {
      // Each command waits (at most 60 s) until four have started: the first four meet
      // there, so four channels are open at once; with no limit more would be.
      const barrier = `n=0; while [ "$(grep -c + ${log})" -lt 4 ] && [ $n -lt 6000 ]; ` +
        `do sleep 0.01; n=$((n+1)); done`;
      const results = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => run(connection, `echo + >> ${log}; ${barrier}; echo - >> ${log}; echo ${i}`),
        ),
      );
      assert.deepEqual(results.map((r) => r.stdout), results.map((_, i) => `${i}\n`));
      const events = (await run(connection, `cat ${log}`)).stdout.trim().split("\n");
      let open = 0;
      let most = 0;
      for (const e of events) {
        open += e === "+" ? 1 : -1;
        most = Math.max(most, open);
      }
      assert.equal(events.length, 40);
      assert.ok(most <= 4, `at most 4 channels at once, saw ${most}`);
      assert.equal(most, 4, `four channels ran at once, saw ${most}`);
    } finally {
      await run(connection, `rm -f ${log}`);
      await connection.close();
    }
  },
);

Deno.test(
  "ssh exec: the default limit of 8 channels lets 20 concurrent commands through",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => run(connection, `sleep 0.05; echo ${i}`)),
      );
      assert.deepEqual(
        results.map((r) => [r.code, r.stdout]),
        results.map((_, i) => [0, `${i}\n`]),
      );
    } finally {
      await connection.close();
    }
  },
);

Deno.test(
  "ssh kill: a command the caller stops ends promptly with the signal",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      const proc = await connection.exec("sleep 60");
      proc.kill(); // at once: sshd may not have started the process yet
      const status = await proc.status;
      assert.equal(status.code, null);
      assert.equal(status.signal, "TERM");
      // A command that ignores TERM gets KILL after the grace period (2 s).
      let pid = "";
      const stubborn = await connection.exec("trap '' TERM; echo $$; exec sleep 60", {
        onStdout: (c) => (pid += new TextDecoder().decode(c)),
      });
      while (!pid.endsWith("\n")) await new Promise((r) => setTimeout(r, 10));
      stubborn.kill("TERM");
      const s2 = await stubborn.status;
      assert.equal(s2.code, null);
      assert.ok(s2.signal === "KILL" || s2.signal === "TERM", `signal ${s2.signal}`);
      const gone = await run(
        connection,
        `kill -0 ${pid.trim()} 2>/dev/null && echo alive || echo gone`,
      );
      assert.equal(gone.stdout, "gone\n");
      assert.equal((await run(connection, "echo still usable")).stdout, "still usable\n");
    } finally {
      await connection.close();
    }
  },
);

Deno.test(
  "ssh: a server killed during a command ends it; the next operation reconnects",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      const proc = await connection.exec("sleep 60");
      await ssh.servers[0].stop();
      const status = await proc.status;
      assert.equal(status.code, null);
      assert.equal(connection.alive, false);
      // The next operation tries to reconnect once; the server is gone, so it is refused.
      const error = await connection.exec("true").catch((e) => e);
      assert.equal(error.name, "ConnectionError");
      assert.match(error.message, new RegExp(`host "${ssh.servers[0].slug}".*connection refused`));
    } finally {
      await connection.close();
    }
  },
);

async function tree(pid: number): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-P", String(pid)], stdout: "piped" })
    .output();
  const children = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean).map(Number);
  const all: number[] = [];
  for (const child of children) all.push(child, ...(await tree(child)));
  return all;
}

Deno.test(
  "ssh: a dropped connection is re-opened once, transparently, by the next operation",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      const proc = await connection.exec("sleep 60");
      const before = (await connection.stat("/")).isDir;
      // Kill the per-connection sshd processes, not the listener.
      for (const pid of await tree(ssh.servers[0].pid)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      assert.deepEqual(await proc.status, { code: null });
      assert.equal(connection.alive, false);
      assert.equal((await run(connection, "echo again")).stdout, "again\n");
      assert.equal(connection.alive, true);
      assert.equal((await connection.stat("/")).isDir, before); // a new SFTP session too
    } finally {
      await connection.close();
    }
  },
);

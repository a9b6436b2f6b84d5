/**
 * Review of large uploads (≥ 1 MiB, bytes through `cat` on an exec channel) against a real
 * sshd: hostile target names, a login shell that prints junk or is not a shell, sudo with
 * a password (no secret in any command line), a full file system, a connection dropped
 * mid-stream.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { processesWith } from "../_support/procs.ts";

const MiB = 1024 * 1024;

function pattern(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7 + seed + (i >> 10)) & 0xff;
  return data;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function tool(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`${program} ${args.join(" ")}: ${text.decode(out.stderr)}`);
  }
  return text.decode(out.stdout);
}

/** The key user's home on the test machine (this machine). */
async function homeOf(ssh: TestServers): Promise<string> {
  return (await tool("getent", ["passwd", ssh.keyUser.name])).split(":")[5];
}

Deno.test(
  "review upload: hostile target names arrive intact, nothing runs",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const home = await homeOf(ssh);
    const dir = `${home}/hostile`;
    await host.run(`mkdir -p '${dir}'`);
    const names = [
      "with space",
      "it's",
      'dq"uote',
      "new\nline",
      "-leading-dash",
      "$(touch PWNED1)",
      "`touch PWNED2`",
      "semi;touch PWNED3",
      "back\\slash",
      "bang!x",
      "glob*?[a]",
      "ünïcødé",
      "x".repeat(250),
      "é".repeat(127), // 254 bytes
    ];
    const data = names.map((_, i) => pattern(MiB + 3 * i, i));
    for (const [i, name] of names.entries()) {
      await host.writeFile(`${dir}/${name}`, data[i], { mode: 0o640 });
    }
    for (const [i, name] of names.entries()) {
      assert.ok(same(await host.readFile(`${dir}/${name}`), data[i]), JSON.stringify(name));
      assert.equal((await host.stat(`${dir}/${name}`)).mode & 0o777, 0o640, JSON.stringify(name));
    }
    assert.deepEqual((await host.listdir(dir)).sort(), [...names].sort());
    const home_ = (await host.listdir(home)).filter((n) => n.startsWith("PWNED"));
    assert.deepEqual(home_, []);
  },
);

Deno.test(
  "review upload: a .bashrc that prints junk does not fool the probe or the data",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = await homeOf(ssh);
    // bash runs ~/.bashrc for commands sshd starts (Debian's SSH_SOURCE_BASHRC).
    await Deno.writeTextFile(
      `${home}/.bashrc`,
      "echo junk-on-stdout; echo junk-on-stderr >&2; printf 'deployer-stream-ok\\n'\n",
    );
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const data = pattern(2 * MiB + 1, 3);
    await host.writeFile(`${home}/junk.bin`, data);
    assert.ok(same(await host.readFile(`${home}/junk.bin`), data));
    assert.deepEqual((await host.listdir(home)).filter((n) => n.includes("deployer-tmp")), []);
  },
);

Deno.test(
  "review upload: login shell /bin/false: large uploads still work (by SFTP)",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = await homeOf(ssh);
    await tool("usermod", ["-s", "/bin/false", ssh.keyUser.name]);
    const connection = await keyHost(ssh).connect(CONTEXT);
    try {
      const data = pattern(2 * MiB + 5, 4);
      await connection.writeFile(`${home}/nologin.bin`, data, { mode: 0o600 });
      assert.ok(same(await connection.readFile(`${home}/nologin.bin`), data));
      assert.equal((await connection.stat(`${home}/nologin.bin`)).mode & 0o777, 0o600);
    } finally {
      await connection.close();
    }
  },
);

Deno.test(
  "review upload: a full file system fails with host and path, leaves no temporary file",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = await homeOf(ssh);
    const uid = (await tool("id", ["-u", ssh.keyUser.name])).trim();
    const mnt = `${home}/small`;
    await Deno.mkdir(mnt);
    await tool("mount", ["-t", "tmpfs", "-o", `size=1m,uid=${uid},mode=0755`, "tmpfs", mnt]);
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const error = await host.writeFile(`${mnt}/big.bin`, pattern(3 * MiB, 1)).then(
        () => undefined,
        (e) => e as Error,
      );
      assert.ok(error, "the write must fail");
      assert.match(error.message, new RegExp(ssh.servers[0].slug));
      assert.match(error.message, /big\.bin/);
      assert.match(error.message, /No space left|space/i);
      assert.deepEqual(await host.listdir(mnt), []);
      // The same through SFTP writes (a small file first fills the rest).
      const sftpError = await host.writeFile(`${mnt}/a.bin`, pattern(MiB - 1, 2)).then(
        () => host.writeFile(`${mnt}/b.bin`, pattern(MiB - 1, 2)),
      ).then(() => undefined, (e) => e as Error);
      assert.ok(sftpError, "the SFTP write must fail");
      assert.match(sftpError.message, /b\.bin/);
    } finally {
      await tool("umount", ["-l", mnt]);
    }
  },
);

/** The sshd processes below the test server (its per-connection processes). */
async function sessionsOf(server: { pid: number }): Promise<number[]> {
  const parent = new Map<number, number>();
  const sshd = new Set<number>();
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    parent.set(Number(e.name), Number(fields[1]));
    if (stat.includes("(sshd")) sshd.add(Number(e.name));
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === server.pid) return true;
    }
    return false;
  };
  return [...sshd].filter(below);
}

Deno.test(
  "review upload: a connection dropped mid-stream: error names host and path, temp removed",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = await homeOf(ssh);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    await host.run("true"); // connected
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let sent: () => void = () => {};
    const halfway = new Promise<void>((resolve) => (sent = resolve));
    let n = 0;
    const data = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (n === 4) {
          sent();
          await held;
        }
        if (n++ < 8) controller.enqueue(pattern(512 * 1024, n));
        else controller.close();
      },
    });
    const writing = host.writeFile(`${home}/dropped.bin`, data).then(
      () => undefined,
      (e) => e as Error,
    );
    await halfway;
    // The stream is under way: its `cat` runs.
    const cats = (await processesWith("cat")).filter((p) => p.cmdline === "cat");
    assert.ok(cats.length > 0, "cat runs");
    const kids = await sessionsOf(ssh.servers[0]);
    for (const pid of kids) Deno.kill(pid, "SIGKILL");
    release();
    const error = await writing;
    assert.ok(error, "the write must fail");
    assert.equal(error.name, "ConnectionError");
    assert.match(error.message, new RegExp(`"${ssh.servers[0].slug}"`));
    assert.match(error.message, /dropped\.bin/);
    // The next session removes the temporary file.
    const names = await host.listdir(home);
    assert.deepEqual(names.filter((x) => x.includes("dropped")), []);
  },
);

Deno.test(
  "review upload: sudo with a password: a large upload lands, no secret in any argv",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh, 0, {
      username: ssh.passwordUser.name,
      password: ssh.passwordUser.password,
      keyFile: undefined,
    }));
    const dir = await Deno.makeTempDir({ prefix: "deployer-review-" });
    try {
      const data = pattern(4 * MiB + 9, 6);
      let done = false;
      const hits = new Set<string>();
      const sampling = (async () => {
        while (!done) {
          for (const p of await processesWith(ssh.passwordUser.password!)) hits.add(p.cmdline);
        }
      })();
      await host.writeFile(`${dir}/root.bin`, data, { useSudo: true, mode: 0o640 });
      done = true;
      await sampling;
      assert.deepEqual([...hits], []);
      const back = await Deno.readFile(`${dir}/root.bin`);
      assert.ok(same(back, data));
      const st = await Deno.stat(`${dir}/root.bin`);
      assert.equal(st.uid, 0);
      assert.equal(st.mode! & 0o777, 0o640);
      // Nothing is left in the login directory.
      const home = (await tool("getent", ["passwd", ssh.passwordUser.name])).split(":")[5];
      const left = [];
      for await (const e of Deno.readDir(home)) if (e.name.includes("deployer")) left.push(e.name);
      assert.deepEqual(left, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "review upload: a source that fails mid-stream: its error, no temporary file",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = await homeOf(ssh);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    let n = 0;
    const data = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ < 4) controller.enqueue(pattern(512 * 1024, n));
        else controller.error(new Error("disk read failed"));
      },
    });
    await assert.rejects(host.writeFile(`${home}/broken.bin`, data), /disk read failed/);
    assert.deepEqual((await host.listdir(home)).filter((x) => x.includes("broken")), []);
  },
);

Deno.test(
  "review upload: large uploads into a read-only directory and through a symbolic link",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = await homeOf(ssh);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    await host.run(`mkdir '${home}/ro' '${home}/real' && chmod 555 '${home}/ro'`);
    const error = await host.writeFile(`${home}/ro/big.bin`, pattern(2 * MiB, 7)).then(
      () => undefined,
      (e) => e as Error,
    );
    assert.ok(error, "the write must fail");
    assert.match(error.message, new RegExp(`"${ssh.servers[0].slug}"`));
    assert.match(error.message, /ro\/\.?big\.bin/);
    assert.match(error.message, /ermission denied/);
    // A link is written through: the link stays, the file it points to is replaced.
    await host.run(`echo old > '${home}/real/f' && ln -s real/f '${home}/link'`);
    const data = pattern(2 * MiB + 9, 8);
    await host.writeFile(`${home}/link`, data);
    assert.ok((await host.stat(`${home}/link`, { lstat: true })).isSymlink);
    assert.ok(same(await Deno.readFile(`${home}/real/f`), data));
    assert.deepEqual(await host.listdir(`${home}/real`), ["f"]);
  },
);

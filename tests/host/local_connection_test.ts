import assert from "node:assert/strict";
import { LocalHost } from "../../src/host/local.ts";
import type { Connection, ExecOptions, ExitStatus } from "../../src/host/connection.ts";

const context = { interactive: false, confirm: () => Promise.resolve(false) };
const decoder = new TextDecoder();

async function withConnection(fn: (c: Connection, dir: string) => Promise<void>, slug = "local1") {
  const connection = await new LocalHost({ slug }).connect(context);
  const dir = await Deno.makeTempDir({ prefix: "deployer-local-" });
  try {
    await fn(connection, dir);
  } finally {
    await connection.close();
    await Deno.remove(dir, { recursive: true });
  }
}

interface Captured {
  stdout: string;
  stderr: string;
  events: string[];
  status: ExitStatus;
}

async function run(
  connection: Connection,
  command: string,
  options: Omit<ExecOptions, "onStdout" | "onStderr"> & { input?: string } = {},
): Promise<Captured> {
  const out = { stdout: "", stderr: "", events: [] as string[] };
  const proc = await connection.exec(command, {
    ...options,
    onStdout: (c) => {
      out.stdout += decoder.decode(c);
      out.events.push(`out:${decoder.decode(c)}`);
    },
    onStderr: (c) => {
      out.stderr += decoder.decode(c);
      out.events.push(`err:${decoder.decode(c)}`);
    },
  });
  if (options.input !== undefined) await proc.write(options.input);
  await proc.closeStdin();
  const status = await proc.status;
  return { ...out, status };
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("LocalHost: defaults, and slugs make different hosts", async () => {
  const a = new LocalHost();
  assert.equal(a.slug, "localhost");
  assert.equal(a.address, "localhost");
  const b = new LocalHost({ slug: "local2" });
  assert.equal(b.slug, "local2");
  assert.notEqual(a, b);
  const [ca, cb] = [await a.connect(context), await b.connect(context)];
  assert.notEqual(ca, cb);
  const error = await ca.readFile("/nonexistent/deployer").catch((e) => e);
  assert.match(error.message, /"\/nonexistent\/deployer" on host "localhost"/);
  const error2 = await cb.readFile("/nonexistent/deployer").catch((e) => e);
  assert.match(error2.message, /on host "local2"/);
  await ca.close();
  await cb.close();
});

Deno.test("exec: stdout, stderr and exit codes", async () => {
  await withConnection(async (c) => {
    const r = await run(c, "echo out; echo err >&2; exit 3");
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.deepEqual(r.status, { code: 3 });
    assert.deepEqual((await run(c, "true")).status, { code: 0 });
    assert.equal((await run(c, "no-such-command-xyz")).status.code, 127);
  });
});

Deno.test("exec: output streams in order, and status waits for all of it", async () => {
  await withConnection(async (c) => {
    // Each step waits for a line on stdin, which the test writes once it has seen the
    // output before it; the last line comes from a background process the shell left.
    const events: string[] = [];
    const seen = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => events.length >= n ? resolve() : setTimeout(check, 5);
        check();
      });
    const proc = await c.exec(
      "exec 3<&0; echo a; read x; echo b >&2; read x; echo c; (read x <&3; echo late) &",
      {
        onStdout: (chunk) => events.push(`out:${decoder.decode(chunk)}`),
        onStderr: (chunk) => events.push(`err:${decoder.decode(chunk)}`),
      },
    );
    const status = proc.status.then((s) => (events.push("status"), s));
    for (let step = 1; step <= 3; step++) {
      await seen(step);
      await proc.write("\n");
    }
    assert.deepEqual(await status, { code: 0 });
    assert.deepEqual(events, ["out:a\n", "err:b\n", "out:c\n", "out:late\n", "status"]);
    const big = await run(c, "head -c 1000000 /dev/zero | tr '\\0' x");
    assert.equal(big.stdout.length, 1000000);
  });
});

Deno.test("exec: stdin is written and closed; writes after exit are harmless", async () => {
  await withConnection(async (c) => {
    const r = await run(c, "cat; echo done", { input: "hello\n" });
    assert.equal(r.stdout, "hello\ndone\n");
    const proc = await c.exec("exit 0", {});
    await proc.status;
    await proc.write("too late\n");
    await proc.closeStdin();
    const closed = await c.exec("exec 0<&-; sleep 0.1", {});
    await closed.write("x".repeat(200000)); // nobody reads: broken pipe, no throw
    await closed.closeStdin();
    assert.equal((await closed.status).code, 0);
  });
});

Deno.test("exec: kill stops the command and its children", async () => {
  await withConnection(async (c) => {
    let out = "";
    const proc = await c.exec("sleep 100 & echo $!; sleep 100", {
      onStdout: (chunk) => out += decoder.decode(chunk),
    });
    while (!out.includes("\n")) await new Promise((r) => setTimeout(r, 10));
    const child = Number(out.trim());
    assert.ok(await alive(child));
    proc.kill();
    const status = await proc.status;
    assert.deepEqual(status, { code: null, signal: "TERM" });
    assert.equal(await alive(child), false);
  });
});

Deno.test("exec: a command ignoring TERM is KILLed after the grace period", async () => {
  await withConnection(async (c) => {
    let out = "";
    const proc = await c.exec("trap '' TERM; echo ready; while :; do sleep 0.05; done", {
      onStdout: (chunk) => out += decoder.decode(chunk),
    });
    while (!out.includes("ready")) await new Promise((r) => setTimeout(r, 10));
    proc.kill("TERM");
    assert.deepEqual(await proc.status, { code: null, signal: "KILL" });
  });
});

Deno.test("exec with a PTY: a real terminal of the requested size", async () => {
  await withConnection(async (c) => {
    const r = await run(c, "tty; stty size; echo $TERM; echo err >&2; exit 4", {
      pty: { term: "xterm-256color", cols: 123, rows: 45 },
    });
    const lines = r.stdout.split("\r\n");
    assert.match(lines[0], /^\/dev\/pts\/\d+$/);
    assert.equal(lines[1], "45 123");
    assert.equal(lines[2], "xterm-256color");
    assert.equal(lines[3], "err");
    assert.equal(r.stderr, "");
    assert.deepEqual(r.status, { code: 4 });
    const quoted = await run(c, `printf '%s\\n' "it's" '$HOME'`, {
      pty: { term: "dumb", cols: 80, rows: 24 },
    });
    assert.equal(quoted.stdout, "it's\r\n$HOME\r\n");
  });
});

/** Waits (60 s at most) until the terminal `tty` has the size `rows cols`. */
async function ttySize(tty: string, size: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let seen = "";
  while (Date.now() < deadline) {
    const out = await new Deno.Command("stty", { args: ["-F", tty, "size"], stderr: "null" })
      .output();
    seen = new TextDecoder().decode(out.stdout).trim();
    if (seen === size) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${tty} did not get the size ${size} within 60 s (it is ${seen})`);
}

Deno.test("exec with a PTY: input, resize and kill", async () => {
  await withConnection(async (c) => {
    let out = "";
    const proc = await c.exec(
      "stty -echo; tty; read line; echo got:$line; read x; stty size; sleep 100",
      {
        pty: { term: "dumb", cols: 80, rows: 24 },
        onStdout: (chunk) => out += decoder.decode(chunk),
      },
    );
    await proc.write("hello\n");
    while (!out.includes("got:hello")) await new Promise((r) => setTimeout(r, 10));
    proc.resize(100, 30);
    // resize() works in the background: wait until the terminal has the new size.
    const tty = /\/dev\/pts\/\d+/.exec(out)![0];
    await ttySize(tty, "30 100");
    await proc.write("\n");
    while (!out.includes("30 100")) await new Promise((r) => setTimeout(r, 10));
    proc.kill();
    assert.deepEqual(await proc.status, { code: null, signal: "TERM" });
  });
});

Deno.test("shell: a login shell under a PTY", async () => {
  await withConnection(async (c) => {
    let out = "";
    const proc = await c.shell({
      pty: { term: "dumb", cols: 80, rows: 24 },
      onStdout: (chunk) => out += decoder.decode(chunk),
    });
    // No history file: the login shell's HOME is the one the tests run with.
    await proc.write("unset HISTFILE; echo shell-$((6*7)); tty; exit 5\n");
    const status = await proc.status;
    assert.match(out, /shell-42/);
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.equal(status.code, 5);
  });
});

Deno.test("close() kills running commands; exec afterwards is refused", async () => {
  const connection = await new LocalHost().connect(context);
  const proc = await connection.exec("sleep 100", {});
  assert.equal(connection.alive, true);
  await connection.close();
  assert.equal(connection.alive, false);
  assert.equal((await proc.status).signal, "TERM");
  await assert.rejects(connection.exec("true"), /Cannot connect to host "localhost"/);
});

Deno.test("files: writeFile is atomic and keeps or sets the mode", async () => {
  await withConnection(async (c, dir) => {
    const path = `${dir}/a.txt`;
    await c.writeFile(path, new TextEncoder().encode("one"));
    assert.equal(decoder.decode(await c.readFile(path)), "one");
    assert.equal((await c.stat(path)).mode & 0o777, 0o644);
    await Deno.chmod(path, 0o600);
    await c.writeFile(path, new TextEncoder().encode("two"));
    assert.equal((await c.stat(path)).mode & 0o777, 0o600);
    await c.writeFile(path, new TextEncoder().encode("three"), { mode: 0o640 });
    assert.equal((await c.stat(path)).mode & 0o777, 0o640);
    const stream = ReadableStream.from([
      new TextEncoder().encode("st"),
      new TextEncoder().encode("ream"),
    ]);
    await c.writeFile(`${dir}/b.txt`, stream);
    assert.equal(await Deno.readTextFile(`${dir}/b.txt`), "stream");
    let read = "";
    for await (const chunk of await c.readStream(`${dir}/b.txt`)) read += decoder.decode(chunk);
    assert.equal(read, "stream");
    // Writing through a symbolic link replaces the target and keeps the link.
    await Deno.symlink(`${dir}/b.txt`, `${dir}/link`);
    await c.writeFile(`${dir}/link`, new TextEncoder().encode("via link"));
    assert.equal((await c.stat(`${dir}/link`, { lstat: true })).isSymlink, true);
    assert.equal(await Deno.readTextFile(`${dir}/b.txt`), "via link");
  });
});

Deno.test("files: a write that fails half-way leaves the old file and no temp file", async () => {
  await withConnection(async (c, dir) => {
    const path = `${dir}/config`;
    await Deno.writeTextFile(path, "old content");
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 3) controller.enqueue(new TextEncoder().encode("new data ".repeat(1000)));
        else controller.error(new Error("network dropped"));
      },
    });
    const error = await c.writeFile(path, failing).catch((e) => e);
    assert.match(error.message, /Cannot write ".*config" on host "local1": network dropped/);
    assert.equal(await Deno.readTextFile(path), "old content");
    assert.deepEqual((await c.readDir(dir)).map((s) => s.filename), ["config"]);
    const missingDir = await c.writeFile(`${dir}/no/such/file`, new Uint8Array(1)).catch((e) => e);
    assert.ok(missingDir instanceof Deno.errors.NotFound);
  });
});

Deno.test("files: stat, readDir, remove, rename, home, startPath", async () => {
  await withConnection(async (c, dir) => {
    await Deno.writeTextFile(`${dir}/b`, "12345");
    await Deno.mkdir(`${dir}/a-dir`);
    await Deno.symlink(`${dir}/b`, `${dir}/c-link`);
    const s = await c.stat(`${dir}/b`);
    assert.equal(s.filename, "b");
    assert.equal(s.size, 5);
    assert.equal(s.isFile, true);
    assert.equal(s.mode & 0o170000, 0o100000);
    assert.equal(s.uid, Deno.uid());
    assert.ok(s.mtime instanceof Date && s.mtime.getTime() > 0);
    assert.equal((await c.stat(`${dir}/c-link`)).isFile, true);
    assert.equal((await c.stat(`${dir}/a-dir/`)).filename, "a-dir");
    const list = await c.readDir(dir);
    assert.deepEqual(list.map((e) => [e.filename, e.isDir, e.isSymlink]), [
      ["a-dir", true, false],
      ["b", false, false],
      ["c-link", false, true],
    ]);
    await c.rename(`${dir}/b`, `${dir}/d`);
    await assert.rejects(c.stat(`${dir}/b`), Deno.errors.NotFound);
    const missing = await c.stat(`${dir}/b`).catch((e) => e);
    assert.match(missing.message, /Cannot stat ".*\/b" on host "local1"/);
    assert.ok(missing.cause instanceof Deno.errors.NotFound);
    await Deno.writeTextFile(`${dir}/e`, "e");
    await c.rename(`${dir}/e`, `${dir}/d`); // replaces
    assert.equal(await Deno.readTextFile(`${dir}/d`), "e");
    await c.remove(`${dir}/d`);
    await c.remove(`${dir}/c-link`);
    await assert.rejects(c.remove(`${dir}/a-dir`), /is a directory/i);
    assert.deepEqual((await c.readDir(dir)).map((e) => e.filename), ["a-dir"]);
    assert.equal(await c.home(), Deno.env.get("HOME"));
    assert.equal(await c.startPath(), Deno.cwd());
  });
});

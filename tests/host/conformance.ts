/**
 * One suite of host behaviour, run unchanged against every kind of host (LocalHost,
 * SshHost). Each file that calls `conformance()` provides the hosts.
 */
import assert from "node:assert/strict";
import { CommandError, Env, ParallelError, secret, sh } from "../../mod.ts";
import { RecordingLogger } from "../../src/exec/logging.ts";
import type { Host } from "../../src/host/mod.ts";

/** What a suite run needs. */
export interface ConformanceTarget {
  /** Two hosts of the kind under test (may be the same machine). */
  hosts: [Host, Host];
  /** A directory on the hosts the suite may write in (created, empty). */
  dir: string;
}

/** What the hosts under test can do, known before the tests are registered. */
export interface Capabilities {
  /** Whether sudo works without a password for the login user. */
  sudo: boolean;
  /** Whether none of the suite can run here (e.g. no sshd): every test is ignored. */
  ignore?: boolean;
  /**
   * Run `true` silently on both hosts before each test, so that the test's commands run on
   * connections that already found out what they can (e.g. that the login shell is
   * `/bin/sh`, after which SSH commands go without the `sh -c` wrapper).
   */
  warmUp?: boolean;
}

/**
 * Registers the suite; `setup` runs once per test and is disposed after it. Tests that
 * need passwordless sudo say so in their name and are reported as ignored without it.
 */
export function conformance(
  kind: string,
  capabilities: Capabilities,
  setup: () => Promise<ConformanceTarget & AsyncDisposable>,
): void {
  const test = (
    name: string,
    fn: (t: ConformanceTarget, env: Env, log: RecordingLogger) => Promise<void>,
    needs: { sudo?: boolean } = {},
  ) =>
    Deno.test({
      name: `${kind}: ${name}${needs.sudo ? " (needs passwordless sudo)" : ""}`,
      ignore: capabilities.ignore === true || (needs.sudo === true && !capabilities.sudo),
      async fn() {
        await using target = await setup();
        const log = new RecordingLogger();
        await using env = new Env({ interactive: false, loggers: [log] });
        if (capabilities.warmUp) {
          for (const host of target.hosts) await env.host(host).run(sh`true`, { silent: true });
        }
        await fn(target, env, log);
      },
    });

  test("run() returns stdout, stderr, code, host and duration", async ({ hosts }, env) => {
    const r = await env.host(hosts[0]).run(sh`echo out; echo err >&2`);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal(r.code, 0);
    assert.equal(r.host, hosts[0].slug);
    assert.ok(r.duration >= 0);
  });

  test(
    "a non-zero exit rejects with CommandError naming host, command, code and output",
    async ({ hosts }, env) => {
      const error = await env.host(hosts[0]).run(sh`echo boom >&2; exit 7`).catch((e) => e);
      assert.ok(error instanceof CommandError);
      assert.equal(error.code, 7);
      assert.equal(error.host, hosts[0].slug);
      assert.match(error.message, new RegExp(`host "${hosts[0].slug}" failed with exit code 7`));
      assert.match(error.message, /boom/);
      const ok = await env.host(hosts[0]).run(sh`exit 3`, { noThrow: true });
      assert.equal(ok.code, 3);
    },
  );

  test("exit code 127 says command not found", async ({ hosts }, env) => {
    const error = await env.host(hosts[0]).run("no-such-command-xyz").catch((e) => e);
    assert.match(String(error.message), /exit code 127 \(command not found\)/);
  });

  test("interpolated hostile strings reach the command unchanged", async ({ hosts }, env) => {
    const values = ["it's", '"q"', "$(id)", "`id`", "a\nb", "*", "-rf", "", "ü 漢字", "$HOME"];
    const r = await env.host(hosts[0]).run(sh`printf '%s|' ${values}`);
    assert.equal(r.stdout, values.map((v) => `${v}|`).join(""));
  });

  test(
    "cd() stacks, resolves relative paths, quotes the path, and pops on dispose",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      await host.run(sh`mkdir -p ${dir + "/a dir/it's"}`);
      {
        using _a = host.cd(dir);
        using _b = host.cd("a dir");
        using _c = host.cd("it's");
        assert.equal((await host.run(sh`pwd`)).stdout.trim(), `${dir}/a dir/it's`);
        assert.equal(await host.getcwd(), `${dir}/a dir/it's`);
      }
      assert.equal(await host.getcwd(), await host.startPath());
      {
        using _ = host.cd("~", { expand: true });
        assert.equal(await host.getcwd(), await host.getHomeDirectory());
      }
    },
  );

  test(
    "the context is taken when run() is called, not when it is awaited",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      const pending = (() => {
        using _cd = host.cd(dir);
        using _env = host.env("STAGE", "prod");
        return host.run(sh`echo "$(pwd) $STAGE"`); // the block ends before the command runs
      })();
      assert.equal((await pending).stdout.trim(), `${dir} prod`);
    },
  );

  test(
    "prefix() and env() compose, env values are quoted unless escape: false",
    async ({ hosts }, env) => {
      const host = env.host(hosts[0]);
      using _p = host.prefix(sh`export FROM_PREFIX=yes`);
      using _e = host.env("QUOTED", "it's $HOME");
      using _r = host.env("RAWV", "$FROM_PREFIX", { escape: false });
      const r = await host.run(sh`echo "$FROM_PREFIX|$QUOTED"`);
      assert.equal(r.stdout, "yes|it's $HOME\n");
    },
  );

  test("secrets are used but never shown in events or errors", async ({ hosts }, env, log) => {
    const host = env.host(hosts[0]);
    const token = "s3cr3t-value";
    const r = await host.run(sh`test ${secret(token)} = ${"s3cr3t"}-value && echo ok`);
    assert.equal(r.stdout, "ok\n");
    const printed = await host.run(sh`echo ${secret(token)}`);
    assert.equal(printed.stdout, "***\n");
    const error = await host.run(sh`false ${secret(token)}`).catch((e) => e);
    assert.ok(!error.message.includes(token));
    assert.ok(!JSON.stringify(log.events).includes(token));
    assert.match(log.ofType("command.start")[0].command, /'\*\*\*'/);
  });

  test("initialInput is written to stdin; without it stdin is empty", async ({ hosts }, env) => {
    const host = env.host(hosts[0]);
    assert.equal(
      (await host.run(sh`cat`, { initialInput: "line1\nline2\n" })).stdout,
      "line1\nline2\n",
    );
    assert.equal((await host.run(sh`cat`)).stdout, "");
  });

  test("timeout stops the command and rejects", async ({ hosts }, env) => {
    const error = await env.host(hosts[0]).run(sh`sleep 30`, { timeout: 300 }).catch((e) => e);
    assert.ok(error instanceof CommandError);
    assert.equal(error.code, null);
    assert.match(error.message, /timed out after 300 ms/);
  });

  test("a stopped command leaves no process behind on the host", async ({ hosts }, env) => {
    const host = env.host(hosts[0]);
    const tag = `deployer-stop-${crypto.randomUUID().slice(0, 8)}`;
    await assert.rejects(host.run(`sleep 30; echo ${tag}`, { timeout: 300 }), CommandError);
    const deadline = Date.now() + 60_000;
    let left = "";
    do {
      // `[d]` keeps pgrep from finding its own command line.
      left = (await host.run(sh`pgrep -f ${`[d]${tag.slice(1)}`} || true`)).stdout.trim();
      if (!left) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.equal(left, "", "the command's processes are gone");
  });

  test("an abort signal stops the running command", async ({ hosts }, env, log) => {
    const controller = new AbortController();
    const running = env.host(hosts[0]).run(sh`echo started; sleep 30`, {
      signal: controller.signal,
    }).catch((e) => e);
    // Abort once the command has printed, i.e. while it runs.
    const deadline = Date.now() + 60_000;
    while (!log.ofType("command.output").some((e) => e.text.includes("started"))) {
      if (Date.now() > deadline) throw new Error("the command did not start within 60 s");
      await new Promise((r) => setTimeout(r, 10));
    }
    controller.abort();
    const error = await running;
    assert.ok(error instanceof CommandError);
    assert.match(error.message, /aborted/);
  });

  test("silent commands report nothing", async ({ hosts }, env, log) => {
    await env.host(hosts[0]).run(sh`true`, { silent: true });
    assert.equal(log.events.length, 0);
  });

  test("events: start, output and end per command", async ({ hosts }, env, log) => {
    await env.host(hosts[0]).run(sh`echo hi`);
    assert.deepEqual(log.events.map((e) => e.type), [
      "command.start",
      "command.output",
      "command.end",
    ]);
  });

  test("sudo runs as root, and as another user with `user`", async ({ hosts }, env) => {
    const host = env.host(hosts[0]);
    assert.equal((await host.sudo(sh`id -un`)).stdout.trim(), "root");
    assert.equal((await host.sudo(sh`id -un`, { user: "nobody" })).stdout.trim(), "nobody");
  }, { sudo: true });

  test("sandbox: nothing runs, the plan keeps the masked commands, syntax errors fail", async ({ hosts, dir }) => {
    await using env = new Env({ interactive: false, sandbox: true });
    const host = env.host(hosts[0]);
    const r = await host.run(sh`touch ${dir + "/created"} ${secret("pw")}`);
    assert.equal(r.sandboxed, true);
    await host.writeFile(`${dir}/written`, "data");
    await using real = new Env({ interactive: false });
    assert.equal(await real.host(hosts[0]).exists(`${dir}/created`), false);
    assert.equal(await real.host(hosts[0]).exists(`${dir}/written`), false);
    assert.deepEqual(env.plan().map((p) => p.host), [hosts[0].slug, hosts[0].slug]);
    assert.match(env.plan()[0].command, /touch '.*created' '\*\*\*'/);
    assert.match(env.plan()[1].command, /write file .*written/);
    await assert.rejects(host.run("if then fi"), CommandError);
  });

  test("files: write atomically, read, stat, list, exists", async ({ hosts, dir }, env) => {
    const host = env.host(hosts[0]);
    await host.writeFile(`${dir}/f.txt`, "hello\n");
    assert.equal(await host.readText(`${dir}/f.txt`), "hello\n");
    using _ = host.cd(dir);
    assert.equal(await host.readText("f.txt"), "hello\n");
    const stat = await host.stat("f.txt");
    assert.equal(stat.size, 6);
    assert.equal(stat.isFile, true);
    assert.equal(stat.filename, "f.txt");
    await host.run(sh`mkdir sub`);
    assert.deepEqual(await host.listdir(), ["f.txt", "sub"]);
    const entries = await host.listdirStat(".");
    assert.deepEqual(entries.map((e) => [e.filename, e.isDir]), [["f.txt", false], ["sub", true]]);
    assert.deepEqual(await host.listdir("sub"), []);
    assert.equal(await host.exists("f.txt"), true);
    assert.equal(await host.exists("sub"), true);
    assert.equal(await host.exists("nope"), false);
    await assert.rejects(host.stat("nope"));
  });

  test(
    "a write that fails half-way leaves the old file intact and no temp file",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      await host.writeFile(`${dir}/keep.txt`, "old");
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 3) controller.enqueue(new TextEncoder().encode("x".repeat(65536)));
          else controller.error(new Error("source broke"));
        },
      });
      await assert.rejects(host.writeFile(`${dir}/keep.txt`, failing), /source broke/);
      assert.equal(await host.readText(`${dir}/keep.txt`), "old");
      assert.deepEqual(await host.listdir(dir), ["keep.txt"]);
    },
  );

  test(
    "open(): read mode, and write mode replacing the file on close",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      const w = await host.open(`${dir}/o.txt`, "w");
      w.write("a");
      w.write("b");
      assert.equal(await host.exists(`${dir}/o.txt`), false);
      await w.close();
      const r = await host.open(`${dir}/o.txt`);
      assert.equal(await r.read(), "ab");
      assert.throws(() => r.write("x"), /not open for writing/);
    },
  );

  test("putFile / getFile copy whole files", async ({ hosts, dir }, env) => {
    const host = env.host(hosts[0]);
    const local = await Deno.makeTempDir();
    try {
      const data = new Uint8Array(300_000).map((_, i) => i % 251);
      await Deno.writeFile(`${local}/up.bin`, data);
      await host.putFile(`${local}/up.bin`, `${dir}/up.bin`);
      await host.getFile(`${dir}/up.bin`, `${local}/down.bin`);
      assert.deepEqual(await Deno.readFile(`${local}/down.bin`), data);
    } finally {
      await Deno.remove(local, { recursive: true });
    }
  });

  test(
    "writeFile with useSudo writes a root-owned file, keeping its mode",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      await host.sudo(
        sh`mkdir -p ${dir}/root && chmod 755 ${dir}/root && touch ${dir}/root/conf && chmod 640 ${dir}/root/conf`,
      );
      await host.writeFile(`${dir}/root/conf`, "config\n", { useSudo: true });
      assert.equal(await host.readText(`${dir}/root/conf`, { useSudo: true }), "config\n");
      const stat = await host.stat(`${dir}/root/conf`);
      assert.equal(stat.mode & 0o777, 0o640);
      assert.equal(stat.uid, 0);
      await host.writeFile(`${dir}/root/new`, "n", { useSudo: true });
      assert.equal((await host.stat(`${dir}/root/new`)).mode & 0o777, 0o644);
    },
    { sudo: true },
  );

  test(
    "writes go through symbolic links and an explicit mode always wins",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      await host.writeFile(`${dir}/real.conf`, "a");
      await host.run(sh`ln -s ${dir + "/real.conf"} ${dir + "/link.conf"}`);
      await host.writeFile(`${dir}/link.conf`, "b", { mode: 0o600 });
      assert.equal((await host.stat(`${dir}/link.conf`, { lstat: true })).isSymlink, true);
      assert.equal(await host.readText(`${dir}/real.conf`), "b");
      assert.equal((await host.stat(`${dir}/real.conf`)).mode & 0o777, 0o600);
    },
  );

  test(
    "writes with useSudo go through symbolic links and an explicit mode always wins",
    async ({ hosts, dir }, env) => {
      const host = env.host(hosts[0]);
      await host.writeFile(`${dir}/real.conf`, "a");
      await host.run(sh`ln -s ${dir + "/real.conf"} ${dir + "/link.conf"}`);
      await host.writeFile(`${dir}/link.conf`, "c", { useSudo: true, mode: 0o640 });
      assert.equal((await host.stat(`${dir}/link.conf`, { lstat: true })).isSymlink, true);
      assert.equal(await host.readText(`${dir}/real.conf`), "c");
      assert.equal((await host.stat(`${dir}/real.conf`)).mode & 0o777, 0o640);
    },
    { sudo: true },
  );

  test("hasCommand, ifconfig and getIpAddress", async ({ hosts }, env) => {
    const host = env.host(hosts[0]);
    assert.equal(await host.hasCommand("sh"), true);
    assert.equal(await host.hasCommand("no-such-command-xyz"), false);
    const interfaces = await host.ifconfig();
    assert.ok(interfaces.some((i) => i.ip === "127.0.0.1"));
    assert.equal(await host.getIpAddress("lo"), "127.0.0.1");
  });

  test(
    "HostSet fans out and attributes results; a failure keeps every outcome",
    async ({ hosts }, env) => {
      const set = env.hostSet({ web: hosts });
      const result = await set.run(sh`echo hi`);
      assert.deepEqual(result.hosts(), hosts.map((h) => h.slug));
      assert.deepEqual([...result].map((r) => r.stdout), ["hi\n", "hi\n"]);
      assert.deepEqual([...await set.exists("/")], [true, true]);
      const error = await set.run(sh`exit 4`).catch((e) => e);
      assert.ok(error instanceof ParallelError);
      assert.equal(error.outcomes.length, 2);
      assert.ok(error.outcomes.every((o) => !o.ok));
    },
  );
}

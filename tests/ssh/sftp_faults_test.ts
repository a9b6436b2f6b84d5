import assert from "node:assert/strict";
import { DeployerError, Env, sh } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { descendants, signal } from "../../src/testing/_proc_tree.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

async function ownedTempDir(user: string, prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  await new Deno.Command("chown", { args: [user, dir] }).output();
  return dir;
}

Deno.test(
  "sftp: a NUL byte in a path is refused before sending; a concurrent upload succeeds",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh.keyUser.name, "deployer-nul-");
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const big = new Uint8Array(8 * 1024 * 1024).fill(7);
      const upload = host.writeFile(`${dir}/big.bin`, big).then(() => "ok", (e) => e);
      const bad = await host.writeFile(`${dir}/a\0b`, "x").then(() => undefined, (e) => e);
      const badStat = await host.stat(`${dir}/a\0b`).then(() => undefined, (e) => e);
      assert.equal(await host.exists(`${dir}/a\0b`), false);
      assert.equal(await upload, "ok");
      assert.equal((await Deno.stat(`${dir}/big.bin`)).size, big.length);
      for (const error of [bad, badStat]) {
        assert.ok(error instanceof DeployerError, `expected a DeployerError, got ${error}`);
        assert.match(error.message, /NUL/);
        assert.match(error.message, /a\\0b/);
        assert.match(error.message, new RegExp(ssh.servers[0].slug));
      }
      // The session still works.
      await host.writeFile(`${dir}/after.txt`, "ok");
      assert.equal(await Deno.readTextFile(`${dir}/after.txt`), "ok");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** Kills the per-connection processes of one test server; its listener stays up. */
async function killSessions(listenerPid: number): Promise<void> {
  for (const pid of await descendants(listenerPid)) signal(pid, "SIGKILL");
}

/** Names in `dir` matching `pattern` with at least `minSize` bytes. */
function listed(dir: string, pattern: RegExp, minSize = 0): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((name) => {
    if (!pattern.test(name)) return false;
    try {
      return Deno.statSync(`${dir}/${name}`).size >= minSize;
    } catch {
      return false;
    }
  });
}

/** Waits (polling the directory, no fixed sleep) until a matching file has data. */
async function waitForFile(dir: string, pattern: RegExp, minSize: number): Promise<string[]> {
  for (;;) {
    const found = listed(dir, pattern, minSize);
    if (found.length) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts a big upload, kills the server's sessions once its temporary file has data. */
async function cutUpload(
  ssh: Awaited<ReturnType<typeof startSshServers>>,
  upload: Promise<void>,
  dir: string,
  pattern: RegExp,
): Promise<string[]> {
  const failed = upload.then(() => undefined, (e) => e);
  const left = await waitForFile(dir, pattern, 1024 * 1024);
  await killSessions(ssh.servers[0].pid);
  const error = await failed;
  assert.ok(error instanceof DeployerError, `expected the upload to fail, got ${error}`);
  return left;
}

const BIG = 1024 * 1024 * 1024;

function bigStream(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= BIG) return controller.close();
      controller.enqueue(new Uint8Array(256 * 1024));
      sent += 256 * 1024;
    },
  });
}

Deno.test(
  "sftp: an upload cut by a dropped connection leaves no temporary file after the next operation",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh.keyUser.name, "deployer-cut-");
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await host.run(sh`true`);
      const left = await cutUpload(
        ssh,
        host.writeFile(`${dir}/big.bin`, bigStream()),
        dir,
        /^\.big\.bin\./,
      );
      assert.deepEqual(
        listed(dir, /^\.big\.bin\./),
        left,
        "the cut upload left its temporary file",
      );
      await host.run(sh`true`); // the next use reconnects
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "sftp: a useSudo upload cut by a dropped connection leaves nothing in the login directory",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const home = `/home/${ssh.keyUser.name}`;
    const dir = await Deno.makeTempDir({ prefix: "deployer-cutsudo-" });
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await host.run(sh`true`);
      const upload = host.writeFile(`${dir}/big.bin`, bigStream(), { useSudo: true });
      // Only this test's upload is that big (other tests may use the same login directory).
      const left = await cutUpload(ssh, upload, home, /deployer/);
      await host.run(sh`true`);
      for (const name of left) {
        assert.ok(!listed(home, /deployer/).includes(name), `${name} is still in ${home}`);
      }
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "sftp: a later run sweeps temporary files left over an hour ago, and only those",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh.keyUser.name, "deployer-sweep-");
    try {
      let left: string[];
      {
        await using env = new Env({ interactive: false });
        const host = env.host(keyHost(ssh));
        await host.run(sh`true`);
        left = await cutUpload(
          ssh,
          host.writeFile(`${dir}/big.bin`, bigStream()),
          dir,
          /^\.big\.bin\./,
        );
      } // the run ends without using the connection again
      assert.equal(left.length, 1);
      const old = `${dir}/${left[0]}`;
      await new Deno.Command("touch", { args: ["-d", "2 hours ago", old] }).output();
      // Another run's upload in progress: recent, kept.
      const fresh = `${dir}/.other.deployer-tmp-0a1b2c3d`;
      await Deno.writeTextFile(fresh, "in progress");
      await using env = new Env({ interactive: false });
      await env.host(keyHost(ssh)).writeFile(`${dir}/other.txt`, "new");
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(names, [".other.deployer-tmp-0a1b2c3d", "other.txt"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

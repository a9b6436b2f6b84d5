/**
 * Stopped file transfers over SSH: an abort (the call's signal or the Env's) or closing the
 * Env stops an upload or a download at once, whatever its source and path (`cat` on a
 * channel, SFTP writes, through sudo): the call rejects naming the host, the path and
 * "aborted", no temporary file is left on either side, the target is as it was, and no
 * process keeps the file open.
 */
import assert from "node:assert/strict";
import { CommandError, ConnectionError, Env, type HostHandle } from "../../mod.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { endless, firstWrite, openersIn, settled, tempsIn } from "../_support/transfers.ts";

const MiB = 1024 * 1024;

/** A temporary directory (as root) that the key user of `ssh` owns. */
async function ownedTempDir(ssh: TestServers): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deployer-abort-" });
  await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
  return dir;
}

/** A sparse local file of `size` bytes (read fast, takes no room). */
async function sparseFile(path: string, size: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true });
  await file.truncate(size);
}

/** Asserts that `error` is the abort error of a transfer on `host` naming `path`. */
function assertAborted(error: unknown, host: HostHandle, path: string): void {
  assert.ok(error instanceof CommandError, `expected a CommandError, got ${error}`);
  assert.match(error.message, new RegExp(`host "${host.slug}"`));
  assert.ok(error.message.includes(path), error.message);
  assert.match(error.message, /stopped: aborted/);
  assert.equal(error.code, null);
}

/** What a stopped upload to `dir` must leave: `target` as it was, no temporary file, no opener. */
async function assertUntouched(dir: string, names: string[]): Promise<void> {
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), names);
  assert.deepEqual(await settled(() => openersIn(dir)), []);
}

Deno.test(
  "abort: a large putFile (through cat) stops at once, nothing left on the host",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh);
    const local = await Deno.makeTempDir();
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await Deno.writeTextFile(`${dir}/big`, "old");
      await sparseFile(`${local}/big`, 4096 * MiB);
      const controller = new AbortController();
      await using writing = firstWrite(dir);
      const upload = host.putFile(`${local}/big`, `${dir}/big`, { signal: controller.signal })
        .then(() => undefined, (e) => e);
      await writing.seen; // the bytes flow into the temporary file
      controller.abort();
      assertAborted(await upload, host, `${dir}/big`);
      assert.equal(await Deno.readTextFile(`${dir}/big`), "old");
      await assertUntouched(dir, ["big"]);
      assert.deepEqual(await openersIn(local), []);
      // The connection still works.
      await host.writeFile(`${dir}/after`, "ok");
      assert.equal(await Deno.readTextFile(`${dir}/after`), "ok");
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(local, { recursive: true });
    }
  },
);

Deno.test(
  "abort: the Env's signal stops a stream upload whose source never ends (cat)",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh);
    try {
      const controller = new AbortController();
      await using env = new Env({ interactive: false, signal: controller.signal });
      const host = env.host(keyHost(ssh));
      const source = endless(16, () => controller.abort());
      const error = await host.writeFile(`${dir}/stream`, source.stream).catch((e) => e);
      assertAborted(error, host, `${dir}/stream`);
      await source.cancelled; // the source was let go
      await assertUntouched(dir, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "abort: an upload by SFTP writes (SFTP-only account) stops at once, nothing left",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { config: ["ForceCommand internal-sftp"] });
    const dir = await ownedTempDir(ssh);
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await Deno.writeTextFile(`${dir}/conf`, "old");
      const controller = new AbortController();
      const source = endless(32, () => controller.abort());
      const error = await host.writeFile(`${dir}/conf`, source.stream, {
        signal: controller.signal,
      }).catch((e) => e);
      assertAborted(error, host, `${dir}/conf`);
      await source.cancelled;
      assert.equal(await Deno.readTextFile(`${dir}/conf`), "old");
      await assertUntouched(dir, ["conf"]);
      // The SFTP session still works.
      await host.writeFile(`${dir}/after`, "ok");
      assert.equal(await Deno.readTextFile(`${dir}/after`), "ok");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "abort: a useSudo upload stops at once; no upload left in the login home",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await Deno.makeTempDir({ prefix: "deployer-abort-root-" }); // root's
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      const home = await host.getHomeDirectory();
      const before = await tempsIn(home);
      await Deno.writeTextFile(`${dir}/conf`, "old");
      const controller = new AbortController();
      const source = endless(16, () => controller.abort());
      const error = await host.writeFile(`${dir}/conf`, source.stream, {
        useSudo: true,
        signal: controller.signal,
      }).catch((e) => e);
      assertAborted(error, host, `${dir}/conf`);
      assert.match(error.message, /\(sudo\) write file/);
      await source.cancelled;
      assert.equal(await Deno.readTextFile(`${dir}/conf`), "old");
      await assertUntouched(dir, ["conf"]);
      assert.deepEqual(await tempsIn(home), before);
      assert.deepEqual(await settled(() => openersIn(home)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "abort: a large getFile stops at once; the local file stays as it was",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh);
    const local = await Deno.makeTempDir();
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await host.run(`truncate -s 4G '${dir}/big'`);
      await Deno.writeTextFile(`${local}/big`, "old");
      const controller = new AbortController();
      await using writing = firstWrite(local);
      const download = host.getFile(`${dir}/big`, `${local}/big`, { signal: controller.signal })
        .then(() => undefined, (e) => e);
      await writing.seen;
      controller.abort();
      assertAborted(await download, host, `${dir}/big`);
      assert.equal(await Deno.readTextFile(`${local}/big`), "old");
      await assertUntouched(local, ["big"]);
      // The remote file is closed too.
      assert.deepEqual(await settled(() => openersIn(dir)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(local, { recursive: true });
    }
  },
);

Deno.test(
  "abort: a readFile in flight rejects as aborted; the session goes on",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh);
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await host.run(`truncate -s 256M '${dir}/big'`);
      const controller = new AbortController();
      const reading = host.readFile(`${dir}/big`, { signal: controller.signal }).catch((e) => e);
      controller.abort();
      assertAborted(await reading, host, `${dir}/big`);
      assert.deepEqual(await settled(() => openersIn(dir)), []);
      await host.writeFile(`${dir}/after`, "ok");
      assert.equal(await host.readText(`${dir}/after`), "ok");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "abort before the start: nothing is sent, read or created; stream sources are cancelled",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh);
    const local = await Deno.makeTempDir();
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await Deno.writeTextFile(`${dir}/conf`, "old");
      await Deno.writeTextFile(`${local}/conf`, "new");
      const signal = AbortSignal.abort();
      const source = endless(1, () => {});
      const failures = await Promise.all([
        host.writeFile(`${dir}/conf`, "new", { signal }),
        host.writeFile(`${dir}/conf`, new Uint8Array(3 * MiB), { signal }),
        host.writeFile(`${dir}/conf`, source.stream, { signal, useSudo: true }),
        host.putFile(`${local}/conf`, `${dir}/conf`, { signal }),
        host.readFile(`${dir}/conf`, { signal }),
        host.readFile(`${dir}/conf`, { signal, useSudo: true }),
        host.getFile(`${dir}/conf`, `${local}/conf`, { signal }),
      ].map((p) => p.then(() => undefined, (e) => e)));
      for (const error of failures) assertAborted(error, host, `${dir}/conf`);
      await source.cancelled;
      assert.equal(await Deno.readTextFile(`${dir}/conf`), "old");
      assert.equal(await Deno.readTextFile(`${local}/conf`), "new");
      await assertUntouched(dir, ["conf"]);
      await assertUntouched(local, ["conf"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(local, { recursive: true });
    }
  },
);

Deno.test(
  "env.close() stops an upload whose source never ends, and removes its temporary file",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await ownedTempDir(ssh);
    try {
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      let closing: Promise<void> | undefined;
      const source = endless(16, () => void (closing ??= env.close()));
      const error = await host.writeFile(`${dir}/stream`, source.stream).catch((e) => e);
      await closing;
      assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${error}`);
      assert.match(error.message, /closed/);
      assert.ok(error.message.includes(`${dir}/stream`), error.message);
      await source.cancelled;
      await assertUntouched(dir, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

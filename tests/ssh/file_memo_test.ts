/**
 * One Env reads a key file and known_hosts once for all its connections (and again when a
 * file's stamp changes); a new Env reads them again. The reads are observed through what
 * the connections do: a file swapped for another of the same size with its modification
 * time put back is not read again in the Env that read it, and is seen by a new Env.
 */
import assert from "node:assert/strict";
import { ConnectionError, Env, HostKeyError, sh } from "../../mod.ts";
import { memoByStamp } from "../../src/host/ssh/file_memo.ts";
import { SshHost, type SshHostOptions } from "../../src/host/ssh/mod.ts";
import { fileStamp } from "../../src/host/ssh/local_file.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Replaces a file's bytes in place, then puts its modification time back. */
async function swapKeepingStamp(file: string, bytes: Uint8Array): Promise<void> {
  const before = await Deno.stat(file);
  assert.equal(bytes.length, before.size, "the swap keeps the size");
  const stamp = await fileStamp(file);
  await Deno.writeFile(file, bytes);
  await Deno.utime(file, before.atime!, before.mtime!);
  assert.equal(await fileStamp(file), stamp, "device, inode, size and mtime are unchanged");
}

function hostOn(ssh: TestServers, slug: string, extra: Partial<SshHostOptions>): SshHost {
  const [server] = ssh.servers;
  return new SshHost({
    slug,
    address: server.address,
    port: server.port,
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFiles: [ssh.knownHostsFile],
    configFile: false,
    agent: false,
    ...extra,
  });
}

async function echo(env: Env, host: SshHost): Promise<string | Error> {
  return await env.host(host).run(sh`echo ok`).then((r) => r.stdout, (e) => e);
}

Deno.test("file memo: concurrent users of one file share one read", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/f`;
    await Deno.writeTextFile(file, "x");
    const memo = new Map<string, unknown>();
    let reads = 0;
    const load = async () => (reads++, await Deno.readTextFile(file));
    const all = await Promise.all(
      Array.from({ length: 50 }, () => memoByStamp(memo, "t", file, load)),
    );
    assert.deepEqual(new Set(all), new Set(["x"]));
    assert.equal(reads, 1);
    const failing = () => Promise.reject(new Error("unreadable"));
    await assert.rejects(memoByStamp(memo, "bad", file, failing), /unreadable/);
    assert.equal(await memoByStamp(memo, "bad", file, load), "x", "a failure is not kept");
  });
});

Deno.test(
  "file memo: a key file is read once per Env; a new Env and a later edit see a change",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await withDir(async (dir) => {
      const key = `${dir}/key`;
      await Deno.copyFile(ssh.keyUser.keyFile!, key);
      await Deno.chmod(key, 0o600);
      const comment = ssh.keyUser.publicKey?.trim().split(/\s+/)[2] ?? "";
      const made = await new Deno.Command("ssh-keygen", {
        args: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", `${dir}/other`],
      }).output();
      assert.ok(made.success, new TextDecoder().decode(made.stderr));
      const other = await Deno.readFile(`${dir}/other`);

      await using env = new Env({ interactive: false });
      assert.equal(await echo(env, hostOn(ssh, "first", { keyFile: key })), "ok\n");
      await swapKeepingStamp(key, other);
      // Same Env, another host definition: a new connection, the key as read before.
      assert.equal(await echo(env, hostOn(ssh, "second", { keyFile: key })), "ok\n");

      await using fresh = new Env({ interactive: false });
      const refused = await echo(fresh, hostOn(ssh, "first", { keyFile: key }));
      assert.ok(refused instanceof ConnectionError, String(refused));
      assert.match(refused.message, /host "first": authentication failed/);

      // An edit that changes the stamp is seen by the next connection of the first Env.
      await Deno.writeFile(key, other);
      await Deno.utime(key, new Date(), new Date(Date.now() + 60_000));
      const edited = await echo(env, hostOn(ssh, "third", { keyFile: key }));
      assert.ok(edited instanceof ConnectionError, String(edited));
      assert.match(edited.message, /host "third": authentication failed/);
    });
  },
);

Deno.test(
  "file memo: known_hosts is read once per Env; a new Env sees a changed key",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const [a, b] = ssh.servers;
    await withDir(async (dir) => {
      const knownHosts = `${dir}/known_hosts`;
      const line = (key: string) => `[${a.address}]:${a.port} ${key}\n`;
      await Deno.writeTextFile(knownHosts, line(a.hostPublicKey));
      const options = { knownHostsFiles: [knownHosts] };

      await using env = new Env({ interactive: false });
      assert.equal(await echo(env, hostOn(ssh, "first", options)), "ok\n");
      // b's key for a's address: same type, same length.
      await swapKeepingStamp(knownHosts, new TextEncoder().encode(line(b.hostPublicKey)));
      assert.equal(await echo(env, hostOn(ssh, "second", options)), "ok\n");

      await using fresh = new Env({ interactive: false });
      const changed = await echo(fresh, hostOn(ssh, "first", options));
      assert.ok(changed instanceof HostKeyError, String(changed));
      assert.equal(changed.problem, "changed");
    });
  },
);

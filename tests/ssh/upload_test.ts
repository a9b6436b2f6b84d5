/**
 * Uploads with `putFile`: files of sizes around the pieces they are read in (1 MiB) and
 * written in (128 KiB SFTP writes) arrive byte for byte, modes as asked; a small local file
 * is held in a buffer of its own size, a large one is read as a stream of 1 MiB pieces.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { localFileData } from "../../src/host/files.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost, run } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

function pattern(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed + (i >> 12)) & 0xff;
  return data;
}

Deno.test("putFile: sizes around the read and write pieces arrive intact", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  await using env = new Env({ interactive: false });
  const host = env.host(keyHost(ssh));
  const local = await Deno.makeTempDir();
  const remote = `${(await host.run("echo $HOME")).stdout.trim()}/up-${crypto.randomUUID()}`;
  try {
    await host.run(`mkdir '${remote}'`);
    const sizes = [0, 1, 128 * KiB - 1, 128 * KiB, MiB, MiB + 1, 2 * MiB + 128 * KiB + 7];
    await Promise.all(sizes.map(async (size, i) => {
      const data = pattern(size, i);
      await Deno.writeFile(`${local}/f${i}`, data);
      await host.putFile(`${local}/f${i}`, `${remote}/f${i}`, { mode: 0o640 });
      const back = await host.readFile(`${remote}/f${i}`);
      assert.equal(back.length, size, `size ${size}`);
      assert.ok(back.every((b, at) => b === data[at]), `content of size ${size}`);
      assert.equal((await host.stat(`${remote}/f${i}`)).mode & 0o777, 0o640);
    }));
    // Replacing a file keeps its mode, and leaves no temporary file behind.
    await host.run(`chmod 600 '${remote}/f6'`);
    await host.putFile(`${local}/f5`, `${remote}/f6`);
    assert.equal((await host.stat(`${remote}/f6`)).mode & 0o777, 0o600);
    assert.equal((await host.readFile(`${remote}/f6`)).length, MiB + 1);
    const names = (await host.listdir(remote)).sort();
    assert.deepEqual(names, sizes.map((_, i) => `f${i}`));
  } finally {
    await host.run(`rm -rf '${remote}'`).catch(() => {});
    await Deno.remove(local, { recursive: true });
  }
});

Deno.test("putFile reads a small file whole and a large one in 1 MiB pieces", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/small`, pattern(4 * KiB, 1));
    const small = await localFileData(`${dir}/small`);
    assert.ok(small instanceof Uint8Array);
    // Not a view of a larger buffer: 1000 uploads of 4 KiB hold 4 MB, not 1000 buffers of 1 MiB.
    assert.equal(small.buffer.byteLength, 4 * KiB);

    const data = pattern(3 * MiB + 5, 2);
    await Deno.writeFile(`${dir}/large`, data);
    const large = await localFileData(`${dir}/large`);
    assert.ok(large instanceof ReadableStream);
    const sizes: number[] = [];
    let at = 0;
    for await (const piece of large) {
      assert.ok(piece.every((b, i) => b === data[at + i]));
      sizes.push(piece.length);
      at += piece.length;
    }
    assert.deepEqual(sizes, [MiB, MiB, MiB, 5]);
    // A file longer than its stat said (a /proc file says 0 bytes) is read to its end.
    const proc = await localFileData("/proc/self/status");
    assert.ok(proc instanceof Uint8Array);
    assert.match(new TextDecoder().decode(proc), /^Name:[^]*\nVmRSS:/);
    // Cancelling closes the file (the test sanitizer would report a leaked resource).
    await (await localFileData(`${dir}/large`) as ReadableStream).cancel();
    await assert.rejects(localFileData(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "putFile: a large file with a read-only mode arrives with that mode",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const local = await Deno.makeTempDir();
    const remote = `${(await host.run("echo $HOME")).stdout.trim()}/ro-${crypto.randomUUID()}`;
    try {
      await host.run(`mkdir '${remote}'`);
      const data = pattern(3 * MiB + 3, 9);
      await Deno.writeFile(`${local}/big`, data);
      // The bytes go through `cat`, which must be able to open the temporary file for writing.
      await host.putFile(`${local}/big`, `${remote}/big`, { mode: 0o444 });
      const back = await host.readFile(`${remote}/big`);
      assert.ok(back.length === data.length && back.every((b, at) => b === data[at]));
      assert.equal((await host.stat(`${remote}/big`)).mode & 0o777, 0o444);
      assert.deepEqual(await host.listdir(remote), ["big"]);
    } finally {
      await host.run(`rm -rf '${remote}'`).catch(() => {});
      await Deno.remove(local, { recursive: true });
    }
  },
);

Deno.test(
  "putFile: an SFTP-only account (ForceCommand internal-sftp) gets large files by SFTP",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { config: ["ForceCommand internal-sftp"] });
    const connection = await keyHost(ssh).connect(CONTEXT);
    const local = await Deno.makeTempDir();
    const path = `${await connection.home()}/sftp-only-${crypto.randomUUID()}`;
    try {
      const data = pattern(2 * MiB + 17, 4);
      await Deno.writeFile(`${local}/big`, data);
      await connection.writeFile(path, await localFileData(`${local}/big`), { mode: 0o600 });
      const back = await connection.readFile(path);
      assert.ok(back.length === data.length && back.every((b, at) => b === data[at]));
      assert.equal((await connection.stat(path)).mode & 0o777, 0o600);
    } finally {
      await connection.remove(path).catch(() => {});
      await connection.close();
      await Deno.remove(local, { recursive: true });
    }
  },
);

Deno.test(
  "putFile / readFile while the server re-keys every 64 KiB arrive intact",
  NEEDS_SSH,
  async () => {
    // During a key re-exchange ssh2 queues the packets it builds and a later cipher
    // encrypts them: a reused packet buffer must not overwrite a queued packet.
    await using ssh = await startSshServers(1, { config: ["RekeyLimit 64K"] });
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const local = await Deno.makeTempDir();
    const remote = `${(await host.run("echo $HOME")).stdout.trim()}/rekey-${crypto.randomUUID()}`;
    try {
      await host.run(`mkdir '${remote}'`);
      const big = pattern(5 * MiB + 11, 5);
      await Deno.writeFile(`${local}/big`, big);
      const small = Array.from({ length: 40 }, (_, i) => pattern(4 * KiB + i, i));
      await Promise.all([
        host.putFile(`${local}/big`, `${remote}/big`),
        ...small.map((data, i) => host.writeFile(`${remote}/s${i}`, data)),
      ]);
      const back = await host.readFile(`${remote}/big`);
      assert.ok(back.length === big.length && back.every((b, at) => b === big[at]));
      for (const [i, data] of small.entries()) {
        const got = await host.readFile(`${remote}/s${i}`);
        assert.ok(got.length === data.length && got.every((b, at) => b === data[at]), `s${i}`);
      }
    } finally {
      await host.run(`rm -rf '${remote}'`).catch(() => {});
      await Deno.remove(local, { recursive: true });
    }
  },
);

/** The PID of the `cat` that writes into a file under `dir`, once there is one. */
async function catWritingUnder(dir: string, until: Promise<unknown>): Promise<number> {
  let ended = false;
  until.finally(() => (ended = true)).catch(() => {});
  while (!ended) {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const comm = Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim();
        if (comm === "cat" && Deno.readLinkSync(`/proc/${entry.name}/fd/1`).startsWith(dir)) {
          return Number(entry.name);
        }
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return -1; // (the caller's race has settled already)
}

Deno.test(
  "putFile: a server that stops taking data holds the upload back (nothing piles up here)",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    const remote = `${await connection.home()}/held-${crypto.randomUUID()}`;
    const CHUNK = 256 * KiB;
    const TOTAL = 48 * MiB;
    let pulled = 0;
    // Chunk i holds the byte i % 251 throughout; the source counts what was taken from it.
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= TOTAL) return controller.close();
        controller.enqueue(new Uint8Array(CHUNK).fill((pulled / CHUNK) % 251));
        pulled += CHUNK;
      },
    }, { highWaterMark: 0 });
    let cat: number | undefined;
    try {
      assert.equal((await run(connection, `mkdir '${remote}'`)).code, 0);
      const upload = connection.writeFile(`${remote}/big`, source);
      upload.catch(() => {}); // awaited below
      cat = await Promise.race([
        catWritingUnder(remote, upload),
        upload.then(() => Promise.reject(new Error("the upload ended before its cat was seen"))),
      ]);
      Deno.kill(cat, "SIGSTOP");
      // Wait until nothing more is taken from the source (the server's window is used up).
      for (let last = -1, still = 0; still < 10; await new Promise((r) => setTimeout(r, 50))) {
        still = pulled === last ? still + 1 : 0;
        last = pulled;
      }
      const written = Deno.statSync(Deno.readLinkSync(`/proc/${cat}/fd/1`)).size;
      // Taken but not in the file: the server's window (2 MiB for OpenSSH), the pipe to
      // `cat` and a few of our pieces; never the rest of the 48 MiB.
      assert.ok(pulled - written <= 8 * MiB, `${pulled - written} bytes taken ahead of the file`);
      assert.ok(pulled < TOTAL);
      Deno.kill(cat, "SIGCONT");
      cat = undefined;
      await upload;
      const file = await Deno.open(`${remote}/big`);
      try {
        const chunk = new Uint8Array(CHUNK);
        for (let i = 0; i < TOTAL / CHUNK; i++) {
          for (let at = 0; at < CHUNK;) at += (await file.read(chunk.subarray(at)))!;
          assert.ok(chunk.every((b) => b === i % 251), `chunk ${i}`);
        }
        assert.equal(await file.read(chunk), null);
      } finally {
        file.close();
      }
    } finally {
      if (cat !== undefined) Deno.kill(cat, "SIGCONT");
      await run(connection, `rm -rf '${remote}'`).catch(() => {});
      await connection.close();
    }
  },
);

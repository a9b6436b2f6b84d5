import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost, run } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function streamOf(chunks: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && i === failAfter) {
        controller.error(new Error("source broke"));
      } else if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
}

Deno.test("sftp: write, read, overwrite atomically, modes", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  const home = await connection.home();
  const path = `${home}/files-${crypto.randomUUID()}.txt`;
  try {
    await connection.writeFile(path, text("hello\n"));
    assert.equal(decode(await connection.readFile(path)), "hello\n");
    assert.equal((await connection.stat(path)).mode & 0o777, 0o644);
    await run(connection, `chmod 600 '${path}'`);
    await connection.writeFile(path, text("second\n"));
    assert.equal(decode(await connection.readFile(path)), "second\n");
    assert.equal((await connection.stat(path)).mode & 0o777, 0o600, "existing mode kept");
    await connection.writeFile(path, text("#!/bin/sh\necho run\n"), { mode: 0o755 });
    assert.equal((await connection.stat(path)).mode & 0o777, 0o755);
    assert.equal((await run(connection, `'${path}'`)).stdout, "run\n");
    // relative paths are relative to the login directory
    await connection.writeFile("relative.txt", text("rel"));
    assert.equal(decode(await connection.readFile(`${home}/relative.txt`)), "rel");
    await connection.remove("relative.txt");
    // empty file
    await connection.writeFile(path, new Uint8Array());
    assert.equal((await connection.readFile(path)).length, 0);
  } finally {
    await connection.remove(path).catch(() => {});
    await connection.close();
  }
});

Deno.test("sftp: streams in and out, large files intact", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  const path = `${await connection.home()}/big-${crypto.randomUUID()}.bin`;
  try {
    const data = new Uint8Array(5 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, i + 65536));
    }
    const chunks = [];
    for (let i = 0; i < data.length; i += 100_000) chunks.push(data.slice(i, i + 100_000));
    await connection.writeFile(path, streamOf(chunks));
    const back = await connection.readFile(path);
    assert.equal(back.length, data.length);
    assert.ok(back.every((b, i) => b === data[i]));
    const sum = (await run(connection, `sha256sum '${path}'`)).stdout.split(" ")[0];
    const local = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", data)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(sum, local);
    let streamed = 0;
    for await (const chunk of await connection.readStream(path)) streamed += chunk.length;
    assert.equal(streamed, data.length);
  } finally {
    await connection.remove(path).catch(() => {});
    await connection.close();
  }
});

Deno.test(
  "sftp: a failing source leaves the old content and no temporary file",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const connection = await keyHost(ssh).connect(CONTEXT);
    const dir = `${await connection.home()}/atomic-${crypto.randomUUID()}`;
    try {
      await run(connection, `mkdir '${dir}'`);
      await connection.writeFile(`${dir}/config`, text("old\n"));
      const failing = streamOf([text("new part 1\n"), text("new part 2\n")], 2);
      await assert.rejects(connection.writeFile(`${dir}/config`, failing), /source broke/);
      assert.equal(decode(await connection.readFile(`${dir}/config`)), "old\n");
      assert.deepEqual((await connection.readDir(dir)).map((s) => s.filename), ["config"]);
      // a directory that does not exist: rejects, names host and path
      const error = await connection.writeFile(`${dir}/nope/x`, text("x")).catch((e) => e);
      assert.ok(error instanceof Deno.errors.NotFound);
      assert.match(error.message, new RegExp(`host "${ssh.servers[0].slug}"`));
    } finally {
      await run(connection, `rm -rf '${dir}'`);
      await connection.close();
    }
  },
);

Deno.test("sftp: stat, lstat, readDir, rename, remove", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  const dir = `${await connection.home()}/dir-${crypto.randomUUID()}`;
  try {
    await run(
      connection,
      `mkdir -p '${dir}/sub' && cd '${dir}' && printf abc > b.txt && ln -s b.txt a-link`,
    );
    const st = await connection.stat(`${dir}/b.txt`);
    assert.equal(st.filename, "b.txt");
    assert.equal(st.size, 3);
    assert.ok(st.isFile && !st.isDir && !st.isSymlink);
    assert.ok(Math.abs(st.mtime.getTime() - Date.now()) < 120_000);
    const uid = Number((await run(connection, "id -u")).stdout);
    assert.equal(st.uid, uid);
    assert.ok((await connection.stat(`${dir}/a-link`)).isFile);
    assert.ok((await connection.stat(`${dir}/a-link`, { lstat: true })).isSymlink);
    assert.ok((await connection.stat(dir)).isDir);
    const listing = await connection.readDir(dir);
    assert.deepEqual(listing.map((s) => s.filename), ["a-link", "b.txt", "sub"]);
    assert.ok(listing[2].isDir);
    await connection.writeFile(`${dir}/c.txt`, text("c"));
    await connection.rename(`${dir}/c.txt`, `${dir}/b.txt`); // replaces the target
    assert.equal(decode(await connection.readFile(`${dir}/b.txt`)), "c");
    await connection.remove(`${dir}/b.txt`);
    await assert.rejects(connection.stat(`${dir}/b.txt`), Deno.errors.NotFound);
    await assert.rejects(connection.readFile(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await run(connection, `rm -rf '${dir}'`);
    await connection.close();
  }
});

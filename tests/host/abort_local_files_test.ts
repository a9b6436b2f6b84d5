/**
 * Stopped file transfers on a LocalHost: an abort (the call's signal or the Env's) or
 * closing the Env stops a write, an upload or a download at once; the call rejects naming
 * the host, the path and "aborted" (closing: a ConnectionError), no temporary file is left,
 * the target is as it was and no file stays open.
 */
import assert from "node:assert/strict";
import { CommandError, ConnectionError, Env, type HostHandle, LocalHost } from "../../mod.ts";
import { endless, firstWrite, openersIn, settled } from "../_support/transfers.ts";

const MiB = 1024 * 1024;

function assertAborted(error: unknown, host: HostHandle, path: string): void {
  assert.ok(error instanceof CommandError, `expected a CommandError, got ${error}`);
  assert.match(error.message, new RegExp(`host "${host.slug}"`));
  assert.ok(error.message.includes(path), error.message);
  assert.match(error.message, /stopped: aborted/);
}

async function assertUntouched(dir: string, names: string[]): Promise<void> {
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), names);
  assert.deepEqual(await settled(() => openersIn(dir)), []);
}

Deno.test("local abort: a stream whose source never ends stops at once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using env = new Env({ interactive: false });
    const host = env.host(new LocalHost());
    await Deno.writeTextFile(`${dir}/conf`, "old");
    const controller = new AbortController();
    const source = endless(8, () => controller.abort());
    const error = await host.writeFile(`${dir}/conf`, source.stream, {
      signal: controller.signal,
    }).catch((e) => e);
    assertAborted(error, host, `${dir}/conf`);
    await source.cancelled;
    assert.equal(await Deno.readTextFile(`${dir}/conf`), "old");
    await assertUntouched(dir, ["conf"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("local abort: the Env's signal stops a large putFile and a large getFile", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const controller = new AbortController();
    await using env = new Env({ interactive: false, signal: controller.signal });
    const host = env.host(new LocalHost());
    await Deno.mkdir(`${dir}/src`);
    await Deno.mkdir(`${dir}/dst`);
    {
      using file = await Deno.open(`${dir}/src/big`, { write: true, create: true });
      await file.truncate(4096 * MiB); // sparse: read fast, no room taken
    }
    await Deno.writeTextFile(`${dir}/dst/big`, "old");
    {
      await using writing = firstWrite(`${dir}/dst`);
      const upload = host.putFile(`${dir}/src/big`, `${dir}/dst/big`).catch((e) => e);
      await writing.seen;
      controller.abort();
      assertAborted(await upload, host, `${dir}/dst/big`);
      assert.equal(await Deno.readTextFile(`${dir}/dst/big`), "old");
      await assertUntouched(`${dir}/dst`, ["big"]);
    }
    // A download with its own signal.
    const own = new AbortController();
    await using again = new Env({ interactive: false });
    const other = again.host(new LocalHost());
    await using writing = firstWrite(`${dir}/dst`);
    const download = other.getFile(`${dir}/src/big`, `${dir}/dst/big`, { signal: own.signal })
      .catch((e) => e);
    await writing.seen;
    own.abort();
    assertAborted(await download, other, `${dir}/src/big`);
    assert.equal(await Deno.readTextFile(`${dir}/dst/big`), "old");
    await assertUntouched(`${dir}/dst`, ["big"]);
    assert.deepEqual(await openersIn(`${dir}/src`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("local abort before the start: nothing is read or created", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using env = new Env({ interactive: false });
    const host = env.host(new LocalHost());
    await Deno.writeTextFile(`${dir}/conf`, "old");
    await Deno.writeTextFile(`${dir}/src`, "new");
    const signal = AbortSignal.abort();
    const source = endless(1, () => {});
    const failures = await Promise.all([
      host.writeFile(`${dir}/conf`, "new", { signal }),
      host.writeFile(`${dir}/conf`, source.stream, { signal }),
      host.putFile(`${dir}/src`, `${dir}/conf`, { signal }),
      host.readFile(`${dir}/conf`, { signal }),
      host.getFile(`${dir}/conf`, `${dir}/src`, { signal }),
    ].map((p) => p.then(() => undefined, (e) => e)));
    for (const error of failures) assertAborted(error, host, `${dir}/conf`);
    await source.cancelled;
    assert.equal(await Deno.readTextFile(`${dir}/conf`), "old");
    assert.equal(await Deno.readTextFile(`${dir}/src`), "new");
    await assertUntouched(dir, ["conf", "src"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("local env.close() stops an upload whose source never ends", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using env = new Env({ interactive: false });
    const host = env.host(new LocalHost());
    let closing: Promise<void> | undefined;
    const source = endless(8, () => void (closing ??= env.close()));
    const error = await host.writeFile(`${dir}/stream`, source.stream).catch((e) => e);
    await closing;
    assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${error}`);
    assert.ok(error.message.includes(`${dir}/stream`), error.message);
    await source.cancelled;
    await assertUntouched(dir, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * "Yes to all remaining" for unknown host keys: one answer covers the rest of the run,
 * questions wait for each other, and a changed key is refused all the same.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { ConnectContext } from "../../src/host/connection.ts";
import { prepareHostKeyCheck } from "../../src/host/ssh/host_key.ts";

/** An ed25519 public key blob with the given fill byte. */
function blob(fill: number): Uint8Array {
  const type = new TextEncoder().encode("ssh-ed25519");
  const out = new Uint8Array(4 + type.length + 4 + 32);
  const view = new DataView(out.buffer);
  view.setUint32(0, type.length);
  out.set(type, 4);
  view.setUint32(4 + type.length, 32);
  out.fill(fill, 8 + type.length);
  return out;
}

function context(answers: string[], asked: string[]): ConnectContext {
  return {
    interactive: true,
    memo: new Map(),
    confirm: () => Promise.reject(new Error("confirm must not be used when choose is given")),
    choose: <T>(question: string, options: ReadonlyArray<readonly [string, T]>) => {
      asked.push(question);
      const answer = answers.shift()!;
      return Promise.resolve(options.find(([, v]) => v === answer)![1]);
    },
  };
}

Deno.test("yes to all remaining: later unknown keys of the run are accepted unasked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/known_hosts`;
    const asked: string[] = [];
    const ctx = context(["all"], asked);
    const check = (slug: string, port: number) =>
      prepareHostKeyCheck({
        slug,
        address: "127.0.0.1",
        port,
        policy: "ask",
        files: [file],
        appendTo: file,
        context: ctx,
      });
    const checks = await Promise.all([check("a", 2201), check("b", 2202), check("c", 2203)]);
    // All three ask at once: the first question's answer covers the other two.
    await Promise.all(checks.map((c, i) => c.verify(blob(i + 1))));
    assert.equal(asked.length, 1);
    assert.ok(asked[0].includes('host "a"'));
    const lines = (await Deno.readTextFile(file)).trim().split("\n");
    // The three appends race each other: their order in the file does not matter.
    assert.deepEqual(lines.map((l) => l.split(" ")[0]).sort(), [
      "[127.0.0.1]:2201",
      "[127.0.0.1]:2202",
      "[127.0.0.1]:2203",
    ]);
    // A changed key is refused after "yes to all" all the same.
    const changed = await check("a", 2201);
    await assert.rejects(changed.verify(blob(9)), { name: "HostKeyError" });
    assert.equal(asked.length, 1);
    assert.ok(!(await Deno.readTextFile(file)).includes(Buffer.from(blob(9)).toString("base64")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("'no' refuses one host and the next unknown host is asked again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/known_hosts`;
    const asked: string[] = [];
    const ctx = context(["no", "yes"], asked);
    const options = (slug: string, port: number) => ({
      slug,
      address: "127.0.0.1",
      port,
      policy: "ask" as const,
      files: [file],
      appendTo: file,
      context: ctx,
    });
    await assert.rejects(
      (await prepareHostKeyCheck(options("a", 2201))).verify(blob(1)),
      { name: "HostKeyError" },
    );
    await (await prepareHostKeyCheck(options("b", 2202))).verify(blob(2));
    assert.equal(asked.length, 2);
    assert.equal((await Deno.readTextFile(file)).trim().split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Run-level choices of an environment, in process on LocalHost copies: `limit` (every
 * role of every node), `serial` batches and `failFast`, no new batch and no Retry / Skip /
 * Abort question once the run is aborted.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import {
  ActionError,
  child,
  Console,
  Env,
  LocalHost,
  Node,
  ParallelError,
  ParallelNode,
  sh,
} from "../../mod.ts";

const hosts = ["a", "b", "c", "d"].map((slug) => new LocalHost({ slug }));

class Cell extends ParallelNode {
  async slug(): Promise<string> {
    return (await this.host.run(sh`echo ${this.host.slug}`)).stdout.trim();
  }
  async failOn(slug: string): Promise<string> {
    await this.host.run(sh`exit ${this.host.slug === slug ? 3 : 0}`);
    return this.host.slug;
  }
}

class Own extends Node {
  static override hosts = { db: [new LocalHost({ slug: "db1" }), new LocalHost({ slug: "db2" })] };
  slugs(): string[] {
    return this.hosts.hosts().map((h) => h.slug);
  }
}

class Root extends Node {
  static override hosts = { web: hosts };
  cells = child(Cell, { roles: { host: "web" } });
  own = child(Own);
  all(): string[] {
    return this.hosts.hosts().map((h) => h.slug);
  }
}

function statuses(error: unknown): string[] {
  assert.ok(error instanceof ParallelError, String(error));
  return error.outcomes.map((o) =>
    `${o.host}:${o.ok ? "ok" : (o.error as Error).name === "SkippedError" ? "skipped" : "failed"}`
  );
}

Deno.test("limit: isolations, HostSets and a child's own hosts all see only the chosen hosts", async () => {
  await using env = new Env({ interactive: false, limit: "b,d,db*,!db2" });
  const root = env.bind(Root);
  assert.deepEqual(root.all(), ["b", "d"]);
  assert.deepEqual((await root.cells.slug()).hosts(), ["b", "d"]);
  assert.deepEqual(root.cells.isolations().length, 2);
  assert.deepEqual(root.own.slugs(), ["db1"]);
  assert.deepEqual(env.hostSet({ x: hosts }).hosts().map((h) => h.slug), ["b", "d"]);
  await using all = new Env({ interactive: false });
  assert.deepEqual(all.bind(Root).all(), ["a", "b", "c", "d"]);
});

Deno.test("serial + failFast: the batch after a failure is not started", async () => {
  await using env = new Env({ interactive: false, serial: 2, failFast: true });
  const error = await env.bind(Root).cells.failOn("a").catch((e) => e);
  assert.deepEqual(statuses(error), ["a:failed", "b:ok", "c:skipped", "d:skipped"]);
  await using plain = new Env({ interactive: false, serial: 2 });
  const all = await plain.bind(Root).cells.failOn("a").catch((e) => e);
  assert.deepEqual(statuses(all), ["a:failed", "b:ok", "c:ok", "d:ok"]);
});

Deno.test("an abort during a batch starts no further batch", async () => {
  const controller = new AbortController();
  class Stopper extends ParallelNode {
    async work(): Promise<string> {
      if (this.host.slug === "a") controller.abort();
      return await Promise.resolve(this.host.slug);
    }
  }
  class Top extends Node {
    static override hosts = { web: hosts };
    cells = child(Stopper, { roles: { host: "web" } });
  }
  await using env = new Env({ interactive: false, serial: 1, signal: controller.signal });
  const error = await env.bind(Top).cells.work().catch((e) => e);
  assert.deepEqual(statuses(error), ["a:ok", "b:skipped", "c:skipped", "d:skipped"]);
  assert.match(
    (error as ParallelError).outcomes[1].ok ? "" : String(
      ((error as ParallelError).outcomes[1] as { error: Error }).error.message,
    ),
    /interrupted/,
  );
});

Deno.test("once aborted, a failed command asks nothing even when a person is there", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.on("data", (chunk) => (shown += chunk));
  const console = new Console({ input, output, interactive: true, color: false });
  const controller = new AbortController();
  class Halt extends Node {
    static override hosts = { host: new LocalHost() };
    async work(): Promise<void> {
      controller.abort(new Error("Interrupted"));
      await this.hosts.run(sh`true`);
    }
  }
  await using env = new Env({ console, askOnFailure: true, signal: controller.signal });
  const error = await env.bind(Halt).work().catch((e) => e);
  assert.ok(error instanceof ActionError, String(error));
  assert.doesNotMatch(shown, /Continue\?/);
  input.end();
});

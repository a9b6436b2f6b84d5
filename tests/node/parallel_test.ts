import assert from "node:assert/strict";
import {
  action,
  ActionError,
  child,
  CommandError,
  Env,
  Inspector,
  LocalHost,
  Node,
  ParallelError,
  ParallelNode,
  ParallelResult,
  sh,
} from "../../mod.ts";
import { RecordingLogger } from "../../src/exec/logging.ts";

const hosts = ["h1", "h2", "h3"].map((slug) => new LocalHost({ slug }));

class Worker extends ParallelNode {
  async whoami(): Promise<string> {
    return this.host.slug;
  }
  async echo(text: string): Promise<string> {
    return (await this.host.run(sh`echo ${text}`)).stdout.trim();
  }
  async failOn(slug: string): Promise<string> {
    await this.host.run(this.host.slug === slug ? sh`exit 3` : sh`true`);
    return this.host.slug;
  }
  @action({ dontIsolateYet: true })
  async count(): Promise<number> {
    return this.hosts.size;
  }
  @action({ dontIsolateYet: true })
  async fanOutInside(): Promise<string[]> {
    // An action without the flag, called from one with it, fans out again.
    const result = (await this.whoami()) as unknown as ParallelResult<string>;
    return [...result];
  }
  @action({ isolateOneOnly: true })
  async pick(): Promise<string> {
    return this.host.slug;
  }
  nested = child(Inner);
}

class Inner extends Node {
  async where(): Promise<string> {
    return (this.parent as Worker).host.slug;
  }
}

class Root extends Node {
  static override hosts = { web: hosts };
  workers = child(Worker, { roles: { host: "web" } });
  single = child(Worker, { roles: { host: "web" }, hosts: { host: [hosts[1]] }, justOne: true });
}

Deno.test("a parallel child runs on every isolation and returns per-host results in order", async () => {
  await using env = new Env({ interactive: false });
  const result = await env.bind(Root).workers.echo("hi $(id)");
  assert.ok(result instanceof ParallelResult);
  assert.deepEqual(result.hosts(), ["h1", "h2", "h3"]);
  assert.deepEqual([...result], ["hi $(id)", "hi $(id)", "hi $(id)"]);
  assert.equal(result.get("h2"), "hi $(id)");
  assert.equal(
    String(await env.bind(Root).workers.whoami()),
    "{ <h1>: 'h1', <h2>: 'h2', <h3>: 'h3' }",
  );
});

Deno.test("a failure in one isolation keeps every host's outcome (ParallelError)", async () => {
  await using env = new Env({ interactive: false });
  const error = await env.bind(Root).workers.failOn("h2").then(
    () => assert.fail("should reject"),
    (e) => e,
  );
  assert.ok(error instanceof ParallelError);
  assert.equal(error.outcomes.length, 3);
  assert.deepEqual(error.outcomes.map((o) => [o.host, o.ok]), [["h1", true], ["h2", false], [
    "h3",
    true,
  ]]);
  const failed = error.outcomes[1];
  assert.ok(!failed.ok && failed.error instanceof ActionError);
  assert.ok(failed.error.cause instanceof CommandError);
  assert.match(error.message, /Root\.workers\.failOn failed on 1 of 3 hosts \(h2\)/);
  assert.match(failed.error.message, /Root\.workers\[h2\]\.failOn on host "h2" failed/);
});

Deno.test("isolate() by slug, index and host; isolations() in host order", async () => {
  await using env = new Env({ interactive: false });
  const workers = env.bind(Root).workers;
  assert.equal(await workers.isolate("h3").whoami(), "h3");
  assert.equal(await workers.isolate(0).whoami(), "h1");
  assert.equal(await workers.isolate(hosts[1]).whoami(), "h2");
  assert.deepEqual(workers.isolations().map((n) => new Inspector(n).fullPath()), [
    "Root.workers[h1]",
    "Root.workers[h2]",
    "Root.workers[h3]",
  ]);
  assert.throws(
    () => workers.isolate("nope"),
    /No isolation "nope" in Root\.workers \(hosts: h1, h2, h3\)/,
  );
});

Deno.test("justOne gives a plain isolated node", async () => {
  await using env = new Env({ interactive: false });
  assert.equal(await env.bind(Root).single.whoami(), "h2");
});

Deno.test("dontIsolateYet runs once on the whole node; actions it calls fan out", async () => {
  await using env = new Env({ interactive: false });
  const workers = env.bind(Root).workers;
  assert.equal(await workers.count() as unknown, 3);
  assert.deepEqual(await workers.fanOutInside() as unknown, ["h1", "h2", "h3"]);
});

Deno.test("isolateOneOnly without a person picks one isolation", async () => {
  await using env = new Env({ interactive: false });
  const result = await env.bind(Root).workers.pick();
  assert.equal(result.size, 1);
  assert.ok(["h1", "h2", "h3"].includes([...result][0]));
});

Deno.test("normal children of a parallel node run in each isolation", async () => {
  await using env = new Env({ interactive: false });
  const cell = env.bind(Root).workers.isolate("h2");
  assert.equal(await cell.nested.where(), "h2");
});

Deno.test("no hosts: nothing runs and the result is empty", async () => {
  class Empty extends Node {
    workers = child(Worker, { roles: { host: "none" } });
  }
  const logger = new RecordingLogger();
  await using env = new Env({ interactive: false, loggers: [logger] });
  const result = await env.bind(Empty).workers.whoami();
  assert.equal(result.size, 0);
  assert.match(
    logger.ofType("message")[0].text,
    /Nothing to do: no hosts in Empty\.workers\.whoami/,
  );
});

Deno.test("a parallel root is a parallel view", async () => {
  class Top extends Worker {
    static override hosts = { host: hosts.slice(0, 2) };
  }
  await using env = new Env({ interactive: false });
  assert.deepEqual([...await env.bind(Top).whoami()], ["h1", "h2"]);
});

Deno.test("every isolation runs even when one fails early", async () => {
  class Slow extends ParallelNode {
    async work(): Promise<string> {
      if (this.host.slug === "h1") throw new Error("early failure");
      await this.host.run(sh`sleep 0.2`);
      return "done";
    }
  }
  class Top extends Node {
    static override hosts = { host: hosts };
    slow = child(Slow);
  }
  await using env = new Env({ interactive: false });
  const error = await env.bind(Top).slow.work().catch((e) => e);
  assert.ok(error instanceof ParallelError);
  assert.deepEqual(error.outcomes.map((o: { ok: boolean }) => o.ok), [false, true, true]);
});

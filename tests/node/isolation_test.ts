// Isolation as in python-deployer: a parallel node inside a parallel node shares the isolation
// of its parent (same host); only an array child adds a dimension; isolateOneOnly with several
// isolations gives the chosen host's plain value.
import assert from "node:assert/strict";
import {
  child,
  DeployerError,
  Env,
  Inspector,
  LocalHost,
  Node,
  ParallelNode,
  ParallelResult,
} from "../../mod.ts";
import { childOf, isolationsOf } from "../../src/node/isolation.ts";
import { capturingConsole } from "../_support/consoles.ts";

const web = ["w1", "w2"].map((slug) => new LocalHost({ slug }));
const db = ["d1", "d2"].map((slug) => new LocalHost({ slug }));

class Inner extends ParallelNode {
  where(): string {
    return this.host.slug;
  }
}

class Outer extends ParallelNode {
  inner = child(Inner, { sameHost: true });
  cells = child(Inner, { array: true, roles: { host: "db" } });
  async sameHost(): Promise<string> {
    const inner: string = await this.inner.where(); // typed plain: no ParallelResult
    return `${this.host.slug}=${inner}`;
  }
  async perDbHost(): Promise<string[]> {
    return [...await this.cells.where()];
  }
}

class Root extends Node {
  static override hosts = { web, db };
  outer = child(Outer, { roles: { host: "web", db: "db" } });
}

Deno.test("a parallel child with sameHost runs in its parent's isolation, as a plain node", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.deepEqual([...await root.outer.sameHost()], ["w1=w1", "w2=w2"]);
  const cell = root.outer.isolate("w2");
  assert.equal(await cell.inner.where(), "w2");
  assert.equal(new Inspector(cell.inner).fullPath(), "Root.outer[w2].inner");
  assert.ok(new Inspector(cell.inner).isolated);
});

Deno.test("an array child adds a dimension: one isolation per host below each isolation", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.deepEqual([...await root.outer.perDbHost()], [["d1", "d2"], ["d1", "d2"]]);
  const cells = childOf(childOf(root, "outer")!, "cells")!;
  assert.deepEqual(isolationsOf(cells).map((n) => new Inspector(n).fullPath()), [
    "Root.outer[w1].cells[d1]",
    "Root.outer[w1].cells[d2]",
    "Root.outer[w2].cells[d1]",
    "Root.outer[w2].cells[d2]",
  ]);
});

Deno.test("a sameHost child reached without an isolation has its parent's isolations", async () => {
  await using env = new Env({ interactive: false });
  const inner = childOf(childOf(env.bind(Root), "outer")!, "inner")!;
  assert.ok(!new Inspector(inner).isolated);
  assert.deepEqual(isolationsOf(inner).map((n) => new Inspector(n).fullPath()), [
    "Root.outer[w1].inner",
    "Root.outer[w2].inner",
  ]);
  const result = await (inner as Inner).where() as unknown;
  assert.ok(result instanceof ParallelResult);
  assert.deepEqual([...result], ["w1", "w2"]);
});

Deno.test("a bare parallel child of a parallel node must say sameHost or array", async () => {
  class Bare extends ParallelNode {
    inner = child(Inner);
  }
  class Top extends Node {
    static override hosts = { host: web };
    bare = child(Bare);
  }
  await using env = new Env({ interactive: false });
  assert.throws(() => env.bind(Top).bare.isolate("w1").inner, (error) => {
    assert.ok(error instanceof DeployerError);
    assert.match(
      error.message,
      /^Top\.bare\[w1\]\.inner: a parallel node inside a parallel node needs child\(Inner, \{ sameHost: true \}\)/,
    );
    return true;
  });
});

Deno.test("sameHost on a child of a normal node is refused; shapes cannot be combined", async () => {
  class Top extends Node {
    static override hosts = { host: web };
    inner = child(Inner, { sameHost: true });
  }
  await using env = new Env({ interactive: false });
  assert.throws(() => env.bind(Top).inner, /Top\.inner: sameHost is for a parallel node inside/);
  assert.throws(
    () => child(Inner, { sameHost: true, array: true } as { sameHost: true }),
    /child\(Inner\): array and sameHost cannot be combined/,
  );
  class Plain extends Node {}
  assert.throws(
    () => child(Plain, { array: true }),
    /child\(Plain\): array is for parallel nodes; Plain is a normal node/,
  );
});

class Picker extends ParallelNode {
  static override actionOptions = { pick: { isolateOneOnly: true } } as const;
  pick(): string {
    return this.host.slug;
  }
}

Deno.test("isolateOneOnly: several isolations give the chosen host's plain value", async () => {
  class Top extends Node {
    static override hosts = { host: web };
    picker = child(Picker);
  }
  const { console, text } = capturingConsole();
  await using env = new Env({ console });
  const value = await env.bind(Top).picker.pick();
  assert.equal(typeof value, "string");
  assert.ok(["w1", "w2"].includes(value as string));
  assert.equal(
    text(),
    `  Choose a host (default=random): [non interactive] ${value}    [localhost]\n`,
  );
});

Deno.test("isolateOneOnly: one isolation stays a result, none an empty result (python)", async () => {
  class One extends Node {
    static override hosts = { host: [web[0]] };
    picker = child(Picker);
  }
  class None extends Node {
    picker = child(Picker, { roles: { host: "nothing" } });
  }
  await using env = new Env({ interactive: false });
  const one = await env.bind(One).picker.pick();
  assert.ok(one instanceof ParallelResult);
  assert.deepEqual([...one], ["w1"]);
  const none = await env.bind(None).picker.pick();
  assert.ok(none instanceof ParallelResult);
  assert.equal(none.size, 0);
});

// Type-level tests: they pass when this file type-checks (`deno test` checks it).
import assert from "node:assert/strict";
import {
  child,
  type CommandResult,
  Env,
  LocalHost,
  Node,
  type Parallel,
  ParallelNode,
  type ParallelResult,
  q,
  required,
  sh,
} from "../mod.ts";
import type { NodeMemberName } from "../src/node/mod.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true
  : false;
function assertType<T extends true>(_: T): void {}

class Web extends ParallelNode {
  location = required<string>("checkout");
  async deploy(commit: string): Promise<string> {
    return (await this.host.run(sh`echo ${commit}`)).stdout;
  }
  count(): number {
    return 1;
  }
}
class Db extends Node {
  url = q(() => "postgres://");
  async migrate(): Promise<void> {}
}
class App extends Node {
  static override hosts = { host: new LocalHost() };
  web = child(Web, { roles: { host: "host" }, set: { location: "/srv" } });
  one = child(Web, { justOne: true });
  db = child(Db);
  async deploy(): Promise<void> {
    const results = await this.web.deploy("abc");
    assertType<Equal<typeof results, ParallelResult<string>>>(true);
    const single: string = await this.web.isolate("web1").deploy("abc");
    const plain: string = await this.one.deploy("x");
    void single, plain;
    assertType<Equal<Awaited<ReturnType<App["web"]["count"]>>, ParallelResult<number>>>(true);
    assertType<Equal<typeof this.db.url, string>>(true);
    const run: ParallelResult<CommandResult> = await this.hosts.run(sh`true`);
    void run;
    // @ts-expect-error: a wrong child property name is a compile error
    this.webb.deploy("abc");
    // @ts-expect-error: a wrong action name on a child is a compile error
    await this.db.migrat();
    // @ts-expect-error: the parallel view only has actions, not fields
    this.web.location;
    // @ts-expect-error: wrong argument type
    await this.web.deploy(1);
    // @ts-expect-error: set: only takes fields of the child, with their types
    child(Web, { set: { location: 1 } });
    // @ts-expect-error: sh interpolations must be strings, numbers, booleans, raw/secret or arrays
    sh`echo ${{ a: 1 }}`;
  }
}

Deno.test("types: parallel children return per-host results; typos are compile errors", async () => {
  assertType<Equal<App["web"], Parallel<Web>>>(true);
  assertType<Equal<App["one"], Web>>(true);
  await using env = new Env({ interactive: false });
  const app = env.bind(App);
  assert.deepEqual([...await app.web.deploy("x")].map((s) => s.trim()), ["x"]);
});

// Isolation as in python-deployer (issue 11): inside a parallel node, a sameHost parallel child
// is the node itself (plain values); an array child is a view; flags declared in
// `static actionOptions` shape the view's results.
class Leaf extends ParallelNode {
  static override actionOptions = {
    pick: { isolateOneOnly: true },
    total: { dontIsolateYet: true },
  } as const;
  where(): string {
    return this.host.slug;
  }
  pick(): string {
    return this.host.slug;
  }
  total(): number {
    return this.hosts.size;
  }
}
class Branch extends ParallelNode {
  leaf = child(Leaf, { sameHost: true });
  leaves = child(Leaf, { array: true });
  async check(): Promise<void> {
    const here: string = await this.leaf.where();
    void here;
    assertType<Equal<typeof this.leaf, Leaf>>(true);
    const all: ParallelResult<string> = await this.leaves.where();
    void all;
    // @ts-expect-error: a sameHost child is no view: it has no isolate()
    this.leaf.isolate(0);
    // @ts-expect-error: an array child's results are per host, not plain
    const wrong: string = await this.leaves.where();
    void wrong;
  }
}
class Trunk extends Node {
  leaves = child(Leaf);
  branch = child(Branch);
  async check(): Promise<void> {
    // isolateOneOnly: the chosen host's value with several isolations, a result with one.
    const picked = await this.leaves.pick();
    assertType<Equal<typeof picked, string | ParallelResult<string>>>(true);
    // @ts-expect-error: with a single isolation the result is still a ParallelResult
    const slug: string = await this.leaves.pick();
    void slug;
    // dontIsolateYet: runs once, its plain value.
    assertType<Equal<Awaited<ReturnType<Trunk["leaves"]["total"]>>, number>>(true);
    // Actions without declared flags stay per host.
    assertType<Equal<Awaited<ReturnType<Trunk["leaves"]["where"]>>, ParallelResult<string>>>(
      true,
    );
    // From a normal node, a parallel node's sameHost child is reached through an isolation.
    assertType<Equal<ReturnType<Trunk["branch"]["isolate"]>["leaf"], Leaf>>(true);
  }
}

Deno.test("types: sameHost children are plain, array children are views", async () => {
  class Top extends Trunk {
    static override hosts = { host: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
  }
  await using env = new Env({ interactive: false });
  const top = env.bind(Top);
  assert.equal(await top.branch.isolate("b").leaf.where(), "b");
  assert.equal(await top.leaves.total(), 2);
});

// ActionName leaves out the members Node and ParallelNode define, listed in NodeMemberName:
// the list must stay equal to the classes' own string keys.
assertType<Equal<Extract<keyof ParallelNode, string>, NodeMemberName>>(true);

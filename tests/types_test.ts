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

// ActionName leaves out the members Node and ParallelNode define, listed in NodeMemberName:
// the list must stay equal to the classes' own string keys.
assertType<Equal<Extract<keyof ParallelNode, string>, NodeMemberName>>(true);

import assert from "node:assert/strict";
import { ALL_HOSTS, child, Env, Inspector, LocalHost, Node, ParallelNode } from "../../mod.ts";

const [a, b, c, d] = ["a", "b", "c", "d"].map((slug) => new LocalHost({ slug }));

function slugs(node: object): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [role, hosts] of new Inspector(node).hosts()) out[role] = hosts.map((h) => h.slug);
  return out;
}

class Leaf extends Node {}
class Cell extends ParallelNode {}

class Root extends Node {
  static override hosts = { web: [a, b], db: c, extra: [d, a] };
  inherit = child(Leaf);
  one = child(Leaf, { roles: { host: "web" } });
  many = child(Leaf, { roles: { host: ["db", "web"], other: "extra" } });
  all = child(Leaf, { roles: { host: ALL_HOSTS } });
  unknown = child(Leaf, { roles: { host: "nope" } });
  own = child(Leaf, { hosts: { x: [d] } });
  parallel = child(Cell);
  parallelMapped = child(Cell, { roles: { host: "web" } });
}

Deno.test("child() without roles inherits the parent's hosts", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.deepEqual(slugs(root.inherit), { web: ["a", "b"], db: ["c"], extra: ["d", "a"] });
});

Deno.test("role mapping: one role, several roles (in order, deduplicated), ALL_HOSTS", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.deepEqual(slugs(root.one), { host: ["a", "b"] });
  assert.deepEqual(slugs(root.many), { host: ["c", "a", "b"], other: ["d", "a"] });
  assert.deepEqual(slugs(root.all), { host: ["a", "b", "c", "d"] });
});

Deno.test("an unknown parent role maps to an empty role that still exists", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.deepEqual(slugs(root.unknown), { host: [] });
  assert.equal(root.unknown.hosts.size, 0);
  assert.deepEqual(root.unknown.hosts.roles(), ["host"]);
});

Deno.test("hosts: on a child replaces the parent's hosts", async () => {
  await using env = new Env({ interactive: false });
  assert.deepEqual(slugs(env.bind(Root).own), { x: ["d"] });
});

Deno.test("a parallel child without a host role gets every host in 'host'", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  const inspector = new Inspector(root.parallel);
  assert.deepEqual(inspector.hosts().get("host")!.map((h) => h.slug), ["a", "b", "c", "d"]);
  assert.deepEqual(
    root.parallelMapped.isolations().map((n) => new Inspector(n).isolationId),
    ["a", "b"],
  );
});

Deno.test("static hosts on a subclass bind real hosts (python's class Hosts)", async () => {
  class Staging extends Leaf {
    static override hosts = { web: [b] };
  }
  class Top extends Node {
    static override hosts = { web: [a] };
    staging = child(Staging);
  }
  await using env = new Env({ interactive: false });
  assert.deepEqual(slugs(env.bind(Top).staging), { web: ["b"] });
});

Deno.test("hosts.filter() keeps roles and shares handles (and their context)", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  const web = root.hosts.filter("web");
  assert.deepEqual(web.hosts().map((h) => h.slug), ["a", "b"]);
  assert.equal(web.at(0), root.hosts.filter("extra").at(1));
  assert.deepEqual(root.hosts.filter("nope").roles(), ["nope"]);
  assert.throws(() => root.hosts.filter("nope").at(0), RangeError);
  assert.deepEqual(
    [...root.hosts.byRole()].map(([r, h]) => [r, h.map((x) => x.slug)]),
    [["web", ["a", "b"]], ["db", ["c"]], ["extra", ["d", "a"]]],
  );
});

Deno.test("an invalid host definition is rejected with a clear error", async () => {
  class Bad extends Node {
    static override hosts = { web: ["not a host" as unknown as LocalHost] };
  }
  await using env = new Env({ interactive: false });
  assert.throws(() => env.bind(Bad), /Invalid host in role "web"/);
});

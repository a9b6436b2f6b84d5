import assert from "node:assert/strict";
import { child, DeployerError, Env, LocalHost, Node, ParallelNode } from "../../mod.ts";

class Leaf extends Node {
  hello(): string {
    return "hi";
  }
}
class Cell extends ParallelNode {}

Deno.test("two different hosts with one slug in two nodes: bind names both places", async () => {
  class Root extends Node {
    staging = child(Leaf, { hosts: { web: new LocalHost({ slug: "web1" }) } });
    production = child(Leaf, {
      hosts: { db: new LocalHost({ slug: "web1", address: "127.0.0.2" }) },
    });
  }
  await using env = new Env({ interactive: false });
  let message = "";
  assert.throws(() => env.bind(Root), (error) => {
    assert.ok(error instanceof DeployerError);
    message = error.message;
    return true;
  });
  assert.match(message, /Duplicate host slug "web1"/);
  assert.match(message, /Root\.staging role "web"/);
  assert.match(message, /Root\.production role "db"/);
});

Deno.test("duplicate slugs deep in the tree and across roles of one node are found", async () => {
  class Mid extends Node {
    deep = child(Leaf, { hosts: { cache: new LocalHost({ slug: "x", username: "other" }) } });
  }
  class Root extends Node {
    static override hosts = { web: new LocalHost({ slug: "x" }) };
    mid = child(Mid);
  }
  await using env = new Env({ interactive: false });
  assert.throws(() => env.bind(Root), /"x".*Root role "web".*Root\.mid\.deep role "cache"/);
  class Roles extends Node {
    static override hosts = {
      web: new LocalHost({ slug: "y" }),
      db: new LocalHost({ slug: "y", address: "127.0.0.3" }),
    };
  }
  assert.throws(() => env.bind(Roles), /"y".*Roles role "web".*Roles role "db"/);
});

Deno.test("duplicates below a parallel node are found at bind, not first when run", async () => {
  class Root extends Node {
    static override hosts = {
      web: [new LocalHost({ slug: "w" }), new LocalHost({ slug: "w", address: "127.0.0.4" })],
    };
    cells = child(Cell, { roles: { host: "web" } });
  }
  await using env = new Env({ interactive: false });
  assert.throws(() => env.bind(Root), /Duplicate host slug "w"/);
});

Deno.test("one host object in several roles and nodes, and equal copies, bind fine", async () => {
  const shared = new LocalHost({ slug: "shared" });
  class Root extends Node {
    static override hosts = { web: shared, db: shared };
    a = child(Leaf, { hosts: { x: shared } });
    b = child(Leaf, { roles: { host: "web" } });
    c = child(Leaf, { hosts: { web: [new LocalHost()], db: [new LocalHost()] } });
    cells = child(Cell, { roles: { host: ["web", "db"] } });
  }
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.equal(await root.a.hello(), "hi");
});

Deno.test("a tree that contains itself is walked without looping", async () => {
  class Loop extends Node {
    again = child(Loop);
  }
  await using env = new Env({ interactive: false });
  assert.ok(env.bind(Loop));
});

import assert from "node:assert/strict";
import {
  action,
  child,
  Env,
  hasAction,
  inGroup,
  Inspector,
  isInstance,
  LocalHost,
  Node,
  ParallelNode,
  privateOnly,
  production,
  publicOnly,
  q,
  required,
  staging,
} from "../../mod.ts";

class Db extends Node {
  name = required<string>("service name");
  port = 5432;
  url = q(() => `postgres://localhost:${this.port}`);
  start(): void {}
  @action({ alias: "go" })
  stop(): void {}
  _secret(): void {}
}
class Cache extends ParallelNode {
  flush(): void {}
}
class App extends Node {
  db = child(Db, { set: { name: "pg" } });
  cache = child(Cache);
  _internal = child(Db);
  deploy(): void {}
}
class Root extends Node {
  static override hosts = { host: [new LocalHost({ slug: "x" }), new LocalHost({ slug: "y" })] };
  prod = child(App, { group: production });
  stage = child(
    class extends App {
      static override group = staging;
    },
  );
}

Deno.test("Inspector lists children in definition order and actions alphabetically", async () => {
  await using env = new Env({ interactive: false });
  const app = new Inspector(env.bind(Root).prod);
  assert.deepEqual(app.children().map(([n]) => n), ["db", "cache", "_internal"]);
  assert.deepEqual(app.children({ includePrivate: false }).map(([n]) => n), ["db", "cache"]);
  const db = new Inspector(app.child("db"));
  assert.deepEqual(db.actions().map((a) => a.name), ["_secret", "go", "start", "stop"]);
  assert.deepEqual(db.actions({ includePrivate: false }).map((a) => a.name), [
    "go",
    "start",
    "stop",
  ]);
  assert.equal(db.action("go").method, "stop");
  assert.deepEqual(db.queries(), [{ name: "url", source: db.queries()[0].source }]);
  assert.match(db.queries()[0].source, /postgres:\/\/localhost:/);
  assert.deepEqual(db.properties().map((m) => [m.name, m.kind]), [["name", "value"], [
    "port",
    "value",
  ]]);
  assert.throws(() => db.child("nope"), /Root\.prod\.db has no child node "nope"/);
  assert.throws(() => db.action("nope"), /has no action "nope"/);
});

Deno.test("Inspector: path, root, parent, group (inherited), isolations", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  const db = new Inspector(root.prod.db);
  assert.deepEqual(db.path(), ["Root", "prod", "db"]);
  assert.equal(db.root(), root);
  assert.equal(db.parent(), root.prod);
  assert.equal(db.group(), production);
  assert.equal(new Inspector(root.stage.db).group(), staging);
  assert.equal(new Inspector(root).group(), undefined);
  const cache = new Inspector(root.prod.cache);
  assert.equal(cache.isolated, false);
  assert.deepEqual(cache.isolations().map((n) => new Inspector(n).fullPath()), [
    "Root.prod.cache[x]",
    "Root.prod.cache[y]",
  ]);
  assert.equal(new Inspector(cache.isolation("y")).isolationId, "y");
  assert.equal(String(db), "Inspector(Root.prod.db)");
});

Deno.test("walk() is breadth first and filters combine with and / or / not", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  const names = (nodes: object[]) => nodes.map((n) => new Inspector(n).fullPath());
  const all = new Inspector(root).walk();
  assert.deepEqual(names(all).slice(0, 3), ["Root", "Root.prod", "Root.stage"]);
  assert.equal(all.length, 1 + 2 * 4);
  const inspector = new Inspector(root);
  assert.deepEqual(names(inspector.walk(privateOnly)), [
    "Root.prod._internal",
    "Root.stage._internal",
  ]);
  assert.deepEqual(
    names(inspector.walk(isInstance(Db).and(publicOnly).and(inGroup(staging)))),
    ["Root.stage.db"],
  );
  assert.deepEqual(
    names(inspector.walk(hasAction("flush").or(hasAction("deploy")).and(inGroup(production)))),
    ["Root.prod", "Root.prod.cache"],
  );
  assert.equal(inspector.walk(isInstance(Db).not()).length, all.length - 4);
  assert.equal(String(isInstance(Db).and(publicOnly.not())), "isInstance(Db) & ~publicOnly");
});

// A node's default action (python's `__call__`): which action it is, and how it is declared.
import assert from "node:assert/strict";
import { action, child, Env, LocalHost, Node, ParallelNode } from "../../mod.ts";
import { defaultActionOf } from "../../src/node/mod.ts";

class Service extends Node {
  @action({ default: true, alias: "st" })
  status(): string {
    return "running";
  }
  restart(): string {
    return "restarted";
  }
}

Deno.test("the decorator declares the default action; its alias is not a second one", () => {
  const found = defaultActionOf(new Service());
  assert.equal(found?.name, "status");
  assert.equal(found?.flags.alias, "st");
});

Deno.test("a subclass chooses another default action; an override keeps it", () => {
  class Restarting extends Service {
    static override actionOptions = { restart: { default: true } };
  }
  class Overriding extends Service {
    override status(): string {
      return "overridden";
    }
  }
  assert.equal(defaultActionOf(new Restarting())?.name, "restart");
  assert.equal(defaultActionOf(new Overriding())?.name, "status");
});

Deno.test("two default actions in one class, or a missing one, are errors naming the class", () => {
  class Twice extends Node {
    static override actionOptions = { a: { default: true }, b: { default: true } };
    a(): void {}
    b(): void {}
  }
  class Missing extends Node {
    static override actionOptions = { gone: { default: true } };
  }
  assert.throws(() => defaultActionOf(new Twice()), {
    message: "Twice declares several default actions: a, b",
  });
  assert.throws(() => defaultActionOf(new Missing()), {
    message: 'Missing declares "gone" as its default action, but it has no such action',
  });
});

Deno.test("the default action of a parallel child runs like any action of the view", async () => {
  class Git extends ParallelNode {
    @action({ default: true })
    slug(): string {
      return this.host.slug;
    }
  }
  class Root extends Node {
    static override hosts = { host: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] };
    git = child(Git);
  }
  await using env = new Env({ interactive: false });
  const git = env.bind(Root).git;
  const info = defaultActionOf(git.isolate(0));
  assert.equal(info?.name, "slug");
  assert.deepEqual([...await git[info!.name as "slug"]()], ["a", "b"]);
});

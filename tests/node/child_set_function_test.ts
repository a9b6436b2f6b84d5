import assert from "node:assert/strict";
import { child, Env, Node, ParallelNode, required } from "../../mod.ts";
import { LocalHost } from "../../mod.ts";

class Leaf extends ParallelNode {
  location: string = required<string>("where");
  tags: string[] = [];
  where(): string {
    return `${this.host.slug}:${this.location}:${this.tags.join(",")}`;
  }
}

class App extends Node {
  name = "app";
  leaf = child(Leaf, { set: () => ({ location: `/srv/${this.name}`, tags: [this.name] }) });
}

Deno.test("child set: a function sees the parent's final fields (subclass overrides too)", async () => {
  class Shop extends App {
    override name = "shop";
  }
  await using env = new Env({ interactive: false });
  const shop = env.bind(Shop, { hosts: { host: [new LocalHost({ slug: "h1" })] } });
  assert.deepEqual((await shop.leaf.where()).values(), ["h1:/srv/shop:shop"]);
});

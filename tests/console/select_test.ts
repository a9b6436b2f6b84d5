// The node and isolation choosers (python's Console.select_node / select_node_isolation), on
// injected streams: answered by keys when interactive, by the default or at random when not.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import {
  child,
  Console,
  DeployerError,
  Env,
  Inspector,
  LocalHost,
  Node,
  ParallelNode,
  publicOnly,
} from "../../mod.ts";
import { isInstance } from "../../src/node/mod.ts";
import { selectIsolation, selectNode } from "../../src/console/mod.ts";

const hosts = ["a", "b", "c"].map((slug) => new LocalHost({ slug }));

class Git extends ParallelNode {
  slug(): string {
    return this.host.slug;
  }
}
class Db extends Node {}
class App extends Node {
  git = child(Git, { roles: { host: "web" } });
  db = child(Db);
  _hidden = child(Db);
}
class Root extends Node {
  static override hosts = { web: hosts };
  staging = child(App);
  production = child(App);
}

function streams(interactive: boolean) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk) => void (text += chunk));
  const console = new Console({ input, output, interactive, color: false, columns: 80 });
  return { console, input, output, shown: () => text };
}

function pathOf(node: object): string {
  return new Inspector(node).fullPath();
}

const UP = "\x1b[A";
const DOWN = "\x1b[B";
/** Arrow up to the first option (the cursor starts on "random", the last one). */
const TOP = Array(6).fill(UP);

/** Sends keys once the question is on screen. */
async function answer(io: ReturnType<typeof streams>, question: string, keys: string[]) {
  await new Promise<void>((resolve) => {
    const check = () => {
      if (!io.shown().includes(question)) return;
      io.output.off("data", check);
      resolve();
    };
    io.output.on("data", check);
    check();
  });
  for (const key of keys) io.input.write(key);
}

Deno.test("selectNode: a person picks among the nodes that pass the filter", async () => {
  const io = streams(true);
  await using env = new Env({ console: io.console });
  const root = env.bind(Root);
  const filter = isInstance(Db).and(publicOnly);
  const chosen = selectNode(io.console, root, { prompt: "Which db?", filter });
  await answer(io, "Which db?", [...TOP, DOWN, "\r"]); // the second, Enter
  assert.equal(pathOf(await chosen), "Root.production.db");
  assert.match(io.shown(), /Root\.staging\.db/);
  assert.doesNotMatch(io.shown(), /_hidden/);
});

Deno.test("selectNode: one candidate is returned without asking; none is an error", async () => {
  const io = streams(false);
  await using env = new Env({ console: io.console });
  const root = env.bind(Root);
  const only = await selectNode(io.console, root.staging, { filter: isInstance(Git) });
  assert.equal(pathOf(only), "Root.staging.git");
  assert.equal(io.shown(), "");
  await assert.rejects(
    selectNode(io.console, root.staging.db, { filter: isInstance(Git) }),
    (error) => {
      assert.ok(error instanceof DeployerError);
      assert.equal(error.message, "No node matching isInstance(Git) in Root.staging.db");
      return true;
    },
  );
});

Deno.test("selectNode: without a person, one at random, and it says so", async () => {
  const io = streams(false);
  await using env = new Env({ console: io.console });
  const root = env.bind(Root);
  const isApp = (node: object): node is App => node instanceof App;
  const app: App = await selectNode(io.console, root, { filter: isApp });
  assert.ok(app === root.staging || app === root.production);
  assert.equal(
    io.shown(),
    `  Select a node (default=random): [non interactive] ${pathOf(app)}\n`,
  );
});

Deno.test("selectIsolation: a person picks a host; the isolation is typed as the node", async () => {
  const io = streams(true);
  await using env = new Env({ console: io.console });
  const git = env.bind(Root).staging.git;
  const chosen = selectIsolation(io.console, git);
  await answer(io, "Choose a host", [...TOP, DOWN, DOWN, "\r"]); // the third
  const cell: Git = await chosen;
  assert.equal(await cell.slug(), "c");
  assert.match(io.shown(), /a \(localhost\)/);
});

Deno.test("selectIsolation: one isolation without asking; no hosts is an error", async () => {
  class Small extends Node {
    static override hosts = { web: [hosts[1]] };
    git = child(Git, { roles: { host: "web" } });
    none = child(Git, { roles: { host: "nothing" } });
  }
  const io = streams(false);
  await using env = new Env({ console: io.console });
  const small = env.bind(Small);
  assert.equal(await (await selectIsolation(io.console, small.git)).slug(), "b");
  assert.equal(await selectIsolation(io.console, small), small); // a normal node: itself
  await assert.rejects(
    selectIsolation(io.console, small.none),
    /^DeployerError: No hosts in Small\.none$/m,
  );
  assert.equal(io.shown(), "");
});

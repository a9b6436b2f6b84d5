import assert from "node:assert/strict";
import {
  action,
  ActionError,
  child,
  DeployerError,
  Env,
  Inspector,
  LocalHost,
  Node,
  q,
  QueryError,
  required,
  sh,
} from "../../mod.ts";
import { RecordingLogger } from "../../src/exec/logging.ts";

const local = new LocalHost({ slug: "local" });

class Git extends Node {
  repository = required<string>("URL to clone");
  branch = "main";
  ref = q(() => `${this.repository}#${this.branch}`);
  broken = q((): string => {
    throw new Error("no such thing");
  });
  describe(): string {
    return this.ref;
  }
}

class Root extends Node {
  static override hosts = { host: local };
  git = child(Git);
  configured = child(Git, { set: { repository: "https://example.org/x.git", branch: "dev" } });
  sub = child(
    class extends Git {
      override repository = "sub.git";
    },
  );
  calls = 0;
  async inner(): Promise<void> {
    throw new Error("inner failed");
  }
  async outer(): Promise<void> {
    await this.inner();
  }
  async count(): Promise<number> {
    this.calls++;
    return this.calls;
  }
  // Decorators cannot be used in a class that has class expressions in its field
  // initializers (Deno 2.9's transform fails), so the flags are declared statically here.
  static override actionOptions = {
    counted: { alias: ["c", "again"], suppressResult: true, description: "counts" },
  };
  async counted(): Promise<number> {
    return await this.count();
  }
  async cwdHere(): Promise<string> {
    using _ = this.hosts.cd("/tmp");
    return await this.git2();
  }
  async git2(): Promise<string> {
    return [...await this.hosts.getcwd()][0];
  }
}

Deno.test("required() names node path, field and description when unset", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.throws(
    () => root.git.repository,
    (e: Error) =>
      e instanceof DeployerError &&
      e.message === 'Required value "repository" of Root.git is not set: URL to clone',
  );
  assert.equal(root.configured.repository, "https://example.org/x.git");
  assert.equal(root.sub.repository, "sub.git");
});

Deno.test("q() is evaluated on every access and wraps failures in QueryError", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.equal(root.configured.ref, "https://example.org/x.git#dev");
  root.configured.branch = "other";
  assert.equal(root.configured.ref, "https://example.org/x.git#other");
  assert.throws(() => root.configured.broken, (e: Error) => {
    assert.ok(e instanceof QueryError);
    assert.equal(e.nodePath, "Root.configured");
    assert.equal(e.attribute, "broken");
    assert.match(e.source, /no such thing/);
    assert.equal((e.cause as Error).message, "no such thing");
    return true;
  });
});

Deno.test("an action's failure is an ActionError naming the action, never wrapped twice", async () => {
  await using env = new Env({ interactive: false });
  const error = await env.bind(Root).outer().catch((e) => e);
  assert.ok(error instanceof ActionError);
  assert.equal(error.actionPath, "Root.inner");
  assert.equal((error.cause as Error).message, "inner failed");
});

Deno.test("a query failing inside an action is an ActionError caused by a QueryError", async () => {
  await using env = new Env({ interactive: false });
  let error: unknown;
  try {
    env.bind(Root).git.describe();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ActionError);
  assert.ok(error.cause instanceof DeployerError);
  assert.match(error.message, /Action Root\.git\.describe failed: .*repository/);
});

class Decorated extends Node {
  @action({ alias: "d", isolateOneOnly: true })
  deploy(): string {
    return "deployed";
  }
}

Deno.test("@action flags and static actionOptions are both discovered", async () => {
  await using env = new Env({ interactive: false });
  const inspector = new Inspector(env.bind(Decorated));
  assert.deepEqual(inspector.action("d").flags, { alias: "d", isolateOneOnly: true });
  assert.equal(inspector.action("d").method, "deploy");
  const root = new Inspector(env.bind(Root));
  assert.deepEqual(root.action("again").flags.suppressResult, true);
  assert.equal(root.action("counted").flags.description, "counts");
});

Deno.test("a synchronous action stays synchronous", async () => {
  await using env = new Env({ interactive: false });
  assert.equal(env.bind(Decorated).deploy(), "deployed");
});

Deno.test("aliases call the same action; flags are kept", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root) as Root & Record<string, () => Promise<number>>;
  assert.equal(await root.counted(), 1);
  assert.equal(await root.c(), 2);
  assert.equal(await root.again(), 3);
});

Deno.test("actions report start and end events", async () => {
  const logger = new RecordingLogger();
  await using env = new Env({ interactive: false, loggers: [logger] });
  await env.bind(Root).counted();
  const starts = logger.ofType("action.start").map((e) => e.path);
  assert.deepEqual(starts, ["Root.counted", "Root.count"]);
  assert.ok(logger.ofType("action.end").every((e) => e.ok));
});

Deno.test("cd() is scoped: it applies inside the block and to actions of the same node", async () => {
  await using env = new Env({ interactive: false });
  const root = env.bind(Root);
  assert.equal(await root.cwdHere(), "/tmp");
  assert.equal(await root.git2(), Deno.cwd());
});

Deno.test("context belongs to one node: another node's cd does not leak into it", async () => {
  class Other extends Node {
    async where(): Promise<string> {
      return [...await this.hosts.getcwd()][0];
    }
  }
  class Top extends Node {
    static override hosts = { host: local };
    other = child(Other);
    async run(): Promise<string> {
      using _ = this.hosts.cd("/");
      return await this.other.where();
    }
  }
  await using env = new Env({ interactive: false });
  assert.equal(await env.bind(Top).run(), Deno.cwd());
});

Deno.test("parentAs() finds a typed ancestor; env.bind() creates a new tree from an action", async () => {
  class Leaf extends Node {
    async rootCalls(): Promise<number> {
      return this.parentAs(Top).marker;
    }
    async spawn(): Promise<string> {
      const other = this.env.bind(Root);
      return (await other.hosts.at(0).run(sh`echo spawned`)).stdout.trim();
    }
  }
  class Top extends Node {
    marker = 42;
    leaf = child(Leaf);
  }
  await using env = new Env({ interactive: false });
  const top = env.bind(Top);
  assert.equal(await top.leaf.rootCalls(), 42);
  assert.equal(await top.leaf.spawn(), "spawned");
  assert.throws(() => top.leaf.parentAs(Root), TypeError);
});

Deno.test("a node made with new (not bound) explains what to do", () => {
  assert.throws(() => new Root().hosts, /not bound to an environment/);
});

Deno.test("set: with an unknown field is an error", async () => {
  class Top extends Node {
    git = child(Git, { set: { nope: 1 } as never });
  }
  await using env = new Env({ interactive: false });
  assert.throws(() => env.bind(Top).git, /Cannot set "nope" on Top\.git/);
});

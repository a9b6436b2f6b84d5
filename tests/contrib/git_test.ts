import assert from "node:assert/strict";
import { child, Env, type EnvOptions, LocalHost, Node, ParallelError, q, sh } from "../../mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { freePort, startSshServers } from "../../src/testing/mod.ts";
import { serveGit } from "../e2e/_support.ts";
import { Git, GitOverview } from "../../src/contrib/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";
import { capturingConsole } from "../_support/consoles.ts";

const IDENTITY: Record<string, string> = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.org",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.org",
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, env: IDENTITY }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`git ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text.trim();
}

/** An origin repository with two commits on `main`: a.txt "1" then "2"; b.txt fixed. */
async function makeOrigin(dir: string): Promise<{ origin: string; first: string; second: string }> {
  const origin = `${dir}/origin`;
  await Deno.mkdir(origin);
  await git(origin, "init", "-q", "-b", "main");
  await Deno.writeTextFile(`${origin}/a.txt`, "1\n");
  await Deno.writeTextFile(`${origin}/b.txt`, "b\n");
  await git(origin, "add", ".");
  await git(origin, "commit", "-q", "-m", "one");
  const first = await git(origin, "rev-parse", "HEAD");
  await Deno.writeTextFile(`${origin}/a.txt`, "2\n");
  await git(origin, "commit", "-q", "-am", "two");
  const second = await git(origin, "rev-parse", "HEAD");
  return { origin, first, second };
}

/** Each host gets its own checkout below `base`; commits need an identity (stash). */
function gitFor(base: string, origin: string) {
  return class TestGit extends Git {
    override repository = origin;
    override repositoryLocation: string = q(() => `${base}/${this.host.slug}`);
    override async _checkout(commit: string): Promise<string> {
      using scopes = new DisposableStack();
      for (const [name, value] of Object.entries(IDENTITY)) scopes.use(this.host.env(name, value));
      return await super._checkout(commit);
    }
  };
}

function treeFor(base: string, origin: string) {
  const TestGit = gitFor(base, origin);
  class Root extends Node {
    static override hosts = {
      web: [new LocalHost({ slug: "g1" }), new LocalHost({ slug: "g2" })],
    };
    git = child(TestGit, { roles: { host: "web" } });
    overview = child(GitOverview);
  }
  return Root;
}

/** One Git test: its directory, an origin with two commits, and the tree on it bound in `env`. */
interface GitSetup extends AsyncDisposable {
  dir: string;
  origin: string;
  first: string;
  second: string;
  env: Env;
  root: InstanceType<ReturnType<typeof treeFor>>;
}

/** Makes an origin (see `makeOrigin`) and binds the tree checking it out below `<dir>/co`. */
async function gitSetup(options: EnvOptions = {}): Promise<GitSetup> {
  const scratch = await tempDir("contrib_git_");
  const dir = scratch.path;
  const env = new Env({ interactive: false, ...options });
  try {
    const { origin, first, second } = await makeOrigin(dir);
    const root = env.bind(treeFor(`${dir}/co`, origin));
    return {
      dir,
      origin,
      first,
      second,
      env,
      root,
      async [Symbol.asyncDispose]() {
        await env.close();
        await scratch[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await env.close();
    await scratch[Symbol.asyncDispose]();
    throw error;
  }
}

Deno.test("Git clones on every host, checks out commits and reports them", async () => {
  await using setup = await gitSetup();
  const { dir, first, second, root } = setup;

  await root.git.checkout(first);
  for (const slug of ["g1", "g2"]) {
    assert.equal(await Deno.readTextFile(`${dir}/co/${slug}/a.txt`), "1\n");
  }
  assert.deepEqual([...await root.git.headSha()], [first, first]);

  // No commit given and nobody to ask: the default revision.
  await root.git.checkout();
  const heads = await root.git.headSha();
  assert.deepEqual(heads.toJSON(), { g1: second, g2: second });
  assert.match([...await root.git.showOneline()][0], /^[0-9a-f]+ two$/);
  assert.match([...await root.git.log(1)][1], /two/);
  assert.match([...await root.git.status()][0], /On branch main/);

  const lines = await root.overview.show();
  assert.deepEqual(lines.map((l) => [l.path, l.host]), [["Root.git", "g1"], ["Root.git", "g2"]]);
  assert.ok(lines.every((l) => l.commit.endsWith(" two")));
});

Deno.test("Git stashes local changes around a checkout and pops them again", async () => {
  const shown = capturingConsole();
  await using setup = await gitSetup({ console: shown.console });
  const { dir, first, second, root } = setup;
  await root.git.checkout(first);

  // g1: a change that survives the checkout; g2: one that conflicts with it.
  await Deno.writeTextFile(`${dir}/co/g1/b.txt`, "local b\n");
  await Deno.writeTextFile(`${dir}/co/g2/a.txt`, "local a\n");
  await root.git.checkout("main"); // the conflict asks "continue?": yes without a person

  assert.deepEqual([...await root.git.headSha()], [second, second]);
  assert.equal(await Deno.readTextFile(`${dir}/co/g1/b.txt`), "local b\n");
  assert.equal(await git(`${dir}/co/g1`, "stash", "list"), "");
  assert.match(await Deno.readTextFile(`${dir}/co/g2/a.txt`), /<<<<<<<|local a/);
  assert.notEqual(await git(`${dir}/co/g2`, "stash", "list"), "", "a failed pop keeps the stash");
  assert.match(shown.text(), /git stash pop failed on host "g2"/);
  assert.match(shown.text(), /Should we continue\?/);
  assert.doesNotMatch(shown.text(), /failed on host "g1"/);
});

Deno.test("Git quotes the commit: shell syntax in it is only a bad revision", async () => {
  await using setup = await gitSetup();
  const { dir, root } = setup;
  const evil = `main; touch ${dir}/pwned`;
  await assert.rejects(root.git.checkout(evil), ParallelError);
  await assert.rejects(Deno.stat(`${dir}/pwned`), Deno.errors.NotFound);
});

Deno.test("Git in the sandbox plans the clone and checkout and creates nothing", async () => {
  await using setup = await gitSetup({ sandbox: true });
  const { dir, origin, env, root } = setup;
  await root.git.checkout("main");
  const plan = env.plan();
  for (const slug of ["g1", "g2"]) {
    const mine = plan.filter((e) => e.host === slug).map((e) => e.command);
    assert.deepEqual(mine.slice(0, 4), [
      `git clone --recursive '${origin}' '${dir}/co/${slug}'`,
      "git fetch --all --prune --tags --force",
      "if git rev-parse -q --verify 'refs/remotes/origin/main^{commit}' >/dev/null; " +
      "then git checkout -q -B 'main' 'refs/remotes/origin/main'; " +
      "else git checkout -q --detach 'main^{commit}'; fi",
      "git submodule update --init",
    ]);
  }
  await assert.rejects(Deno.stat(`${dir}/co`), Deno.errors.NotFound);
});

/** A new commit on origin's `main` (a.txt = `text`); resolves to its SHA. */
async function pushCommit(origin: string, text: string): Promise<string> {
  await Deno.writeTextFile(`${origin}/a.txt`, `${text}\n`);
  await git(origin, "commit", "-q", "-am", text);
  return await git(origin, "rev-parse", "HEAD");
}

Deno.test("Git: a branch deploys the remote branch's current head, never an older one", async () => {
  await using setup = await gitSetup();
  const { dir, origin, second, root } = setup;
  await root.git.checkout("main");
  assert.deepEqual([...await root.git.headSha()], [second, second]);

  const third = await pushCommit(origin, "3");
  await root.git.checkout("main");
  assert.deepEqual([...await root.git.headSha()], [third, third], "main after a push");
  assert.equal(await Deno.readTextFile(`${dir}/co/g1/a.txt`), "3\n");

  // origin/main first (detached at the remote head), then main: no rollback
  const fourth = await pushCommit(origin, "4");
  await root.git.checkout("origin/main");
  assert.deepEqual([...await root.git.headSha()], [fourth, fourth], "origin/main");
  await root.git.checkout("main");
  assert.deepEqual([...await root.git.headSha()], [fourth, fourth], "main after origin/main");
  assert.match([...await root.git.status()][0], /On branch main/);
});

Deno.test("Git: a tag deploys its commit, a SHA that commit, an unknown ref fails", async () => {
  await using setup = await gitSetup();
  const { origin, first, second, root } = setup;
  await root.git.checkout("main");
  await git(origin, "tag", "v1", first);
  const third = await pushCommit(origin, "3");
  await git(origin, "tag", "-a", "-m", "release 2", "v2", third);
  await root.git.checkout("v1");
  assert.deepEqual([...await root.git.headSha()], [first, first], "tag v1");
  await root.git.checkout("v2");
  assert.deepEqual([...await root.git.headSha()], [third, third], "annotated tag v2");
  await root.git.checkout(second);
  assert.deepEqual([...await root.git.headSha()], [second, second], "a SHA");
  // a tag moved on the origin deploys where it points now
  await git(origin, "tag", "-f", "v1", second);
  await root.git.checkout("v1");
  assert.deepEqual([...await root.git.headSha()], [second, second], "moved tag v1");
  await assert.rejects(root.git.checkout("no-such-branch"), ParallelError);
  assert.deepEqual([...await root.git.headSha()], [second, second], "unchanged after a failure");
});

Deno.test(
  "Git over SSH (sshd): a pushed commit on main is what HEAD becomes on every host",
  NEEDS_SSH,
  async () => {
    const source = await Deno.makeTempDir({ prefix: "contrib_git_src_" });
    await Deno.writeTextFile(`${source}/a.txt`, "1\n");
    await using ssh = await startSshServers(2);
    await using repo = await serveGit(source, "app", {
      address: "127.0.0.1",
      port: await freePort(),
    });
    const location = `/tmp/contrib_git_ssh_${crypto.randomUUID().slice(0, 8)}`;
    const hosts = ssh.servers.map((_, index) => keyHost(ssh, index));
    class Checkout extends Git {
      override repository = repo.url;
      override repositoryLocation: string = q(() => `${location}-${this.host.slug}`);
    }
    class Root extends Node {
      git = child(Checkout);
    }
    try {
      await using env = new Env({ interactive: false });
      const root = env.bind(Root, { hosts: { host: hosts } });
      await root.git.checkout("main");
      const first = await repo.git("rev-parse", "HEAD");
      assert.deepEqual([...await root.git.headSha()], [first, first]);
      const second = await repo.commit({ "a.txt": "2\n" }, "two");
      await root.git.checkout("main");
      assert.deepEqual([...await root.git.headSha()], [second, second], "the pushed head");
      const [text] = await env.host(hosts[0]).run(sh`cat ${`${location}-${hosts[0].slug}/a.txt`}`)
        .then((r) => [r.stdout]);
      assert.equal(text, "2\n");
    } finally {
      await using env = new Env({ interactive: false });
      for (const host of hosts) {
        await env.host(host).run(sh`rm -rf ${`${location}-${host.slug}`}`);
      }
      await Deno.remove(source, { recursive: true });
    }
  },
);

/**
 * `Git`: a git checkout on every host (clone, fetch, checkout with stash and submodules,
 * and the everyday read commands), and `GitOverview`, the current commit of every `Git`
 * node of a tree.
 *
 * @module
 */
import { sh, type ShellCommand } from "../command/sh.ts";
import { DeployerError } from "../errors.ts";
import type { RunOptions } from "../host/run.ts";
import { action } from "../node/action.ts";
import { isInstance } from "../node/filters.ts";
import { Inspector } from "../node/inspect.ts";
import { required } from "../node/markers.ts";
import { Node, ParallelNode } from "../node/node.ts";
import type { ParallelResult } from "../outcome.ts";

/**
 * A git repository checked out on every host of the `host` role (python-deployer's
 * `contrib.nodes.git.Git`). Every read command runs `git <command>` inside
 * `repositoryLocation`; `checkout()` clones when needed, fetches, stashes local changes,
 * checks out, updates submodules and pops the stash again.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sh } from "../command/sh.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node } from "../node/node.ts";
 * import { Git } from "./git.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   class App extends Node {
 *     static override hosts = { web: new LocalHost({ slug: "web1" }) }; // or SshHosts
 *     git = child(Git, {
 *       roles: { host: "web" },
 *       set: { repository: `${dir}/origin`, repositoryLocation: `${dir}/app` },
 *     });
 *     async deploy(commit: string): Promise<void> {
 *       await this.git.checkout(commit);
 *     }
 *   }
 *   await using env = new Env({ interactive: false });
 *   const me = ["-c", "user.name=me", "-c", "user.email=me@example.org"];
 *   await env.host(new LocalHost()).run(sh`git init -q -b main ${dir}/origin &&
 *     cd ${dir}/origin && echo v1 > VERSION && git add VERSION && git ${me} commit -qm v1`);
 *   await env.bind(App).deploy("main");
 *   assert.equal(await Deno.readTextFile(`${dir}/app/VERSION`), "v1\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class Git extends ParallelNode {
  /** The URL to clone from. */
  repository: string = required<string>("URL of the repository to clone");
  /** Where the repository is checked out on the host (`~` is expanded). */
  repositoryLocation: string = required<string>("directory of the checkout on the host");
  /** What `checkout()` offers when no commit is given. */
  defaultRevision = "main";
  /** The remote whose branches `checkout()` follows. */
  remote = "origin";

  /** Runs `git <command>` in the checkout and resolves to its output. */
  async #git(command: ShellCommand, options: RunOptions = {}): Promise<string> {
    using _ = this.host.cd(this.repositoryLocation, { expand: true });
    return (await this.host.run(sh`git ${command}`, options)).stdout;
  }

  /** `git status`. */
  @action({ suppressResult: true })
  async status(): Promise<string> {
    return await this.#git(sh`status`);
  }

  /** `git log` (the last `count` commits when given). */
  @action({ suppressResult: true })
  async log(count: number | string = ""): Promise<string> {
    return await this.#git(count === "" ? sh`log` : sh`log --max-count=${count}`);
  }

  /** `git diff`. */
  @action({ suppressResult: true })
  async diff(): Promise<string> {
    return await this.#git(sh`diff`);
  }

  /** `git show` (non-zero exits are tolerated, as in python-deployer). */
  @action({ suppressResult: true })
  async show(): Promise<string> {
    return await this.#git(sh`show`, { noThrow: true });
  }

  /** The current commit on one line (`git log --oneline -1`). */
  @action({ suppressResult: true })
  async showOneline(): Promise<string> {
    return (await this.#git(sh`log --oneline -1`, { noThrow: true })).trim();
  }

  /** `git whatchanged` (non-zero exits are tolerated). */
  @action({ suppressResult: true })
  async whatchanged(): Promise<string> {
    return await this.#git(sh`whatchanged`, { noThrow: true });
  }

  /** `git describe`. */
  @action({ suppressResult: true })
  async describe(): Promise<string> {
    return (await this.#git(sh`describe`)).trim();
  }

  /** `git branch`. */
  @action({ suppressResult: true })
  async branch(): Promise<string> {
    return await this.#git(sh`branch`);
  }

  /** `git pull`. */
  @action({ suppressResult: true })
  async pull(): Promise<string> {
    return await this.#git(sh`pull`);
  }

  /** `git reset --hard`: drops every local change. */
  @action({ suppressResult: true, alias: "reset" })
  async resetHard(): Promise<string> {
    return await this.#git(sh`reset --hard`);
  }

  /** `git stash`. */
  @action({ suppressResult: true })
  async stash(): Promise<string> {
    return await this.#git(sh`stash`);
  }

  /** `git stash list`. */
  @action({ suppressResult: true })
  async stashList(): Promise<string> {
    return await this.#git(sh`stash list`);
  }

  /** `git stash pop`. */
  @action({ suppressResult: true })
  async stashPop(): Promise<string> {
    return await this.#git(sh`stash pop`);
  }

  /** `git stash clear`. */
  @action({ suppressResult: true })
  async stashClear(): Promise<string> {
    return await this.#git(sh`stash clear`);
  }

  /** The commit checked out (`git rev-parse HEAD`). */
  @action({ suppressResult: true })
  async headSha(): Promise<string> {
    return (await this.#git(sh`rev-parse HEAD`)).trim();
  }

  /** `git version` (runs anywhere, not in the checkout). */
  @action({ suppressResult: true })
  async version(): Promise<string> {
    return (await this.host.run(sh`git version`)).stdout.trim();
  }

  /**
   * Checks out `commit` on every host. Without a commit (or with "") it asks "Git commit"
   * (default `defaultRevision`) once, then runs `_checkout()` on all hosts in parallel.
   */
  @action({ dontIsolateYet: true })
  async checkout(commit = ""): Promise<void> {
    const revision = commit ||
      await this.console.input("Git commit", { default: this.defaultRevision });
    await this._checkout(revision);
  }

  /**
   * Checks out `commit` on this host and resolves to the new HEAD: clones
   * (`--recursive`) when the location does not exist, fetches (`--all --prune --tags
   * --force`), stashes local changes, checks out, updates submodules and pops the stash.
   * When the pop conflicts it shows git's output and asks whether to continue (yes without
   * a person).
   *
   * What is checked out is what the name means on the remote now: a branch of `remote`
   * resets the local branch of that name to the remote branch's head (so a stale local
   * branch never deploys an older commit); anything else (a tag, a SHA, `origin/main`) is
   * checked out detached at the commit it names. An unknown name fails.
   */
  async _checkout(commit: string): Promise<string> {
    const location = await this.host.expandPath(this.repositoryLocation);
    const existed = await this.host.exists(location);
    if (!existed) await this.host.run(sh`git clone --recursive ${this.repository} ${location}`);
    using _ = this.host.cd(location);
    // --tags --force: new tags, and tags moved on the remote, are fetched as they are there.
    await this.host.run(sh`git fetch --all --prune --tags --force`);
    await this._beforeCheckout(commit);
    const dirty = existed && (await this.host.run(sh`git status --porcelain`, {
          silent: true,
          sandbox: false,
        })).stdout.trim() !== "";
    if (dirty) await this.host.run(sh`git stash`);
    await this.host.run(checkoutCommand(this.remote, commit));
    await this.host.run(sh`git submodule update --init`);
    if (dirty) await this.#popStash();
    return (await this.host.run(sh`git rev-parse HEAD`)).stdout.trim();
  }

  /** A hook run after fetching and before checking out `commit` (does nothing). */
  async _beforeCheckout(_commit: string): Promise<void> {}

  async #popStash(): Promise<void> {
    const result = await this.host.run(sh`git stash pop 2>&1`, { noThrow: true });
    if (result.code === 0) return;
    const output = result.stdout.trim();
    if (/Nothing to apply|No stash found|No stash entries found/.test(output)) return;
    this.console.warning(`git stash pop failed on host "${this.host.slug}":\n${output}`);
    const go = await this.env.exclusive(() =>
      this.console.confirm("Should we continue?", { default: true })
    );
    if (!go) {
      throw new DeployerError(
        `Checkout stopped on host "${this.host.slug}": the stashed changes did not apply`,
      );
    }
  }
}

/**
 * The one command that checks out `ref` as {@linkcode Git._checkout} describes: the same
 * text in the sandbox plan and in the real run, the decision taken on the host.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkoutCommand } from "./git.ts";
 * const command = checkoutCommand("origin", "main");
 * assert.match(command.toString(), /git checkout -q -B 'main' 'refs\/remotes\/origin\/main'/);
 * ```
 */
export function checkoutCommand(remote: string, ref: string): ShellCommand {
  const remoteBranch = `refs/remotes/${remote}/${ref}`;
  return sh`if git rev-parse -q --verify ${`${remoteBranch}^{commit}`} >/dev/null; then git checkout -q -B ${ref} ${remoteBranch}; else git checkout -q --detach ${`${ref}^{commit}`}; fi`;
}

/** One line of a {@linkcode GitOverview}. */
export interface GitOverviewLine {
  /** The dotted path of the `Git` node. */
  readonly path: string;
  /** The host slug. */
  readonly host: string;
  /** `git log --oneline -1` there. */
  readonly commit: string;
}

/**
 * Shows the current commit of every public `Git` node in the tree (python-deployer's
 * `GitOverview`): one line per node and host, ` <path padded to 40> <commit>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sh } from "../command/sh.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node } from "../node/node.ts";
 * import { Git, GitOverview } from "./git.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using env = new Env({ interactive: false });
 *   const me = ["-c", "user.name=me", "-c", "user.email=me@example.org"];
 *   await env.host(new LocalHost()).run(
 *     sh`cd ${dir} && git init -q && git ${me} commit -q --allow-empty -m first`,
 *   );
 *   class Root extends Node {
 *     static override hosts = { web: new LocalHost({ slug: "web1" }) };
 *     app = child(Git, {
 *       roles: { host: "web" },
 *       set: { repository: dir, repositoryLocation: dir },
 *     });
 *     gitOverview = child(GitOverview);
 *   }
 *   const [line] = await env.bind(Root).gitOverview.show();
 *   assert.equal(line.path, "Root.app");
 *   assert.equal(line.host, "web1");
 *   assert.match(line.commit, /^[0-9a-f]+ first$/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class GitOverview extends Node {
  /** Prints and returns the current commit of every `Git` node, per host. */
  @action({ suppressResult: true })
  async show(): Promise<GitOverviewLine[]> {
    const root = new Inspector(this).root();
    const gits = new Inspector(root).walk(isInstance(Git)).filter((node) =>
      !new Inspector(node).path().some((name) => name.startsWith("_"))
    );
    const lines: GitOverviewLine[] = [];
    for (const node of gits) {
      const path = new Inspector(node).path().join(".");
      const result = await (node as Git).showOneline() as unknown as
        | ParallelResult<string>
        | string;
      const entries = typeof result === "string"
        ? [[new Inspector(node).isolationId ?? "?", result] as [string, string]]
        : result.entries();
      for (const [host, commit] of entries) lines.push({ path, host, commit });
    }
    for (const line of lines) {
      this.console.write(` ${`${line.path} [${line.host}]`.padEnd(40)} ${line.commit}\n`);
    }
    return lines;
  }
}

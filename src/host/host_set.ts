/**
 * `HostSet`: the hosts of a node by role (python's HostsContainer). Commands run on all
 * of them in parallel and resolve to per-host results; failures never drop an outcome.
 *
 * @module
 */
import type { CommandInput } from "../command/sh.ts";
import { type ParallelResult, settleEach } from "../outcome.ts";
import type { HostHandle } from "./handle.ts";
import type { CommandResult, RunOptions } from "./run.ts";

/**
 * Bound hosts by role. `filter()` keeps roles, `at()` and `hosts()` give single hosts,
 * and `run()`, `sudo()`, `exists()`, `hasCommand()` and `getcwd()` fan out.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "./local.ts";
 * import { sh } from "../command/sh.ts";
 * await using env = new Env({ interactive: false });
 * const hosts = env.hostSet({ web: [new LocalHost({ slug: "a" }), new LocalHost({ slug: "b" })] });
 * const result = await hosts.filter("web").run(sh`echo hi`);
 * assert.equal(result.hosts().join(), "a,b");
 * ```
 */
export class HostSet implements Iterable<HostHandle> {
  readonly #roles: ReadonlyMap<string, readonly HostHandle[]>;

  /** Creates a set from handles by role. */
  constructor(roles: ReadonlyMap<string, readonly HostHandle[]>) {
    this.#roles = roles;
  }

  /** Role names, in definition order. */
  roles(): string[] {
    return [...this.#roles.keys()];
  }

  /** A set with only these roles (unknown roles are present and empty). */
  filter(...roles: string[]): HostSet {
    for (const role of roles) {
      if (typeof role !== "string") throw new TypeError(`Unknown host filter ${String(role)}`);
    }
    return new HostSet(new Map(roles.map((r) => [r, this.#roles.get(r) ?? []])));
  }

  /** Every distinct host, in definition order. */
  hosts(): HostHandle[] {
    return [...new Set([...this.#roles.values()].flat())];
  }

  /** Hosts per role. */
  byRole(): Map<string, HostHandle[]> {
    return new Map([...this.#roles].map(([r, h]) => [r, [...h]]));
  }

  /** The number of distinct hosts. */
  get size(): number {
    return this.hosts().length;
  }

  /** The host at `index` among the distinct hosts; throws when there is none. */
  at(index: number): HostHandle {
    const hosts = this.hosts();
    const host = hosts.at(index);
    if (!host) {
      throw new RangeError(
        `No host at index ${index}: the set has ${hosts.length} (roles: ${
          this.roles().join(", ") || "none"
        })`,
      );
    }
    return host;
  }

  /** Iterates over the distinct hosts. */
  [Symbol.iterator](): Iterator<HostHandle> {
    return this.hosts()[Symbol.iterator]();
  }

  /** Runs `task` on every host in parallel; rejects with every outcome on failure. */
  async each<T>(
    task: (host: HostHandle) => Promise<T>,
    what = "Command",
  ): Promise<ParallelResult<T>> {
    return await settleEach(what, this.hosts(), (h) => h.slug, task);
  }

  /** Runs a command on every host; stdin is not shared when there are several. */
  run(command: CommandInput, options: RunOptions = {}): Promise<ParallelResult<CommandResult>> {
    const interactive = options.interactive && this.size === 1;
    return this.each((h) => h.run(command, { ...options, interactive }), "Command");
  }

  /** Runs a command with sudo on every host. */
  sudo(command: CommandInput, options: RunOptions = {}): Promise<ParallelResult<CommandResult>> {
    const interactive = options.interactive && this.size === 1;
    return this.each((h) => h.sudo(command, { ...options, interactive }), "Sudo command");
  }

  /** Whether a path exists, per host. */
  exists(path: string, options?: { useSudo?: boolean }): Promise<ParallelResult<boolean>> {
    return this.each((h) => h.exists(path, options), "exists()");
  }

  /** Whether a command is available, per host. */
  hasCommand(command: string, options?: { useSudo?: boolean }): Promise<ParallelResult<boolean>> {
    return this.each((h) => h.hasCommand(command, options), "hasCommand()");
  }

  /** The working directory, per host. */
  getcwd(): Promise<ParallelResult<string>> {
    return this.each((h) => h.getcwd(), "getcwd()");
  }

  /** `cd` on every host until disposed. */
  cd(path: string, options?: { expand?: boolean }): Disposable {
    return this.#all((h) => h.cd(path, options));
  }

  /** `prefix` on every host until disposed. */
  prefix(command: CommandInput): Disposable {
    return this.#all((h) => h.prefix(command));
  }

  /** `env` on every host until disposed. */
  env(
    name: string,
    value: Parameters<HostHandle["env"]>[1],
    options?: { escape?: boolean },
  ): Disposable {
    return this.#all((h) => h.env(name, value, options));
  }

  #all(push: (host: HostHandle) => Disposable): Disposable {
    const pushed = this.hosts().map(push);
    return { [Symbol.dispose]: () => pushed.reverse().forEach((d) => d[Symbol.dispose]()) };
  }

  /** `HostSet(web: a, b; db: c)`. */
  toString(): string {
    const parts = [...this.#roles].map(([r, h]) => `${r}: ${h.map((x) => x.slug).join(", ")}`);
    return `HostSet(${parts.join("; ")})`;
  }
}

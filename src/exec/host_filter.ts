/**
 * Choosing hosts (`--limit`): a list of slug globs, `!` to exclude. An environment with a
 * filter binds every node with only the matching hosts, in every role.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Host } from "../host/host.ts";
import { wildcardMatch } from "../host/ssh/pattern.ts";

/**
 * Which hosts a run may use: `web*,db1` keeps the hosts whose slug matches one pattern,
 * `!web2` drops those matching it (only exclusions: every other host is kept). `*` is
 * any run of characters, `?` one character; case is ignored, like OpenSSH patterns.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostFilter } from "./host_filter.ts";
 * const filter = HostFilter.parse("web*,!web2");
 * assert.ok(filter.matches("web1"));
 * assert.ok(!filter.matches("web2"));
 * assert.ok(!filter.matches("db1"));
 * assert.ok(HostFilter.parse("!db1").matches("web1"));
 * assert.throws(() => HostFilter.parse(" , "), { name: "UsageError" });
 * ```
 */
export class HostFilter {
  readonly #include: readonly string[];
  readonly #exclude: readonly string[];
  /** The patterns as given. */
  readonly text: string;

  private constructor(text: string, include: string[], exclude: string[]) {
    this.text = text;
    this.#include = include;
    this.#exclude = exclude;
  }

  /** Parses `PATTERN[,PATTERN...]`; an empty list is a usage error. */
  static parse(text: string): HostFilter {
    const patterns = text.split(",").map((p) => p.trim()).filter(Boolean);
    const exclude = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
    const include = patterns.filter((p) => !p.startsWith("!"));
    if (!patterns.length || exclude.some((p) => !p)) {
      throw new UsageError(
        `--limit expects host slug patterns such as "web*,!web2", got ${JSON.stringify(text)}`,
      );
    }
    return new HostFilter(text, include, exclude);
  }

  /** Whether a host slug is chosen. */
  matches(slug: string): boolean {
    if (this.#exclude.some((p) => wildcardMatch(p, slug))) return false;
    return !this.#include.length || this.#include.some((p) => wildcardMatch(p, slug));
  }

  /** The positive patterns that match none of `slugs` (likely typing mistakes). */
  unmatched(slugs: readonly string[]): string[] {
    return this.#include.filter((p) => !slugs.some((s) => wildcardMatch(p, s)));
  }

  /** The roles with only the chosen hosts (the same map when every host is chosen). */
  roles<R extends ReadonlyMap<string, readonly Host[]>>(roles: R): R {
    let changed = false;
    const out = new Map<string, readonly Host[]>();
    for (const [role, hosts] of roles) {
      const kept = hosts.filter((h) => this.matches(h.slug));
      if (kept.length !== hosts.length) changed = true;
      out.set(role, kept);
    }
    return changed ? out as unknown as R : roles;
  }
}

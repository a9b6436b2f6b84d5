/**
 * OpenSSH host patterns (`*`, `?`, `!negation`), matched without backtracking blow-up:
 * greedy matching that only ever returns to the last `*`, so a match costs at most
 * (pattern length × name length) steps whatever the number of stars.
 *
 * @module
 */

/**
 * Whether `name` matches the wildcard `pattern` (`*` any run, `?` one character),
 * ignoring case, like OpenSSH's `match_pattern` on lower-cased host names.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { wildcardMatch } from "./pattern.ts";
 * assert.ok(wildcardMatch("*.Example.com", "web.example.com"));
 * assert.ok(wildcardMatch("web?", "web1"));
 * assert.ok(!wildcardMatch("web?", "web12"));
 * assert.ok(!wildcardMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(60)));
 * ```
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  return matchLower(pattern.toLowerCase(), name.toLowerCase());
}

function matchLower(p: string, s: string): boolean {
  if (!p.includes("*") && !p.includes("?")) return p === s;
  let pi = 0;
  let si = 0;
  let star = -1;
  let resume = 0;
  while (si < s.length) {
    const c = p.charCodeAt(pi);
    if (pi < p.length && c !== 42 && (c === 63 || c === s.charCodeAt(si))) {
      pi++;
      si++;
    } else if (pi < p.length && c === 42) {
      star = pi++;
      resume = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === 42) pi++;
  return pi === p.length;
}

/**
 * Matches a name against a pattern list the OpenSSH way: `1` when a positive pattern
 * matches and no negated one (`!pattern`) does, `-1` when a negated pattern matches,
 * `0` when nothing matches.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchPatternList } from "./pattern.ts";
 * assert.equal(matchPatternList(["*.example.com", "!db.example.com"], "web.example.com"), 1);
 * assert.equal(matchPatternList(["*.example.com", "!db.example.com"], "db.example.com"), -1);
 * assert.equal(matchPatternList(["web1"], "web2"), 0);
 * ```
 */
export function matchPatternList(patterns: readonly string[], name: string): -1 | 0 | 1 {
  const lower = name.toLowerCase();
  let found: 0 | 1 = 0;
  for (const pattern of patterns) {
    if (pattern.charCodeAt(0) === 33) {
      if (matchLower(pattern.slice(1).toLowerCase(), lower)) return -1;
    } else if (!found && matchLower(pattern.toLowerCase(), lower)) {
      found = 1;
    }
  }
  return found;
}

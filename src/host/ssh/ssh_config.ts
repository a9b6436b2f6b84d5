/**
 * Resolving a host through OpenSSH client configuration (`~/.ssh/config`): `HostName`,
 * `Port`, `User`, `IdentityFile`, `ProxyJump`, `ConnectTimeout`, `ForwardAgent`,
 * `IdentityAgent`, `UserKnownHostsFile`, under `Host` and `Match` blocks, with `Include`
 * followed (globs, relative to `~/.ssh`). A config is read once per run (see
 * {@linkcode SshConfigSource.memo}) and evaluated per host without re-parsing.
 *
 * @module
 */
import { sharedStamp } from "./file_memo.ts";
import { fileStamp, stampPath } from "./local_file.ts";
import { matchPatternList } from "./pattern.ts";
import {
  configArgs,
  parseSshConfigText,
  parseSshTime,
  type SshConfigFile,
  type SshConfigItem,
} from "./ssh_config_parse.ts";
import { readSshConfigFile } from "./ssh_config_read.ts";

export { SshConfigError } from "./ssh_config_parse.ts";

/** The values the SSH config gives for one host (all optional). */
export interface SshConfigValues {
  /** The real address (`HostName`). */
  hostName?: string;
  /** `Port`. */
  port?: number;
  /** `User`. */
  user?: string;
  /** `IdentityFile`s, `~` and `%d/%h/%n/%p/%r/%u/%%` expanded, in order. */
  identityFiles: string[];
  /** `ProxyJump` (comma-separated `[user@]host[:port]`), unless `none`. */
  proxyJump?: string;
  /** `ConnectTimeout`, in milliseconds. */
  connectTimeout?: number;
  /** `ForwardAgent`. */
  forwardAgent?: boolean;
  /** `IdentityAgent` socket path (or `none`). */
  identityAgent?: string;
  /** `UserKnownHostsFile`s, expanded. */
  userKnownHostsFiles?: string[];
}

/** Where to find the configuration. */
export interface SshConfigSource {
  /** The config file (a missing file gives empty values). */
  file: string;
  /** The home directory (for `~` and relative `Include`s). */
  home: string;
  /** The local user name (`Match localuser`, `%u`); default `$USER`. */
  localUser?: string;
  /**
   * A run-scoped memo (e.g. the one an `Env` hands to `connect`): the parsed config is
   * kept there and re-read only when one of its files changes.
   */
  memo?: Map<string, unknown>;
}

interface Walk {
  host: string;
  readonly original: string;
  readonly localUser: string;
  final: boolean;
  wantFinal: boolean;
  readonly values: Map<string, readonly string[]>;
  readonly identityFiles: string[];
}

function currentHostName(walk: Walk): string {
  const name = walk.values.get("hostname")?.[0];
  return name ? name.replace(/%h/g, walk.original) : walk.original;
}

function matches(item: SshConfigItem, walk: Walk): boolean {
  if (item.kind === "host") {
    return item.literal
      ? item.patterns.includes(walk.host)
      : matchPatternList(item.patterns, walk.host) === 1;
  }
  if (item.kind !== "match") return true;
  for (const c of item.criteria) {
    let ok: boolean;
    switch (c.name) {
      case "all":
        ok = true;
        break;
      case "final":
        walk.wantFinal = true;
        ok = walk.final;
        break;
      case "host":
        ok = matchPatternList(c.patterns, currentHostName(walk)) === 1;
        break;
      case "originalhost":
        ok = matchPatternList(c.patterns, walk.original) === 1;
        break;
      case "user":
        ok = matchPatternList(c.patterns, walk.values.get("user")?.[0] ?? walk.localUser) === 1;
        break;
      case "localuser":
        ok = matchPatternList(c.patterns, walk.localUser) === 1;
        break;
      default: // canonical, exec (never run), localnetwork, tagged, ...
        ok = false;
    }
    if (ok === c.negated) return false;
  }
  return true;
}

function walkItems(items: readonly SshConfigItem[], walk: Walk): void {
  let i = 0;
  while (i < items.length) {
    const item = items[i];
    if (item.kind === "host" || item.kind === "match") {
      i = matches(item, walk) ? i + 1 : item.next;
      continue;
    }
    if (item.kind === "include") {
      for (const file of item.files) walkItems(file.items, walk);
    } else if (item.key === "identityfile") {
      walk.identityFiles.push(configArgs(item.text)[0]);
    } else if (!walk.values.has(item.key)) {
      walk.values.set(item.key, configArgs(item.text));
    }
    i++;
  }
}

function expandTokens(value: string, tokens: Record<string, string>, home: string): string {
  const path = value === "~" ? home : value.startsWith("~/") ? `${home}${value.slice(1)}` : value;
  return path.replace(/%([%dhnpru])/g, (_, t: string) => tokens[t] ?? "");
}

function localUserName(): string {
  try {
    return Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "";
  } catch {
    return "";
  }
}

/**
 * Computes the configuration of `host` (an alias or an address) from a parsed config.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateSshConfig } from "./ssh_config.ts";
 * import { parseSshConfigText } from "./ssh_config_parse.ts";
 * const file = parseSshConfigText("Host web\n  HostName 10.0.0.5\n", "config");
 * assert.equal(evaluateSshConfig(file, "web", "/root").hostName, "10.0.0.5");
 * ```
 */
export function evaluateSshConfig(
  file: SshConfigFile | undefined,
  host: string,
  home: string,
  localUser: string = localUserName(),
): SshConfigValues {
  if (!file) return { identityFiles: [] };
  const walk: Walk = {
    host: host.toLowerCase(),
    original: host,
    localUser,
    final: false,
    wantFinal: false,
    values: new Map(),
    identityFiles: [],
  };
  walkItems(file.items, walk);
  if (walk.wantFinal) {
    walk.final = true;
    walk.host = currentHostName(walk).toLowerCase();
    walkItems(file.items, walk);
  }
  const get = (key: string) => walk.values.get(key)?.[0];
  const hostName = get("hostname");
  const user = get("user");
  const port = get("port");
  const tokens = {
    "%": "%",
    d: home,
    h: hostName ? hostName.replace(/%h/g, host) : host,
    n: host,
    p: port ?? "22",
    r: user ?? localUser,
    u: localUser,
  };
  const timeout = get("connecttimeout");
  const jump = get("proxyjump");
  const agent = get("identityagent");
  const forward = get("forwardagent");
  const knownHosts = (walk.values.get("userknownhostsfile") ?? []).map((f) =>
    expandTokens(f, tokens, home)
  );
  const identityFiles = [...new Set(walk.identityFiles.map((f) => expandTokens(f, tokens, home)))];
  return {
    hostName: hostName ? tokens.h : undefined,
    port: port ? Number(port) : undefined,
    user,
    identityFiles,
    proxyJump: jump && jump.toLowerCase() !== "none" ? jump : undefined,
    connectTimeout: timeout ? parseSshTime(timeout)! * 1000 : undefined,
    forwardAgent: forward ? forward.toLowerCase() === "yes" : undefined,
    identityAgent: agent ? expandTokens(agent, tokens, home) : undefined,
    userKnownHostsFiles: knownHosts.length ? knownHosts : undefined,
  };
}

/**
 * Computes the configuration of `host` from an SSH config text (`Include` lines are not
 * followed here; {@linkcode resolveSshConfig} follows them). Throws `SshConfigError`
 * (file and line) on malformed text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeSshConfig } from "./ssh_config.ts";
 * const values = computeSshConfig("Host web\n  HostName 10.0.0.5\n  Port 2222\n", "web", "/root");
 * assert.equal(values.hostName, "10.0.0.5");
 * assert.equal(values.port, 2222);
 * ```
 */
export function computeSshConfig(text: string, host: string, home: string): SshConfigValues {
  return evaluateSshConfig(parseSshConfigText(text, "<text>"), host, home);
}

interface Cached {
  readonly file: Promise<SshConfigFile | undefined>;
  stamps?: readonly string[];
}

async function stampsOf(
  file: SshConfigFile | undefined,
  path: string,
  memo: Map<string, unknown>,
): Promise<string[]> {
  // Connections that start together share each stat (see file_memo.ts).
  const stamps = file?.stamps ?? [await sharedStamp(memo, path)];
  return await Promise.all(stamps.map((s) => sharedStamp(memo, stampPath(s))));
}

/**
 * Reads a config file with its includes, or takes it from `source.memo` when none of its
 * files changed since it was read there.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSshConfig } from "./ssh_config.ts";
 * assert.equal(await loadSshConfig({ file: "/nonexistent", home: "/root" }), undefined);
 * ```
 */
export async function loadSshConfig(source: SshConfigSource): Promise<SshConfigFile | undefined> {
  const memo = source.memo;
  if (!memo) return await readSshConfigFile(source.file, source.home);
  const key = `ssh_config\0${source.file}\0${source.home}`;
  const cached = memo.get(key) as Cached | undefined;
  if (cached) {
    const file = await cached.file.catch(() => undefined);
    if (cached.stamps === undefined) return await cached.file; // read failed: same error
    const now = await stampsOf(file, source.file, memo);
    if (now.join("\n") === cached.stamps.join("\n")) return file;
    if (memo.get(key) !== cached) return await loadSshConfig(source);
  }
  const entry: Cached = { file: readSshConfigFile(source.file, source.home) };
  memo.set(key, entry);
  const file = await entry.file.catch((error) => {
    memo.delete(key);
    throw error;
  });
  entry.stamps = file?.stamps.slice() ?? [await fileStamp(source.file)];
  return file;
}

/**
 * Reads the config file (following `Include`) and computes the values for `host`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSshConfig } from "./ssh_config.ts";
 * const values = await resolveSshConfig("web1", { file: "/nonexistent", home: "/root" });
 * assert.equal(values.identityFiles.length, 0);
 * ```
 */
export async function resolveSshConfig(
  host: string,
  source: SshConfigSource,
): Promise<SshConfigValues> {
  const file = await loadSshConfig(source);
  return evaluateSshConfig(file, host, source.home, source.localUser);
}
/** One hop of a `ProxyJump` chain. */
export interface JumpHop {
  /** Host alias or address. */
  host: string;
  /** Port, when given. */
  port?: number;
  /** User, when given. */
  user?: string;
}

/**
 * Splits a `ProxyJump` value into hops (`[user@]host[:port]`, `ssh://` URIs, `[v6]:port`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProxyJump } from "./ssh_config.ts";
 * const hops = parseProxyJump("alice@bastion:2222,inner");
 * assert.equal(hops.length, 2);
 * assert.equal(hops[0].user, "alice");
 * assert.equal(hops[0].port, 2222);
 * ```
 */
export function parseProxyJump(value: string): JumpHop[] {
  return value.split(",").map((s) => s.trim()).filter(Boolean).map((spec) => {
    let rest = spec.replace(/^ssh:\/\//, "");
    let user: string | undefined;
    const at = rest.lastIndexOf("@");
    if (at >= 0) {
      user = rest.slice(0, at);
      rest = rest.slice(at + 1);
    }
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
    if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : undefined, user };
    const colon = rest.lastIndexOf(":");
    if (colon >= 0 && rest.indexOf(":") === colon) {
      return { host: rest.slice(0, colon), port: Number(rest.slice(colon + 1)), user };
    }
    return { host: rest, user };
  });
}

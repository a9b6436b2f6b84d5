/**
 * Resolving a host through OpenSSH client configuration (`~/.ssh/config`): `HostName`,
 * `Port`, `User`, `IdentityFile`, `ProxyJump`, `ConnectTimeout`, `ForwardAgent`,
 * `IdentityAgent`, `UserKnownHostsFile`, with `Include` followed (globs, relative to
 * `~/.ssh`).
 *
 * @module
 */
import SSHConfig from "npm:ssh-config@5.3.0";
import { DeployerError } from "../../errors.ts";

/** The values the SSH config gives for one host (all optional). */
export interface SshConfigValues {
  /** The real address (`HostName`). */
  hostName?: string;
  /** `Port`. */
  port?: number;
  /** `User`. */
  user?: string;
  /** `IdentityFile`s, `~` and `%d/%h/%r/%u/%%` expanded, in order. */
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
}

const MAX_INCLUDE_DEPTH = 16;

function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  return path.startsWith("~/") ? `${home}${path.slice(1)}` : path;
}

function globToRegExp(part: string): RegExp {
  const source = part.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`);
}

async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split("/");
  let bases = [pattern.startsWith("/") ? "/" : "."];
  for (const part of parts) {
    if (!part) continue;
    const next: string[] = [];
    for (const base of bases) {
      const prefix = base === "/" ? "/" : `${base}/`;
      if (!/[*?[]/.test(part)) {
        next.push(`${prefix}${part}`);
        continue;
      }
      const re = globToRegExp(part);
      try {
        for await (const entry of Deno.readDir(base)) {
          if (re.test(entry.name) && !entry.name.startsWith(".")) {
            next.push(`${prefix}${entry.name}`);
          }
        }
      } catch {
        // A directory that cannot be listed matches nothing.
      }
    }
    bases = next.sort();
  }
  return bases;
}

async function readWithIncludes(file: string, home: string, depth: number): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
      return "";
    }
    throw error;
  }
  if (depth >= MAX_INCLUDE_DEPTH) return text;
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i.exec(line);
    if (!match) {
      out.push(line);
      continue;
    }
    for (const raw of match[1].split(/\s+/)) {
      const path = expandHome(raw.replace(/^"|"$/g, ""), home);
      const absolute = path.startsWith("/") ? path : `${home}/.ssh/${path}`;
      for (const included of await expandGlob(absolute)) {
        out.push(await readWithIncludes(included, home, depth + 1));
      }
    }
  }
  return out.join("\n");
}

/**
 * Reads a config file with every `Include` inlined where it appears.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSshConfigText } from "./ssh_config.ts";
 * const text = await readSshConfigText({ file: "/nonexistent", home: "/root" });
 * assert.equal(text, "");
 * ```
 */
export function readSshConfigText(source: SshConfigSource): Promise<string> {
  return readWithIncludes(source.file, source.home, 0);
}

function expandTokens(value: string, tokens: Record<string, string>, home: string): string {
  return expandHome(value, home).replace(/%([%dhru])/g, (_, t: string) => tokens[t] ?? "");
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Computes the configuration of `host` (an alias or an address) from an SSH config text.
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
  let computed: Record<string, string | string[]>;
  try {
    computed = SSHConfig.parse(text).compute(host, { ignoreCase: true, matchExec: false });
  } catch (error) {
    if ((error as Error)?.name !== "NotCapable" && (error as Error)?.name !== "PermissionDenied") {
      throw error;
    }
    // npm:ssh-config reads the local user name for `Match user` / `%u`.
    throw new DeployerError(
      `Reading the SSH config for "${host}" needs the local user name: run with ` +
        `--allow-env=USER,USERNAME --allow-sys=userInfo (or pass configFile: false)`,
      { cause: error },
    );
  }
  const hostName = first(computed.hostname);
  const user = first(computed.user);
  const port = first(computed.port);
  const timeout = first(computed.connecttimeout);
  const jump = first(computed.proxyjump);
  const agent = first(computed.identityagent);
  const forward = first(computed.forwardagent);
  const tokens = {
    "%": "%",
    d: home,
    h: hostName ?? host,
    r: user ?? "",
    u: user ?? "",
  };
  const list = (v: string | string[] | undefined) =>
    (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  const knownHosts = list(computed.userknownhostsfile).map((f) => expandTokens(f, tokens, home));
  return {
    hostName: hostName ? hostName.replace(/%h/g, host) : undefined,
    port: port ? Number(port) : undefined,
    user,
    identityFiles: list(computed.identityfile).map((f) => expandTokens(f, tokens, home)),
    proxyJump: jump && jump.toLowerCase() !== "none" ? jump : undefined,
    connectTimeout: timeout ? Number(timeout) * 1000 : undefined,
    forwardAgent: forward ? forward.toLowerCase() === "yes" : undefined,
    identityAgent: agent ? expandTokens(agent, tokens, home) : undefined,
    userKnownHostsFiles: knownHosts.length ? knownHosts : undefined,
  };
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
  const text = await readSshConfigText(source);
  if (!text.trim()) return { identityFiles: [] };
  return computeSshConfig(text, host, source.home);
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

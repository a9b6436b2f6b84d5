/**
 * Reading and writing OpenSSH `known_hosts` files: plain, wildcard, negated and hashed
 * (`|1|salt|hash`) host patterns, `[host]:port` names, and the `@revoked` marker.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** The host patterns of the line (a single `|1|...` item when hashed). */
  readonly patterns: readonly string[];
  /** `@revoked`, `@cert-authority`, or undefined. */
  readonly marker: "revoked" | "cert-authority" | undefined;
  /** Key type, e.g. `ssh-ed25519`. */
  readonly keyType: string;
  /** The base64 key blob. */
  readonly key: string;
  /** The file the line came from. */
  readonly file: string;
}

/** What a known_hosts lookup found for the key a server offered. */
export type HostKeyVerdict = "known" | "unknown" | "changed" | "revoked";

/**
 * The name a host is stored under: `host` on port 22, `[host]:port` otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownHostsName } from "./known_hosts.ts";
 * assert.equal(knownHostsName("10.0.0.1", 2222), "[10.0.0.1]:2222");
 * assert.equal(knownHostsName("web1", 22), "web1");
 * ```
 */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Parses the text of a known_hosts file. Comments, blank and malformed lines are skipped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKnownHosts } from "./known_hosts.ts";
 * const entries = parseKnownHosts("web1,10.0.0.1 ssh-ed25519 AAAA\n# comment\n", "kh");
 * assert.equal(entries.length, 1);
 * assert.equal(entries[0].patterns.length, 2);
 * ```
 */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"];
    if (fields[0].startsWith("@")) {
      const name = fields.shift()!.slice(1);
      if (name !== "revoked" && name !== "cert-authority") continue;
      marker = name;
    }
    if (fields.length < 3) continue;
    entries.push({
      patterns: fields[0].split(","),
      marker,
      keyType: fields[1],
      key: fields[2],
      file,
    });
  }
  return entries;
}

function globMatch(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
    /\?/g,
    ".",
  );
  return new RegExp(`^${source}$`, "i").test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const parts = pattern.split("|");
  if (parts.length !== 4 || parts[1] !== "1") return false;
  const salt = Buffer.from(parts[2], "base64");
  const digest = createHmac("sha1", salt).update(name).digest("base64");
  return digest === parts[3];
}

/**
 * Whether a known_hosts line applies to a host name (`host` or `[host]:port`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { entryMatches, parseKnownHosts } from "./known_hosts.ts";
 * const [entry] = parseKnownHosts("*.example.com,!bad.example.com ssh-rsa AAAA", "kh");
 * assert.ok(entryMatches(entry, "web.example.com"));
 * assert.ok(!entryMatches(entry, "bad.example.com"));
 * ```
 */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith("|")) {
      if (hashedMatch(pattern, name)) matched = true;
    } else if (pattern.startsWith("!")) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Decides what the known entries say about the key a server offered: `revoked` when a
 * matching `@revoked` line holds that key, `known` when a line holds it, `changed` when
 * lines of the same key type hold another key, `unknown` otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHostKey, parseKnownHosts } from "./known_hosts.ts";
 * const entries = parseKnownHosts("[h]:2222 ssh-ed25519 AAAA", "kh");
 * assert.equal(checkHostKey(entries, "[h]:2222", "ssh-ed25519", "AAAA"), "known");
 * assert.equal(checkHostKey(entries, "[h]:2222", "ssh-ed25519", "BBBB"), "changed");
 * assert.equal(checkHostKey(entries, "h", "ssh-ed25519", "AAAA"), "unknown");
 * ```
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  keyType: string,
  key: string,
): HostKeyVerdict {
  const matching = entries.filter((e) => e.marker !== "cert-authority" && entryMatches(e, name));
  if (matching.some((e) => e.marker === "revoked" && e.key === key)) return "revoked";
  const plain = matching.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key === key)) return "known";
  if (plain.some((e) => e.keyType === keyType)) return "changed";
  return "unknown";
}

/**
 * The key types known for a host, in file order (used to prefer them in negotiation).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownKeyTypes, parseKnownHosts } from "./known_hosts.ts";
 * const entries = parseKnownHosts("h ssh-rsa AAAA\nh ssh-ed25519 BBBB", "kh");
 * assert.equal(knownKeyTypes(entries, "h").join(), "ssh-rsa,ssh-ed25519");
 * ```
 */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries.filter((e) => e.marker === undefined && entryMatches(e, name)).map((e) =>
    e.keyType
  );
  return [...new Set(types)];
}

/**
 * The key type named inside an SSH public key blob (its first string).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyTypeOfBlob } from "./known_hosts.ts";
 * const blob = new Uint8Array([0, 0, 0, 11, ...new TextEncoder().encode("ssh-ed25519")]);
 * assert.equal(keyTypeOfBlob(blob), "ssh-ed25519");
 * ```
 */
export function keyTypeOfBlob(blob: Uint8Array): string {
  if (blob.length < 4) return "unknown";
  const length = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0);
  return new TextDecoder().decode(blob.subarray(4, 4 + length));
}

/**
 * The OpenSSH `SHA256:` fingerprint of a public key blob (unpadded base64).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprintOfBlob } from "./known_hosts.ts";
 * assert.ok(fingerprintOfBlob(new Uint8Array([1, 2, 3])).startsWith("SHA256:"));
 * ```
 */
export function fingerprintOfBlob(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Reads and parses known_hosts files; files that do not exist are skipped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKnownHosts } from "./known_hosts.ts";
 * const entries = await readKnownHosts(["/nonexistent/known_hosts"]);
 * assert.equal(entries.length, 0);
 * ```
 */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    try {
      entries.push(...parseKnownHosts(await Deno.readTextFile(file), file));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return entries;
}

/**
 * Appends a plain `name type base64` line to a known_hosts file, creating the file (0600)
 * and its directory (0700) when needed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendKnownHost } from "./known_hosts.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/.ssh/known_hosts`;
 *   await appendKnownHost(file, "[h]:2222", "ssh-ed25519", "AAAA");
 *   await appendKnownHost(file, "web1", "ssh-ed25519", "BBBB");
 *   const text = await Deno.readTextFile(file);
 *   assert.equal(text, "[h]:2222 ssh-ed25519 AAAA\nweb1 ssh-ed25519 BBBB\n");
 *   assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function appendKnownHost(
  file: string,
  name: string,
  keyType: string,
  key: string,
): Promise<void> {
  const dir = file.slice(0, Math.max(file.lastIndexOf("/"), 0));
  if (dir) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  let prefix = "";
  try {
    const text = await Deno.readTextFile(file);
    if (text.length && !text.endsWith("\n")) prefix = "\n";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.writeTextFile(file, `${prefix}${name} ${keyType} ${key}\n`, {
    append: true,
    mode: 0o600,
  });
}

/**
 * Reading and writing OpenSSH `known_hosts` files: plain, wildcard, negated and hashed
 * (`|1|salt|hash`) host patterns, `[host]:port` names, and the `@revoked` marker.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { memoByStamp } from "./file_memo.ts";
import { LocalFileError, readRegularFile } from "./local_file.ts";
import { matchPatternList } from "./pattern.ts";
import { HmacSha1 } from "./sha1.ts";

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
  /** For a hashed line (`|1|salt|hash`): its salt and hash, decoded. */
  readonly hashed?: { readonly salt: Uint8Array; readonly hash: Uint8Array };
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
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"];
    if (fields[0].startsWith("@")) {
      const name = fields.shift()!.slice(1);
      if (name !== "revoked" && name !== "cert-authority") continue;
      marker = name;
    }
    if (fields.length < 3) continue;
    const patterns = fields[0].split(",");
    const hashed = patterns.length === 1 ? decodeHashed(patterns[0]) : undefined;
    const [keyType, key] = [fields[1], fields[2]];
    entries.push(
      hashed
        ? { patterns, marker, keyType, key, file, hashed }
        : { patterns, marker, keyType, key, file },
    );
  }
  return entries;
}

/** Base64 digit values by character code (-1: not a digit); never changed after this. */
const BASE64: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) table[digits.charCodeAt(i)] = i;
  return table;
})();

function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor(clean.length * 3 / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? BASE64[code] : -1;
    if (v < 0) return undefined;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 255;
    }
  }
  return out;
}

function decodeHashed(pattern: string): KnownHostEntry["hashed"] {
  if (!pattern.startsWith("|1|")) return undefined;
  const parts = pattern.split("|");
  if (parts.length !== 4) return undefined;
  const salt = decodeBase64(parts[2]);
  const hash = decodeBase64(parts[3]);
  return salt && hash?.length === 20 ? { salt, hash } : undefined;
}

function hashedMatch(
  hashed: KnownHostEntry["hashed"],
  name: Uint8Array,
  hmac: HmacSha1,
): boolean {
  if (!hashed) return false;
  const digest = hmac.digest(hashed.salt, name);
  for (let i = 0; i < 20; i++) if (digest[i] !== hashed.hash[i]) return false;
  return true;
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
  return hostMatcher(name)(entry);
}

/**
 * A test for many lines against one host name (the name is encoded once and the HMAC
 * buffers are reused across hashed lines).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostMatcher, parseKnownHosts } from "./known_hosts.ts";
 * const entries = parseKnownHosts("a ssh-rsa K1\nb,a ssh-rsa K2\n!a,* ssh-rsa K3", "kh");
 * assert.deepEqual(entries.filter(hostMatcher("a")).map((e) => e.key), ["K1", "K2"]);
 * ```
 */
export function hostMatcher(name: string): (entry: KnownHostEntry) => boolean {
  const bytes = new TextEncoder().encode(name);
  const hmac = new HmacSha1();
  return (entry) => {
    const patterns = entry.patterns;
    if (patterns.length === 1 && patterns[0].startsWith("|")) {
      return hashedMatch(entry.hashed ?? decodeHashed(patterns[0]), bytes, hmac);
    }
    let hashed = false;
    for (const pattern of patterns) {
      if (pattern.startsWith("|") && hashedMatch(decodeHashed(pattern), bytes, hmac)) {
        hashed = true;
      }
    }
    const plain = matchPatternList(patterns.filter((p) => !p.startsWith("|")), name);
    return plain === 1 || (hashed && plain === 0);
  };
}

/**
 * The lines that apply to a host name, found without blocking the event loop for long:
 * it yields every 5,000 lines, so timers (the connect deadline) and signals still run
 * while a very large file is searched.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchingEntries, parseKnownHosts } from "./known_hosts.ts";
 * const entries = parseKnownHosts("a ssh-rsa K1\nb ssh-rsa K2", "kh");
 * assert.deepEqual((await matchingEntries(entries, "b")).map((e) => e.key), ["K2"]);
 * ```
 */
export async function matchingEntries(
  entries: readonly KnownHostEntry[],
  name: string,
): Promise<KnownHostEntry[]> {
  const matches = hostMatcher(name);
  const found: KnownHostEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    if (i % 5000 === 4999) await new Promise((resolve) => setTimeout(resolve, 0));
    if (matches(entries[i])) found.push(entries[i]);
  }
  return found;
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
  const matches = hostMatcher(name);
  const matching = entries.filter((e) => e.marker !== "cert-authority" && matches(e));
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
  const matches = hostMatcher(name);
  const types = entries.filter((e) => e.marker === undefined && matches(e)).map((e) => e.keyType);
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
 * Reads and parses one known_hosts file; a file that does not exist has no lines. A FIFO,
 * device or unreadable file rejects at once with a `LocalFileError` naming it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKnownHostsFile } from "./known_hosts.ts";
 * assert.deepEqual(await readKnownHostsFile("/nonexistent/known_hosts"), []);
 * ```
 */
export async function readKnownHostsFile(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(new TextDecoder().decode(await readRegularFile(file)), file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    if (error instanceof LocalFileError) {
      throw new LocalFileError(
        file,
        error.message.slice(error.message.indexOf('": ') + 3),
        "known_hosts file",
      );
    }
    const why = error instanceof Error ? error.message : String(error);
    throw new LocalFileError(file, why, "known_hosts file", { cause: error });
  }
}

/**
 * Reads and parses known_hosts files; files that do not exist are skipped. A FIFO, device
 * or unreadable file rejects at once with a `LocalFileError` naming it. With `memo` (the
 * Env's connect memo), a file is parsed once and parsed again only when its stamp changed:
 * an edit made mid-run (by a person, or a key this run accepted) is seen by the connections
 * opened after it (see `file_memo.ts`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKnownHosts } from "./known_hosts.ts";
 * const entries = await readKnownHosts(["/nonexistent/known_hosts"]);
 * assert.equal(entries.length, 0);
 * ```
 */
export async function readKnownHosts(
  files: readonly string[],
  memo?: Map<string, unknown>,
): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    const parsed = await memoByStamp(memo, "known_hosts", file, () => readKnownHostsFile(file));
    // Not push(...parsed): spreading a large array overflows the stack.
    for (const entry of parsed) entries.push(entry);
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
    const text = await readRegularFile(file, "known_hosts file"); // never blocks on a FIFO
    if (text.length && text[text.length - 1] !== 10) prefix = "\n";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.writeTextFile(file, `${prefix}${name} ${keyType} ${key}\n`, {
    append: true,
    mode: 0o600,
  });
}

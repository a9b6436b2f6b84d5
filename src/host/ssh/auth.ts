/**
 * Authentication for SSH connections: explicit keys, the agent, identity files from the
 * SSH config (or the default `~/.ssh/id_*`), then the password. Builds ssh2's
 * `authHandler` and remembers which methods were tried, for error messages.
 *
 * @module
 */
// @ts-types="npm:@types/ssh2@1.15.6"
import { type AnyAuthMethod, type AuthHandlerMiddleware, utils } from "npm:ssh2@1.17.0";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { ConnectionError } from "../../errors.ts";
import { memoByStamp } from "./file_memo.ts";
import { LocalFileError, readRegularFile } from "./local_file.ts";

/** Where credentials may come from, after the SSH config was applied. */
export interface AuthSources {
  /** The slug of the host (for messages). */
  slug: string;
  /** Login user. */
  username: string;
  /** Password (password and keyboard-interactive auth). */
  password?: string;
  /** Private key text. */
  key?: string;
  /** Private key file. */
  keyFile?: string;
  /** Passphrase of `key` / `keyFile` (and tried on identity files). */
  passphrase?: string;
  /** Identity files (from the SSH config or the defaults); unusable ones are skipped. */
  identityFiles: readonly string[];
  /** The agent socket path, if any. */
  agent?: string;
}

/** A prepared list of methods with a record of what was tried. */
export interface AuthPlan {
  /** ssh2's `authHandler`. */
  handler: AuthHandlerMiddleware;
  /** The method names tried so far (`publickey`, `password`, ...), in order. */
  readonly tried: string[];
}

type ParsedKey = Exclude<ReturnType<typeof utils.parseKey>, Error | unknown[]>;

function parse(text: string | Uint8Array, passphrase: string | undefined): ParsedKey | Error {
  // deno-lint-ignore no-explicit-any
  const parsed = utils.parseKey(text as any, passphrase);
  return (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | Error;
}

/** The memo kind of a key read with `passphrase` (the passphrase itself is not kept). */
function kindWith(kind: string, passphrase: string | undefined): string {
  if (passphrase === undefined) return kind;
  return `${kind}+${createHash("sha256").update(passphrase).digest("hex")}`;
}

/** A key file that was read but cannot be parsed or decrypted (names no host). */
class UnusableKey extends Error {}

/** A key file read and parsed (decrypting can take a quarter of a second). */
async function loadKeyFile(file: string, passphrase: string | undefined): Promise<ParsedKey> {
  const data = Buffer.from(await readRegularFile(file, "key file"));
  const parsed = parse(data, passphrase);
  if (parsed instanceof Error) throw new UnusableKey(parsed.message);
  return parsed;
}

async function explicitKey(
  sources: AuthSources,
  memo: Map<string, unknown> | undefined,
): Promise<ParsedKey | undefined> {
  if (sources.key !== undefined) {
    const key = `${kindWith("key-text", sources.passphrase)}\0${
      createHash("sha256").update(sources.key).digest("hex")
    }`;
    let parsed = memo?.get(key) as ParsedKey | Error | undefined;
    if (!parsed) {
      parsed = parse(sources.key, sources.passphrase);
      if (!(parsed instanceof Error)) memo?.set(key, parsed);
    }
    if (parsed instanceof Error) {
      throw new ConnectionError(
        sources.slug,
        `cannot use the given private key: ${parsed.message}`,
      );
    }
    return parsed;
  }
  const file = sources.keyFile;
  if (file === undefined) return undefined;
  try {
    const load = () => loadKeyFile(file, sources.passphrase);
    return await memoByStamp(memo, kindWith("key-file", sources.passphrase), file, load);
  } catch (error) {
    if (error instanceof UnusableKey) {
      throw new ConnectionError(sources.slug, `cannot use key file "${file}": ${error.message}`);
    }
    if (error instanceof LocalFileError) throw new ConnectionError(sources.slug, error.message);
    const why = error instanceof Error ? error.message : String(error);
    throw new ConnectionError(sources.slug, `cannot read key file "${file}": ${why}`);
  }
}

/** An identity file read and parsed; `undefined` when missing, unreadable or unusable. */
async function loadIdentity(
  file: string,
  passphrase: string | undefined,
): Promise<ParsedKey | undefined> {
  let data: Uint8Array;
  try {
    data = Buffer.from(await readRegularFile(file, "identity file"));
  } catch (error) {
    // A FIFO or device would block or mislead: say so. Like ssh, identity files that are
    // missing or unreadable are skipped.
    if (error instanceof LocalFileError) throw error;
    return undefined;
  }
  const parsed = parse(data, passphrase);
  return parsed instanceof Error ? undefined : parsed;
}

async function identityKeys(
  sources: AuthSources,
  memo: Map<string, unknown> | undefined,
): Promise<ParsedKey[]> {
  const keys: ParsedKey[] = [];
  const kind = kindWith("identity", sources.passphrase);
  for (const file of sources.identityFiles) {
    if (file === sources.keyFile) continue;
    try {
      const key = await memoByStamp(memo, kind, file, () => loadIdentity(file, sources.passphrase));
      if (key) keys.push(key);
    } catch (error) {
      if (error instanceof LocalFileError) throw new ConnectionError(sources.slug, error.message);
      throw error;
    }
  }
  return keys;
}

/**
 * Builds the authentication plan. Rejects with {@linkcode ConnectionError} when an
 * explicitly given key cannot be read or decrypted. With `memo` (the Env's connect memo),
 * key files and identity files are read and parsed once per Env and again only when
 * their stamp changed (see `file_memo.ts`); an inline `key` is parsed once per Env.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { planAuth } from "./auth.ts";
 * const plan = await planAuth({
 *   slug: "web1", username: "deploy", password: "pw", identityFiles: [],
 * });
 * assert.equal(plan.tried.length, 0);
 * ```
 */
export async function planAuth(
  sources: AuthSources,
  memo?: Map<string, unknown>,
): Promise<AuthPlan> {
  const username = sources.username;
  const methods: AnyAuthMethod[] = [];
  // ssh2 takes the parsed keys as they are: one parse (and decryption) per Env, not two
  // per connection, and one key object shared by every connection.
  const key = await explicitKey(sources, memo);
  if (key !== undefined) methods.push({ type: "publickey", username, key: key as never });
  if (sources.agent) methods.push({ type: "agent", username, agent: sources.agent });
  for (const parsed of await identityKeys(sources, memo)) {
    methods.push({ type: "publickey", username, key: parsed as never });
  }
  if (sources.password !== undefined) {
    const password = sources.password;
    methods.push({ type: "password", username, password });
    methods.push({
      type: "keyboard-interactive",
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  const tried: string[] = [];
  let next = 0;
  const handler: AuthHandlerMiddleware = (authsLeft, _partial, callback) => {
    while (next < methods.length) {
      const method = methods[next++];
      const name = method.type === "agent" ? "publickey" : method.type;
      if (authsLeft && authsLeft.length && !authsLeft.includes(name as never)) continue;
      if (!tried.includes(name)) tried.push(name);
      callback(method);
      return;
    }
    callback(false as never);
  };
  return { handler, tried };
}

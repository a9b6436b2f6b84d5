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
import { ConnectionError } from "../../errors.ts";
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

function parse(text: string | Uint8Array, passphrase: string | undefined) {
  // deno-lint-ignore no-explicit-any
  const parsed = utils.parseKey(text as any, passphrase);
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

async function explicitKey(sources: AuthSources): Promise<string | Uint8Array | undefined> {
  if (sources.key !== undefined) {
    const parsed = parse(sources.key, sources.passphrase);
    if (parsed instanceof Error) {
      throw new ConnectionError(
        sources.slug,
        `cannot use the given private key: ${parsed.message}`,
      );
    }
    return sources.key;
  }
  if (sources.keyFile === undefined) return undefined;
  let data: Uint8Array;
  try {
    data = Buffer.from(await readRegularFile(sources.keyFile, "key file"));
  } catch (error) {
    if (error instanceof LocalFileError) throw new ConnectionError(sources.slug, error.message);
    const why = error instanceof Error ? error.message : String(error);
    throw new ConnectionError(sources.slug, `cannot read key file "${sources.keyFile}": ${why}`);
  }
  const parsed = parse(data, sources.passphrase);
  if (parsed instanceof Error) {
    throw new ConnectionError(
      sources.slug,
      `cannot use key file "${sources.keyFile}": ${parsed.message}`,
    );
  }
  return data;
}

async function identityKeys(sources: AuthSources): Promise<Uint8Array[]> {
  const keys: Uint8Array[] = [];
  for (const file of sources.identityFiles) {
    if (file === sources.keyFile) continue;
    let data: Uint8Array;
    try {
      data = Buffer.from(await readRegularFile(file, "identity file"));
    } catch (error) {
      // A FIFO or device would block or mislead: say so. Like ssh, identity files that are
      // missing or unreadable are skipped.
      if (error instanceof LocalFileError) throw new ConnectionError(sources.slug, error.message);
      continue;
    }
    if (!(parse(data, sources.passphrase) instanceof Error)) keys.push(data);
  }
  return keys;
}

/**
 * Builds the authentication plan. Rejects with {@linkcode ConnectionError} when an
 * explicitly given key cannot be read or decrypted.
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
export async function planAuth(sources: AuthSources): Promise<AuthPlan> {
  const username = sources.username;
  const methods: AnyAuthMethod[] = [];
  const key = await explicitKey(sources);
  if (key !== undefined) {
    methods.push({
      type: "publickey",
      username,
      key: key as string,
      passphrase: sources.passphrase,
    });
  }
  if (sources.agent) methods.push({ type: "agent", username, agent: sources.agent });
  for (const data of await identityKeys(sources)) {
    methods.push({
      type: "publickey",
      username,
      key: data as unknown as string,
      passphrase: sources.passphrase,
    });
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

/**
 * Host key checking for SSH connections: the `strict`, `accept-new` and `ask` policies
 * over the known_hosts files.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { HostKeyError } from "../../errors.ts";
import type { ConnectContext } from "../connection.ts";
import {
  appendKnownHost,
  checkHostKey,
  fingerprintOfBlob,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
} from "./known_hosts.ts";
import { knownHostsFor } from "./known_hosts_lookup.ts";

/** What to do with a host key that is not in known_hosts. */
export type HostKeyPolicy = "strict" | "accept-new" | "ask";

/** Everything a host key check needs. */
export interface HostKeyCheckOptions {
  /** The slug of the host (for messages). */
  slug: string;
  /** The address the key is stored under. */
  address: string;
  /** The port (non-22 ports are stored as `[address]:port`). */
  port: number;
  /** The policy for unknown keys. Changed and revoked keys are always refused. */
  policy: HostKeyPolicy;
  /** known_hosts files to read, in order. */
  files: readonly string[];
  /** The file new keys are appended to (`accept-new`, `ask`). */
  appendTo: string;
  /** Asks the user (`ask`). */
  context: ConnectContext;
}

/** A prepared check: the negotiation preference and the verifier. */
export interface HostKeyCheck {
  /** Host key algorithms to offer, known types first. */
  algorithms: string[];
  /** Verifies the key blob the server offered; rejects with {@linkcode HostKeyError}. */
  verify(blob: Uint8Array): Promise<void>;
}

const DEFAULT_ALGORITHMS: readonly string[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

function algorithmsFor(keyType: string): string[] {
  return keyType === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [keyType];
}

/**
 * Reads the known_hosts files and prepares the check for one host.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareHostKeyCheck } from "./host_key.ts";
 * const check = await prepareHostKeyCheck({
 *   slug: "web1", address: "127.0.0.1", port: 2222, policy: "strict",
 *   files: [], appendTo: "/dev/null",
 *   context: { interactive: false, confirm: () => Promise.resolve(false) },
 * });
 * assert.ok(check.algorithms.includes("ssh-ed25519"));
 * ```
 */
export async function prepareHostKeyCheck(options: HostKeyCheckOptions): Promise<HostKeyCheck> {
  const name = knownHostsName(options.address, options.port);
  // Only the lines for this host (found by name, not by testing every line).
  const entries = await knownHostsFor(options.files, name, options.context.memo);
  const known = knownKeyTypes(entries, name).flatMap(algorithmsFor).filter((a) =>
    DEFAULT_ALGORITHMS.includes(a)
  );
  const algorithms = [...new Set([...known, ...DEFAULT_ALGORITHMS])];
  return {
    algorithms,
    async verify(blob: Uint8Array): Promise<void> {
      const keyType = keyTypeOfBlob(blob);
      const key = Buffer.from(blob).toString("base64");
      const fingerprint = fingerprintOfBlob(blob);
      const verdict = checkHostKey(entries, name, keyType, key);
      if (verdict === "known") return;
      const fail = (problem: "unknown" | "changed") =>
        new HostKeyError({ host: options.slug, address: name, keyType, fingerprint, problem });
      if (verdict === "changed" || verdict === "revoked") throw fail("changed");
      if (options.policy === "strict") throw fail("unknown");
      if (options.policy === "ask") {
        const question = `The authenticity of host "${options.slug}" (${name}) can't be ` +
          `established.\n${keyType} key fingerprint is ${fingerprint}.\n` +
          `Are you sure you want to continue connecting?`;
        if (!await askUnknownKey(options.context, question)) throw fail("unknown");
      }
      await recordOnce(options, name, keyType, key);
    },
  };
}

/**
 * Appends the line for a new key, once per file and Env: connections that met the same
 * unknown server at once (each read known_hosts before any of them recorded it) share one
 * append. A failed append is not kept, so a later connection tries again.
 */
function recordOnce(
  options: HostKeyCheckOptions,
  name: string,
  keyType: string,
  key: string,
): Promise<void> {
  const memo = options.context.memo;
  if (!memo) return appendKnownHost(options.appendTo, name, keyType, key);
  const slot = `host-key:recorded\0${options.appendTo}\0${name}\0${keyType}\0${key}`;
  let recording = memo.get(slot) as Promise<void> | undefined;
  if (!recording) {
    const started = appendKnownHost(options.appendTo, name, keyType, key);
    started.catch(() => memo.get(slot) === started && memo.delete(slot));
    memo.set(slot, started);
    recording = started;
  }
  return recording;
}

/** Where a run remembers "yes to all remaining" and queues its host key questions. */
const ACCEPT_ALL = "host-key:accept-all-unknown";
const QUEUE = "host-key:questions";

/**
 * Asks whether to trust an unknown host key. With a run memo and a chooser, the answer
 * may be "yes to all remaining": every later unknown key of the run is accepted without
 * a question (changed keys never get here). Questions wait for each other, so one
 * answer covers the hosts whose questions were already waiting.
 */
function askUnknownKey(context: ConnectContext, question: string): Promise<boolean> {
  const { memo, choose } = context;
  if (!memo || !choose || !context.interactive) return context.confirm(question);
  const previous = (memo.get(QUEUE) as Promise<unknown> | undefined) ?? Promise.resolve();
  const turn = previous.then(async () => {
    if (memo.get(ACCEPT_ALL) === true) return true;
    const answer = await choose(
      question,
      [
        ["yes", "yes"],
        ["no", "no"],
        ["yes to all remaining unknown hosts of this run", "all"],
      ] as const,
    );
    if (answer === "all") memo.set(ACCEPT_ALL, true);
    return answer !== "no";
  });
  memo.set(QUEUE, turn.catch(() => {}));
  return turn;
}

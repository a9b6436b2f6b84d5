/**
 * `deployer connect -- ACTION ARG...`: one action run by the session's process on its
 * tree (and so on its open connections), without a shell; what it prints goes back to
 * the client.
 *
 * @module
 */
import { formatResult } from "../../shell/format.ts";
import { debugEnabled, errorText } from "../output.ts";
import { callAction, resolveAction, resolveNode } from "../resolve.ts";

/**
 * Runs `words` (`ACTION ARG...`, the action a dotted path from the node at `path`) on
 * the bound `root`; writes the result or the error; resolves to the exit code (0 ok,
 * 1 failed, 2 unknown path or action).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../../exec/env.ts";
 * import { Node } from "../../node/node.ts";
 * import { runRemoteAction } from "./remote_run.ts";
 * class Root extends Node {
 *   answer(): number { return 42; }
 * }
 * await using env = new Env({ interactive: false });
 * let out = "";
 * assert.equal(await runRemoteAction(env.bind(Root), [], ["answer"], (t) => (out += t)), 0);
 * assert.equal(out, "42\n");
 * assert.equal(await runRemoteAction(env.bind(Root), [], ["nope"], () => {}), 2);
 * ```
 */
export async function runRemoteAction(
  root: object,
  path: readonly string[],
  words: readonly string[],
  write: (text: string) => void,
): Promise<number> {
  try {
    const start = path.length ? resolveNode(root, path.join(".")) : root;
    const action = resolveAction(start, words[0]);
    const value = await callAction(action, words.slice(1));
    if (!action.info.flags.suppressResult) write(formatResult(value));
    return 0;
  } catch (error) {
    write(errorText(error, debugEnabled()));
    return error instanceof Error && error.name === "UsageError" ? 2 : 1;
  }
}

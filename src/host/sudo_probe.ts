/**
 * Whether sudo needs a password on a host (found out once per Env), and the error when it
 * does and there is no way to get one.
 *
 * @module
 */
import { compose } from "../command/compose.ts";
import { toCommand } from "../command/sh.ts";
import { DeployerError } from "../errors.ts";
import type { Host } from "./host.ts";
import type { HostServices } from "./services.ts";

/** How long the probe may take before it is killed (and counted as "needs a password"). */
const PROBE_TIMEOUT = 30_000;

/**
 * Whether sudo needs a password on `host` for `user`: `sudo -n true` is run once per Env
 * (concurrent callers share it; a failed probe is asked again next time).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env, runtimeOf } from "../exec/env.ts";
 * import { LocalHost } from "./local.ts";
 * import { needsSudoPassword } from "./sudo_probe.ts";
 * await using env = new Env({ interactive: false });
 * const host = new LocalHost();
 * const [a, b] = [needsSudoPassword(runtimeOf(env), host), needsSudoPassword(runtimeOf(env), host)];
 * assert.equal(a, b); // one probe
 * assert.equal(typeof await a, "boolean");
 * ```
 */
export function needsSudoPassword(
  services: HostServices,
  host: Host,
  user?: string,
): Promise<boolean> {
  const memo = services.memo(host);
  const key = `sudo-needs-password:${user ?? ""}`;
  if (!memo.has(key)) {
    const probe = services.limit(async () => {
      const text = compose(toCommand("true"), { sudo: { user }, stdinNull: true }).text;
      const connection = await services.connection(host);
      const proc = await connection.exec(text);
      const timer = setTimeout(() => proc.kill(), PROBE_TIMEOUT);
      try {
        await proc.closeStdin();
        return (await proc.status).code !== 0;
      } finally {
        clearTimeout(timer);
      }
    });
    probe.catch(() => memo.delete(key));
    memo.set(key, probe);
  }
  return memo.get(key) as Promise<boolean>;
}

/**
 * The error for sudo without a way to get a password.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { noSudoPassword } from "./sudo_probe.ts";
 * assert.equal(
 *   noSudoPassword("web1", "root").message,
 *   'sudo on host "web1" (as root) needs a password: ' +
 *     "give the host a password or run interactively",
 * );
 * ```
 */
export function noSudoPassword(host: string, user: string): DeployerError {
  return new DeployerError(
    `sudo on host "${host}" (as ${user}) needs a password: give the host a password or run ` +
      `interactively`,
  );
}

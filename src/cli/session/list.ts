/**
 * `deployer sessions`: the live sessions of this user. Records whose server is gone
 * (its socket refuses connections, or its process no longer exists) are removed, with
 * their socket and token.
 *
 * @module
 */
import { querySession, type SessionInfo } from "./client.ts";
import { probeSocket } from "./probe.ts";
import { readRecords, removeQuietly, sessionDir, tokenPath } from "./paths.ts";

function processExists(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The live sessions in `dir` (default: this user's session directory), oldest first;
 * stale ones are cleaned up on the way.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { liveSessions } from "./list.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/999999999.json`, JSON.stringify({
 *   pid: 999999999, socket: `${dir}/gone.sock`, script: "x.ts", started: "2026-01-01T00:00:00Z",
 * }));
 * assert.deepEqual(await liveSessions(dir), []);
 * assert.deepEqual([...Deno.readDirSync(dir)], []); // the stale record was removed
 * await Deno.remove(dir);
 * ```
 */
export async function liveSessions(dir: string = sessionDir()): Promise<SessionInfo[]> {
  const live: SessionInfo[] = [];
  for (const { file, record } of await readRecords(dir)) {
    const state = await probeSocket(record.socket).catch(() => "other" as const);
    if (state === "live") {
      try {
        live.push(await querySession(record.socket));
        continue;
      } catch {
        // refused or broken: not ours to list
        if (processExists(record.pid)) continue;
      }
    }
    if (state === "live" || processExists(record.pid) && state !== "missing") continue;
    if (state === "stale") await removeQuietly(record.socket, tokenPath(record.socket));
    await removeQuietly(file);
  }
  return live;
}

/**
 * The table `deployer sessions` prints.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSessions } from "./list.ts";
 * assert.equal(formatSessions([]), "No live sessions.\n");
 * const text = formatSessions([{
 *   pid: 7, socket: "/tmp/d/7.sock", script: "deploy.ts", started: "2026-01-01T10:00:00.000Z",
 *   clients: 2,
 * }]);
 * assert.match(text, /^PID +SOCKET/);
 * assert.match(text, /7 +\/tmp\/d\/7.sock +deploy.ts +2026-01-01 10:00:00 +2/);
 * ```
 */
export function formatSessions(sessions: readonly SessionInfo[]): string {
  if (!sessions.length) return "No live sessions.\n";
  const rows = [
    ["PID", "SOCKET", "SCRIPT", "STARTED", "CLIENTS"],
    ...sessions.map((s) => [
      String(s.pid),
      s.socket,
      s.script,
      s.started.replace("T", " ").replace(/\.\d+Z$|Z$/, ""),
      String(s.clients),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n").join(
    "",
  );
}

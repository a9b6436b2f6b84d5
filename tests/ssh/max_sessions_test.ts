/**
 * sshd's `MaxSessions` below the host's `maxSessions`: commands wait for a channel the
 * server will grant instead of failing; when none can be had, the error says why.
 */
import assert from "node:assert/strict";
import { ConnectionError, Env, sh } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test(
  "ssh: maxSessions 10 against sshd MaxSessions 2: every command runs",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { config: ["MaxSessions 2"] });
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh, 0, { maxSessions: 10 }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => host.run(sh`sleep 0.3; echo ${i}`)),
    );
    assert.deepEqual(
      results.map((r) => r.stdout.trim()),
      Array.from({ length: 10 }, (_, i) => `${i}`),
    );
    // Files still work beside commands (the SFTP session takes a session too).
    const [listing, ...more] = await Promise.all([
      host.exists("/tmp"),
      host.run(sh`sleep 0.3; echo a`),
      host.run(sh`sleep 0.3; echo b`),
    ]);
    assert.deepEqual(more.map((r) => r.stdout), ["a\n", "b\n"]);
    assert.equal(listing, true);
  },
);

Deno.test(
  "ssh: a channel the server refuses outright names the cause and maxSessions",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1, { config: ["MaxSessions 1"] });
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh, 0, { maxSessions: 4 }));
    assert.equal(await host.exists("/tmp"), true); // the SFTP session holds the only session
    const error = await host.run(sh`true`).then(() => undefined, (e) => e);
    assert.ok(error instanceof ConnectionError, `expected a ConnectionError, got ${error}`);
    assert.match(error.message, new RegExp(`host "${ssh.servers[0].slug}"`));
    assert.match(error.message, /refused to open a new session channel/);
    assert.match(error.message, /MaxSessions/);
    assert.match(error.message, /lower maxSessions/);
  },
);

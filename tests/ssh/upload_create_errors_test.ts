/**
 * A large upload's temporary file is created by the remote shell (not by SFTP): a missing
 * or read-only directory must still fail as before, with `Deno.errors.NotFound` /
 * `Deno.errors.PermissionDenied` naming the host and the file, and leave nothing behind.
 */
import assert from "node:assert/strict";
import { Env } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test(
  "review upload: a large upload into a missing or read-only directory: NotFound, PermissionDenied",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = env.host(keyHost(ssh));
    const home = (await host.run("echo $HOME")).stdout.trim();
    await host.run(`mkdir '${home}/ro' && chmod 555 '${home}/ro'`);
    const data = new Uint8Array(2 * 1024 * 1024);
    const slug = new RegExp(`"${ssh.servers[0].slug}"`);
    const missing = await host.writeFile(`${home}/nope/big.bin`, data).catch((e) => e);
    assert.ok(missing instanceof Deno.errors.NotFound, String(missing));
    assert.match(missing.message, slug);
    assert.match(missing.message, /nope\/\.big\.bin/);
    const readOnly = await host.writeFile(`${home}/ro/big.bin`, data).catch((e) => e);
    assert.ok(readOnly instanceof Deno.errors.PermissionDenied, String(readOnly));
    assert.match(readOnly.message, slug);
    assert.equal((await host.run(`ls -A '${home}/ro'`)).stdout, "");
  },
);

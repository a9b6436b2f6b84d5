/**
 * Review of the process-wide chacha20-poly1305 patch: a direct connection (chacha20-poly1305
 * preferred) and a nested one through it (another cipher) move a few MiB each way at the
 * same time, intact. (With servers that offer only chacha20-poly1305 the nested connection
 * never authenticated: see tests/ssh/chacha_jump_test.ts.)
 */
import assert from "node:assert/strict";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { CONTEXT, keyHost } from "../ssh/_setup.ts";

function pattern(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 13 + seed + (i >> 9)) & 0xff;
  return data;
}

Deno.test(
  "review chacha: a direct and a nested connection transfer at once, intact",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const [jump, target] = ssh.servers;
    const direct = await keyHost(ssh, 0).connect(CONTEXT);
    await direct.home(); // an SFTP session: the patch is installed
    const nested = await new SshHost({
      slug: "inner",
      address: target.address,
      port: target.port,
      username: ssh.keyUser.name,
      keyFile: ssh.keyUser.keyFile,
      proxyJump: `${ssh.keyUser.name}@${jump.address}:${jump.port}`,
      configFile: false,
      knownHostsFiles: [ssh.knownHostsFile],
      agent: false,
    }).connect(CONTEXT);
    try {
      const home = await direct.home();
      const jobs = [direct, nested].flatMap((connection, c) =>
        [3 * 1024 * 1024 + 5, 100_000, 7].map(async (size, i) => {
          const data = pattern(size, c * 10 + i);
          const path = `${home}/chacha-${c}-${i}`;
          await connection.writeFile(path, data);
          const back = await connection.readFile(path);
          assert.ok(back.length === size && back.every((b, at) => b === data[at]), path);
        })
      );
      await Promise.all(jobs);
    } finally {
      await nested.close();
      await direct.close();
    }
  },
);

/**
 * Hostile or unusual local input must never freeze a connect: pathological known_hosts
 * patterns, huge known_hosts files, FIFOs where files are expected, recursive or binary
 * SSH configs. Against real sshd servers.
 */
import assert from "node:assert/strict";
import { ConnectionError } from "../../src/errors.ts";
import { Env } from "../../src/exec/env.ts";
import type { ConnectContext, Connection } from "../../src/host/connection.ts";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { evaluateSshConfig, loadSshConfig } from "../../src/host/ssh/ssh_config.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost, run } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deployer_input_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

async function echoWorks(host: SshHost): Promise<void> {
  const connection = await host.connect(CONTEXT);
  try {
    assert.equal((await run(connection, "echo ok")).stdout, "ok\n");
  } finally {
    await connection.close();
  }
}

function configHost(ssh: TestServers, config: string, extra: Record<string, unknown> = {}) {
  return new SshHost({
    slug: "cfg",
    address: "target",
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFiles: [ssh.knownHostsFile],
    configFile: config,
    agent: false,
    connectTimeout: 5000,
    ...extra,
  });
}

Deno.test(
  "input: a known_hosts pattern with 24 stars does not stall connect()",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await withDir(async (dir) => {
      const file = `${dir}/known_hosts`;
      // Before: matched by a backtracking RegExp, exponential in the number of stars.
      await Deno.writeTextFile(file, `${"*".repeat(24)}z ssh-ed25519 AAAA\n`);
      await echoWorks(keyHost(ssh, 0, { knownHostsFiles: [file, ssh.knownHostsFile] }));
    });
  },
);

Deno.test("input: a known_hosts file of 150,000 lines works", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  await withDir(async (dir) => {
    const file = `${dir}/known_hosts`;
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      lines.push(
        `host${i}.example.com,10.${i >> 16}.${(i >> 8) & 255}.${i & 255} ssh-ed25519 AAAA${i}`,
      );
    }
    lines.push(await Deno.readTextFile(ssh.knownHostsFile));
    await Deno.writeTextFile(file, lines.join("\n"));
    await echoWorks(keyHost(ssh, 0, { knownHostsFiles: [file] }));
  });
});

Deno.test(
  "input: a known_hosts file hashed by ssh-keygen -H (20,000 lines) works",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await withDir(async (dir) => {
      const file = `${dir}/known_hosts`;
      const lines = Array.from(
        { length: 20_000 },
        (_, i) => `h${i}.example.com ssh-ed25519 AAAA${i}`,
      );
      lines.push(await Deno.readTextFile(ssh.knownHostsFile));
      await Deno.writeTextFile(file, lines.join("\n"));
      const hash = await new Deno.Command("ssh-keygen", { args: ["-H", "-f", file] }).output();
      assert.ok(hash.success, new TextDecoder().decode(hash.stderr));
      assert.ok(!(await Deno.readTextFile(file)).includes("127.0.0.1"), "hashed");
      await echoWorks(keyHost(ssh, 0, { knownHostsFiles: [file] }));
    });
  },
);

Deno.test(
  "input: a FIFO as known_hosts, key file or SSH config is refused at once, named",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await withDir(async (dir) => {
      const fifo = `${dir}/fifo`;
      await mkfifo(fifo);
      const cases: [string, Record<string, unknown>, RegExp][] = [
        [
          "known_hosts",
          { knownHostsFiles: [fifo] },
          /known_hosts file ".*\/fifo": not a regular file \(a FIFO\)/,
        ],
        ["key file", { keyFile: fifo }, /key file ".*\/fifo": not a regular file \(a FIFO\)/],
        ["SSH config", { configFile: fifo }, /SSH config: .*\/fifo: not a regular file \(a FIFO\)/],
      ];
      for (const [what, options, expected] of cases) {
        const error = await keyHost(ssh, 0, { connectTimeout: 60_000, ...options }).connect(CONTEXT)
          .catch((e) => e);
        assert.ok(error instanceof ConnectionError, `${what}: ${error}`);
        assert.match(error.message, expected, what);
      }
    });
  },
);

Deno.test("input: an identity file that is a FIFO is refused, named", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  await withDir(async (dir) => {
    const fifo = `${dir}/id_fifo`;
    await mkfifo(fifo);
    await Deno.writeTextFile(`${dir}/config`, `Host *\n  IdentityFile ${fifo}\n`);
    const error = await keyHost(ssh, 0, { configFile: `${dir}/config`, connectTimeout: 60_000 })
      .connect(CONTEXT).catch((e) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, /identity file ".*\/id_fifo": not a regular file \(a FIFO\)/);
  });
});

Deno.test(
  "input: an SSH config including itself is an error naming file and line",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await withDir(async (dir) => {
      const config = `${dir}/config`;
      // Before: twice took 8 s and 456 MiB, three times never ended.
      await Deno.writeTextFile(
        config,
        `Include ${config}\nInclude ${config}\nInclude ${config}\nHost target\n  Port 1\n`,
      );
      const error = await configHost(ssh, config).connect(CONTEXT).catch((e) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.ok(
        error.message.includes(`${config} line 1: Include nested more than 16 levels deep`),
        error.message,
      );
    });
  },
);

Deno.test(
  "input: a binary or broken SSH config is a ConnectionError naming file and line",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await withDir(async (dir) => {
      const binary = `${dir}/binary`;
      await Deno.writeFile(binary, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 10]));
      const broken = `${dir}/broken`;
      await Deno.writeTextFile(broken, `Host target\n  HostName 127.0.0.1\n  Port twenty-two\n`);
      const quote = `${dir}/quote`;
      await Deno.writeTextFile(quote, `Host target\n  User "unterminated\n`);
      for (
        const [file, line, why] of [
          [binary, 1, /not an SSH config line/],
          [broken, 3, /bad Port "twenty-two"/],
          [quote, 2, /unterminated quote/],
        ] as const
      ) {
        const error = await configHost(ssh, file).connect(CONTEXT).catch((e) => e);
        assert.ok(error instanceof ConnectionError, String(error));
        assert.ok(error.message.includes(`bad SSH config: ${file} line ${line}: `), error.message);
        assert.match(error.message, why);
      }
    });
  },
);

Deno.test(
  "input: one Env parses the SSH config once for all its hosts, again when it changes",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const [server] = ssh.servers;
    await withDir(async (dir) => {
      const config = `${dir}/config`;
      await Deno.writeTextFile(
        config,
        `Host target other\n  HostName ${server.address}\n  Port ${server.port}\n`,
      );
      const memos: (Map<string, unknown> | undefined)[] = [];
      class Watched extends SshHost {
        override connect(context: ConnectContext): Promise<Connection> {
          memos.push(context.memo);
          return super.connect(context);
        }
      }
      const options = {
        username: ssh.keyUser.name,
        keyFile: ssh.keyUser.keyFile,
        knownHostsFiles: [ssh.knownHostsFile],
        configFile: config,
        agent: false,
      };
      await using env = new Env({ interactive: false });
      const one = new Watched({ ...options, slug: "one", address: "target" });
      const two = new Watched({ ...options, slug: "two", address: "other" });
      assert.equal((await env.host(one).run("echo one")).stdout, "one\n");
      assert.equal((await env.host(two).run("echo two")).stdout, "two\n");
      assert.equal(memos.length, 2);
      assert.ok(memos[0] instanceof Map && memos[0] === memos[1], "one memo per Env");
      const source = { file: config, home: dir, memo: memos[0] };
      const parsed = await loadSshConfig(source);
      assert.ok(parsed, "the memo holds the parsed config");
      assert.equal(await loadSshConfig(source), parsed, "not parsed again");
      await Deno.writeTextFile(config, "Host target\n  Port 2999\n", { append: true });
      const changed = await loadSshConfig(source);
      assert.notEqual(changed, parsed, "parsed again after a change");
      assert.equal(evaluateSshConfig(changed, "target", dir).port, server.port);
    });
  },
);

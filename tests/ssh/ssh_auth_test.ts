import assert from "node:assert/strict";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost, run } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test("ssh auth: key text and password", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const [server] = ssh.servers;
  const byKeyText = await keyHost(ssh, 0, {
    keyFile: undefined,
    key: await Deno.readTextFile(ssh.keyUser.keyFile!),
  }).connect(CONTEXT);
  try {
    assert.equal((await run(byKeyText, "whoami")).stdout, `${ssh.keyUser.name}\n`);
  } finally {
    await byKeyText.close();
  }
  const byPassword = await new SshHost({
    slug: server.slug,
    address: server.address,
    port: server.port,
    username: ssh.passwordUser.name,
    password: ssh.passwordUser.password,
    knownHostsFiles: [ssh.knownHostsFile],
    configFile: false,
    agent: false,
  }).connect(CONTEXT);
  try {
    assert.equal((await run(byPassword, "whoami")).stdout, `${ssh.passwordUser.name}\n`);
  } finally {
    await byPassword.close();
  }
});

Deno.test("ssh auth: through an ssh-agent", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const dir = await Deno.makeTempDir();
  const socket = `${dir}/agent.sock`;
  const agent = new Deno.Command("ssh-agent", { args: ["-D", "-a", socket], stdout: "piped" })
    .spawn();
  try {
    // The agent prints SSH_AUTH_SOCK=... once it listens on the socket.
    let said = "";
    const reader = agent.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (!said.includes("SSH_AUTH_SOCK=")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`ssh-agent ended before listening: ${said}`);
      said += value;
    }
    reader.cancel().catch(() => {});
    const add = await new Deno.Command("ssh-add", {
      args: ["-q", ssh.keyUser.keyFile!],
      env: { SSH_AUTH_SOCK: socket },
      stderr: "null",
    }).output();
    assert.ok(add.success);
    const connection = await keyHost(ssh, 0, { keyFile: undefined, agent: socket }).connect(
      CONTEXT,
    );
    try {
      assert.equal((await run(connection, "echo via agent")).stdout, "via agent\n");
    } finally {
      await connection.close();
    }
  } finally {
    agent.kill();
    await agent.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "ssh config: alias with HostName/Port/User/IdentityFile from an Include",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const [server] = ssh.servers;
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/conf.d`);
      await Deno.writeTextFile(`${dir}/config`, `Include ${dir}/conf.d/*\nHost *\n  Port 1\n`);
      await Deno.writeTextFile(
        `${dir}/conf.d/app`,
        [
          "Host app-alias",
          `  HostName ${server.address}`,
          `  Port ${server.port}`,
          `  User ${ssh.keyUser.name}`,
          `  IdentityFile ${ssh.keyUser.keyFile}`,
        ].join("\n"),
      );
      const host = new SshHost({
        address: "app-alias",
        configFile: `${dir}/config`,
        knownHostsFiles: [ssh.knownHostsFile],
        agent: false,
      });
      assert.equal(host.slug, "app-alias");
      const connection = await host.connect(CONTEXT);
      try {
        assert.equal((await run(connection, "whoami")).stdout, `${ssh.keyUser.name}\n`);
      } finally {
        await connection.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("ssh ProxyJump: reaches a server through another test server", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(2);
  const [jump, target] = ssh.servers;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config`,
      [
        "Host bastion",
        `  HostName ${jump.address}`,
        `  Port ${jump.port}`,
        `  User ${ssh.keyUser.name}`,
        `  IdentityFile ${ssh.keyUser.keyFile}`,
        "Host inner",
        `  HostName ${target.address}`,
        `  Port ${target.port}`,
        `  User ${ssh.keyUser.name}`,
        "  ProxyJump bastion",
      ].join("\n"),
    );
    const connection = await new SshHost({
      address: "inner",
      keyFile: ssh.keyUser.keyFile,
      configFile: `${dir}/config`,
      knownHostsFiles: [ssh.knownHostsFile],
      agent: false,
    }).connect(CONTEXT);
    try {
      // The target sees the connection coming from the jump host's sshd (loopback).
      const r = await run(connection, "echo $SSH_CONNECTION");
      const [, , , serverPort] = r.stdout.trim().split(" ");
      assert.equal(Number(serverPort), target.port);
      assert.equal((await connection.readDir("/")).some((s) => s.filename === "etc"), true);
    } finally {
      await connection.close();
    }
    // A jump host that refuses: the error names the jump host.
    const error = await new SshHost({
      slug: "inner",
      address: target.address,
      port: target.port,
      username: ssh.keyUser.name,
      keyFile: ssh.keyUser.keyFile,
      proxyJump: `${ssh.keyUser.name}@127.0.0.1:1`,
      configFile: false,
      knownHostsFiles: [ssh.knownHostsFile],
      agent: false,
    }).connect(CONTEXT).catch((e) => e);
    assert.equal(error.name, "ConnectionError");
    assert.match(error.message, /host "inner \(jump host 127\.0\.0\.1\)".*connection refused/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { ConnectionError, HostKeyError } from "../../src/errors.ts";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { freePort, startSilentServer, startSshServers } from "../../src/testing/mod.ts";
import { CONTEXT, keyHost, run } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

Deno.test("ssh failure: connection refused", async () => {
  const port = await freePort();
  const host = new SshHost({
    slug: "nobody-home",
    address: "127.0.0.1",
    port,
    username: "x",
    configFile: false,
    agent: false,
    connectTimeout: 3000,
  });
  const error = await host.connect(CONTEXT).catch((e) => e);
  assert.ok(error instanceof ConnectionError);
  assert.match(error.message, /^Cannot connect to host "nobody-home": connection refused/);
});

Deno.test("ssh failure: a silent server times out during the handshake", async () => {
  await using silent = await startSilentServer();
  const host = new SshHost({
    slug: "silent",
    address: "127.0.0.1",
    port: silent.port,
    username: "x",
    configFile: false,
    agent: false,
    connectTimeout: 1000,
  });
  const error = await host.connect(CONTEXT).catch((e) => e);
  assert.ok(error instanceof ConnectionError);
  assert.match(error.message, /host "silent": timed out after 1000 ms during SSH handshake/);
});

Deno.test("ssh failure: wrong key and wrong password", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const [server] = ssh.servers;
  const dir = await Deno.makeTempDir();
  try {
    await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/other`],
    }).output();
    const wrongKey = await keyHost(ssh, 0, { keyFile: `${dir}/other`, connectTimeout: 5000 })
      .connect(CONTEXT).catch((e) => e);
    assert.ok(wrongKey instanceof ConnectionError);
    assert.match(
      wrongKey.message,
      new RegExp(`host "${server.slug}": authentication failed .*methods tried: publickey\\)`),
    );
    const secret = "not-the-password-42";
    const wrongPassword = await new SshHost({
      slug: server.slug,
      address: server.address,
      port: server.port,
      username: ssh.passwordUser.name,
      password: secret,
      knownHostsFiles: [ssh.knownHostsFile],
      configFile: false,
      agent: false,
    }).connect(CONTEXT).catch((e) => e);
    assert.ok(wrongPassword instanceof ConnectionError);
    assert.match(
      wrongPassword.message,
      new RegExp(`host "${server.slug}": authentication failed .*methods tried: password\\)`),
    );
    assert.ok(!wrongPassword.message.includes(secret), "the password is not in the message");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "ssh host keys: unknown (strict) and changed are refused; accept-new appends",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const [a, b] = ssh.servers;
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/empty`, "");
      const unknown = await keyHost(ssh, 0, { knownHostsFiles: [`${dir}/empty`] })
        .connect(CONTEXT).catch((e) => e);
      assert.ok(unknown instanceof HostKeyError, String(unknown));
      assert.equal(unknown.problem, "unknown");
      assert.equal(unknown.fingerprint, a.fingerprint);
      assert.match(unknown.message, new RegExp(`host "${a.slug}" \\(\\[127.0.0.1\\]:${a.port}\\)`));
      assert.match(unknown.message, /ssh-ed25519 SHA256:/);

      // b's key recorded for a's [host]:port
      await Deno.writeTextFile(`${dir}/changed`, `[127.0.0.1]:${a.port} ${b.hostPublicKey}\n`);
      for (const policy of ["strict", "accept-new", "ask"] as const) {
        const changed = await keyHost(ssh, 0, {
          knownHostsFiles: [`${dir}/changed`],
          hostKeyPolicy: policy,
        }).connect({ interactive: true, confirm: () => Promise.resolve(true) }).catch((e) => e);
        assert.ok(changed instanceof HostKeyError, `${policy}: ${changed}`);
        assert.equal(changed.problem, "changed");
        assert.match(changed.message, /CHANGED/);
      }
      // a hashed, @revoked line for a's key is refused too
      await Deno.writeTextFile(`${dir}/revoked`, `@revoked * ${a.hostPublicKey}\n`);
      const revoked = await keyHost(ssh, 0, {
        knownHostsFiles: [`${dir}/revoked`],
        hostKeyPolicy: "accept-new",
      }).connect(CONTEXT).catch((e) => e);
      assert.ok(revoked instanceof HostKeyError);

      const fresh = `${dir}/new/known_hosts`;
      const accepted = await keyHost(ssh, 0, {
        knownHostsFiles: [fresh],
        hostKeyPolicy: "accept-new",
      })
        .connect(CONTEXT);
      await accepted.close();
      assert.equal(await Deno.readTextFile(fresh), `[127.0.0.1]:${a.port} ${a.hostPublicKey}\n`);
      const again = await keyHost(ssh, 0, { knownHostsFiles: [fresh] }).connect(CONTEXT);
      await again.close();

      // ask: the fingerprint is shown; "no" refuses, "yes" records
      const questions: string[] = [];
      const ask = (answer: boolean) => ({
        interactive: true,
        confirm: (q: string) => (questions.push(q), Promise.resolve(answer)),
      });
      const asked = `${dir}/asked`;
      const no = await keyHost(ssh, 1, { knownHostsFiles: [asked] }).connect(ask(false))
        .catch((e) => e);
      assert.ok(no instanceof HostKeyError);
      assert.ok(questions[0].includes(b.fingerprint));
      const yes = await keyHost(ssh, 1, { knownHostsFiles: [asked] }).connect(ask(true));
      await yes.close();
      assert.match(
        await Deno.readTextFile(asked),
        new RegExp(`\\[127.0.0.1\\]:${b.port} ssh-ed25519`),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("ssh failure: the server dies in the middle of a command", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const connection = await keyHost(ssh).connect(CONTEXT);
  try {
    let out = "";
    const proc = await connection.exec("echo started; sleep 60", {
      onStdout: (c) => (out += new TextDecoder().decode(c)),
    });
    while (!out.includes("started")) await new Promise((r) => setTimeout(r, 10));
    const status = await Promise.all([proc.status, ssh.servers[0].stop()]);
    assert.deepEqual(status[0], { code: null });
    assert.equal(connection.alive, false);
    const error = await run(connection, "true").catch((e) => e);
    assert.ok(error instanceof ConnectionError);
    assert.match(error.message, /connection refused/);
  } finally {
    await connection.close();
  }
});

import assert from "node:assert/strict";
import { freePort, startSilentServer, startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

async function ssh(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("ssh", {
    args: ["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function portOpen(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test(
  "startSshServers: two servers accept the key user, with sudo, and stop cleanly",
  NEEDS_SSH,
  async () => {
    const ssh2 = await startSshServers(2);
    try {
      const [a, b] = ssh2.servers;
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.hostPublicKey, b.hostPublicKey);
      assert.match(a.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(a.hostKeyType, "ssh-ed25519");
      const known = await Deno.readTextFile(ssh2.knownHostsFile);
      assert.ok(known.includes(`[127.0.0.1]:${b.port} ${b.hostPublicKey}`));
      for (const server of ssh2.servers) {
        const out = await ssh([
          "-i",
          ssh2.keyUser.keyFile!,
          "-o",
          `UserKnownHostsFile=${ssh2.knownHostsFile}`,
          "-o",
          "GlobalKnownHostsFile=/dev/null",
          "-o",
          "StrictHostKeyChecking=yes",
          "-p",
          String(server.port),
          `${ssh2.keyUser.name}@127.0.0.1`,
          "whoami; sudo -n true && echo sudo-ok",
        ]);
        assert.equal(out.code, 0, out.stderr);
        assert.equal(out.stdout, `${ssh2.keyUser.name}\nsudo-ok\n`);
      }
      // The fingerprint is the one OpenSSH computes.
      const keygen = await new Deno.Command("ssh-keygen", {
        args: ["-lf", ssh2.knownHostsFile],
        stdout: "piped",
      }).output();
      assert.ok(new TextDecoder().decode(keygen.stdout).includes(a.fingerprint));
    } finally {
      await ssh2.stop();
    }
    await ssh2.stop(); // twice is fine
    for (const server of ssh2.servers) {
      assert.equal(await portOpen(server.port), false);
      assert.equal(await alive(server.pid), false);
    }
    await assert.rejects(Deno.stat(ssh2.dir), Deno.errors.NotFound);
  },
);

async function passwordLogin(
  port: number,
  user: string,
  password: string,
  dir: string,
  known: string,
) {
  const askpass = `${dir}/askpass.sh`;
  await Deno.writeTextFile(askpass, `#!/bin/sh\necho '${password}'\n`, { mode: 0o700 });
  const out = await new Deno.Command("ssh", {
    args: [
      "-F",
      "/dev/null",
      "-o",
      "PubkeyAuthentication=no",
      "-o",
      "PreferredAuthentications=password",
      "-o",
      "NumberOfPasswordPrompts=1",
      "-o",
      `UserKnownHostsFile=${known}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-p",
      String(port),
      `${user}@127.0.0.1`,
      "whoami",
    ],
    env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test(
  "startSshServers: password user logs in over SSH; sudo asks for the password",
  NEEDS_SSH,
  async () => {
    await using servers = await startSshServers(1);
    const user = servers.passwordUser;
    assert.equal(user.sudo, "password");
    assert.ok(user.password && user.password.length >= 16);
    const login = await passwordLogin(
      servers.servers[0].port,
      user.name,
      user.password,
      servers.dir,
      servers.knownHostsFile,
    );
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, `${user.name}\n`);
    // sudo -S reads the password from stdin; run as root to be the password user.
    const out = new Deno.Command("su", {
      args: ["-s", "/bin/sh", "-c", "sudo -S -p '' whoami", user.name],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = out.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${user.password}\n`));
    await writer.close();
    const result = await out.output();
    assert.equal(new TextDecoder().decode(result.stdout), "root\n");
    const refused = await new Deno.Command("su", {
      args: ["-s", "/bin/sh", "-c", "sudo -n true", user.name],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.notEqual(refused.code, 0);
  },
);

Deno.test("startSshServers: passwordAuth false refuses passwords", NEEDS_SSH, async () => {
  await using servers = await startSshServers(1, { passwordAuth: false });
  const login = await passwordLogin(
    servers.servers[0].port,
    servers.passwordUser.name,
    servers.passwordUser.password!,
    servers.dir,
    servers.knownHostsFile,
  );
  assert.notEqual(login.code, 0);
  assert.match(login.stderr, /Permission denied/);
});

Deno.test("startSshServers: a running session is stopped with its server", NEEDS_SSH, async () => {
  const servers = await startSshServers(1, { passwordAuth: false });
  const [server] = servers.servers;
  const session = new Deno.Command("ssh", {
    args: [
      "-F",
      "/dev/null",
      "-o",
      "BatchMode=yes",
      "-i",
      servers.keyUser.keyFile!,
      "-o",
      `UserKnownHostsFile=${servers.knownHostsFile}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-p",
      String(server.port),
      `${servers.keyUser.name}@127.0.0.1`,
      "echo started; exec sleep 300",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = session.stdout.getReader();
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), "started\n");
  await servers.stop();
  while (!(await reader.read()).done) {
    // drain until the session ends
  }
  const status = await session.status;
  assert.notEqual(status.code, 0);
  assert.equal(await portOpen(server.port), false);
});

Deno.test("freePort and startSilentServer", async () => {
  const port = await freePort();
  assert.ok(port > 0);
  await using silent = await startSilentServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: silent.port });
  await conn.write(new TextEncoder().encode("SSH-2.0-test\r\n"));
  const buffer = new Uint8Array(16);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const quiet = await Promise.race([
    conn.read(buffer).then(() => false, () => false),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), 300)),
  ]);
  clearTimeout(timer);
  assert.equal(quiet, true);
  conn.close();
});

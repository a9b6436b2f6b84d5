import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { CommandError, Console, DeployerError, Env, sh, SshHost } from "../../mod.ts";
import { RecordingLogger } from "../../src/exec/logging.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

function passwordHost(ssh: TestServers, extra: { sudoPassword?: string } = {}): SshHost {
  return keyHost(ssh, 0, {
    username: ssh.passwordUser.name,
    password: ssh.passwordUser.password,
    keyFile: undefined,
    ...extra,
  });
}

Deno.test(
  "ssh sudo with a password: sent on the marker prompt, never logged",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const logger = new RecordingLogger();
    await using env = new Env({ interactive: false, loggers: [logger] });
    const host = env.host(passwordHost(ssh));
    assert.equal((await host.sudo(sh`id -un`)).stdout.trim(), "root");
    assert.equal((await host.sudo(sh`cat`, { initialInput: "piped\n" })).stdout, "piped\n");
    assert.equal((await host.sudo(sh`id -un`, { user: "nobody" })).stdout.trim(), "nobody");
    const text = JSON.stringify(logger.events);
    assert.ok(!text.includes(ssh.passwordUser.password!));
    assert.ok(!text.includes(host.services.sudoMarker));
    assert.ok(logger.ofType("command.start").every((e) => e.sudo));
  },
);

Deno.test("ssh sudo with a wrong password fails fast with a clear error", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  await using env = new Env({ interactive: false });
  const host = env.host(passwordHost(ssh, { sudoPassword: "not-the-password" }));
  const error = await host.sudo(sh`true`).catch((e) => e);
  assert.ok(error instanceof CommandError, String(error));
  assert.match(error.message, /sudo: incorrect password/);
  assert.match(error.message, new RegExp(`host "${ssh.servers[0].slug}"`));
  assert.ok(!error.message.includes("not-the-password"));
  // Fast: sudo gets one try and nothing else to read (the script waits for the password to
  // be accepted, so it can never be read as a second attempt).
  assert.match(error.message, /sudo: 1 incorrect password attempt/);
});

Deno.test("the sudo password is asked once per host per environment", NEEDS_SSH, async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  let typed = false;
  output.on("data", (chunk) => {
    shown += chunk;
    // Type the password once the question is on screen (on the next turn, when the
    // prompt listens for keys).
    if (!typed && shown.includes("[sudo] password for")) {
      typed = true;
      setTimeout(() => input.write("typed-secret\r"), 0);
    }
  });
  const console = new Console({ input, output, interactive: true, color: false });
  await using env = new Env({ console });
  await using ssh = await startSshServers(1);
  const host = passwordHost(ssh);
  const bare = new SshHost(
    { ...host.options, password: undefined } as ConstructorParameters<typeof SshHost>[0],
  );
  const first = env.host(bare).services.sudoPassword(bare, "root");
  const second = env.host(bare).services.sudoPassword(bare, "root");
  // One answer satisfies both concurrent callers: a second question would wait forever.
  assert.equal(await first, "typed-secret");
  assert.equal(await second, "typed-secret");
  const before = shown.length;
  assert.equal(await env.host(bare).services.sudoPassword(bare, "root"), "typed-secret");
  assert.equal(shown.length, before, "nothing is asked the second time");
  assert.match(shown, new RegExp(`\\[sudo\\] password for ${ssh.passwordUser.name} on sshd1`));
  assert.ok(!shown.includes("typed-secret"));
});

Deno.test(
  "sudo needing a password with nobody to ask names the host and what to do",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using env = new Env({ interactive: false });
    const host = passwordHost(ssh);
    const bare = new SshHost(
      { ...host.options, password: undefined } as ConstructorParameters<typeof SshHost>[0],
    );
    const error = await env.host(bare).services.sudoPassword(bare, "root").catch((e) => e);
    assert.ok(error instanceof DeployerError);
    assert.match(error.message, /sudo on host "sshd1" \(as root\) needs a password/);
  },
);

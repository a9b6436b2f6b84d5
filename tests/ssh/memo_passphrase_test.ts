/**
 * Review of the per-Env key memo with an encrypted key: a host with the wrong passphrase
 * is refused even after another host of the same Env decrypted the same file with the
 * right one, and a key file replaced by a different key between two Envs is read again.
 */
import assert from "node:assert/strict";
import { ConnectionError, Env, sh } from "../../mod.ts";
import { SshHost } from "../../src/host/ssh/mod.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

async function keygen(file: string, passphrase: string): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", passphrase, "-C", "review", "-f", file],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return await Deno.readTextFile(`${file}.pub`);
}

function host(ssh: TestServers, slug: string, keyFile: string, passphrase?: string): SshHost {
  const [server] = ssh.servers;
  return new SshHost({
    slug,
    address: server.address,
    port: server.port,
    username: ssh.keyUser.name,
    keyFile,
    passphrase,
    knownHostsFiles: [ssh.knownHostsFile],
    configFile: false,
    agent: false,
  });
}

async function whoami(env: Env, h: SshHost): Promise<string | Error> {
  return await env.host(h).run(sh`whoami`).then((r) => r.stdout.trim(), (e) => e);
}

Deno.test(
  "review memo: passphrases are checked per host; a new Env reads a new key",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    const dir = await Deno.makeTempDir();
    try {
      const pub = await keygen(`${dir}/enc`, "right horse");
      await Deno.writeTextFile(`${ssh.dir}/authorized_keys/${ssh.keyUser.name}`, pub, {
        append: true,
      });
      {
        await using env = new Env({ interactive: false });
        assert.equal(
          await whoami(env, host(ssh, "right", `${dir}/enc`, "right horse")),
          ssh.keyUser.name,
        );
        const wrong = await whoami(env, host(ssh, "wrong", `${dir}/enc`, "wrong"));
        assert.ok(wrong instanceof ConnectionError, String(wrong));
        assert.match(wrong.message, /host "wrong"/);
        assert.match(wrong.message, /enc/);
        const none = await whoami(env, host(ssh, "none", `${dir}/enc`));
        assert.ok(none instanceof ConnectionError, String(none));
      }
      // Another key, not authorized, in the same place: a new Env uses it (and is refused).
      await Deno.remove(`${dir}/enc`);
      await Deno.remove(`${dir}/enc.pub`);
      await keygen(`${dir}/enc`, "right horse");
      await using env = new Env({ interactive: false });
      const other = await whoami(env, host(ssh, "other", `${dir}/enc`, "right horse"));
      assert.ok(other instanceof ConnectionError, String(other));
      assert.match(other.message, /authentication failed/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * The test-machine fixture itself: isolation, login, sudo, network, reboot, re-provision
 * with new host keys, and teardown that leaves nothing.
 */
import assert from "node:assert/strict";
import { Env, HostKeyError, sh, SshHost } from "../../mod.ts";
import { listNetns, machineSupport, startMachines } from "../../src/testing/mod.ts";

const reason = await machineSupport();
const ignore = reason !== undefined;
const suffix = ignore ? ` (ignored: ${reason})` : "";

Deno.test({
  name: `test machines: own namespaces, sshd, deploy user with sudo, loopback only${suffix}`,
  ignore,
  async fn() {
    await using set = await startMachines(2);
    const [a, b] = set.machines;
    assert.notEqual(a.hostPublicKey, b.hostPublicKey, "each machine has its own host key");
    assert.equal((await a.exec(["hostname"])).stdout.trim(), a.name);
    // PID 1 inside is the machine's init, not the host's
    const comm = await a.exec(["cat", "/proc/1/cmdline"]);
    assert.match(comm.stdout, /deployer-init/);
    for (const ns of ["mnt", "pid", "uts", "ipc", "net"]) {
      const mine = await Deno.readLink(`/proc/self/ns/${ns}`);
      const theirs = await Deno.readLink(`/proc/${a.initPid}/ns/${ns}`);
      assert.notEqual(theirs, mine, `${ns} namespace is the machine's own`);
    }
    // routes: only the machine's /16 on eth0, nothing that leads anywhere else
    const routes = (await a.exec(["ip", "route", "show"])).stdout.trim();
    assert.equal(routes, `127.1.0.0/16 dev eth0 proto kernel scope link src ${a.address} `.trim());

    await using env = new Env({ interactive: false });
    const hostA = env.host(new SshHost(set.sshOptions(a)));
    const hostB = env.host(new SshHost(set.sshOptions(b)));
    assert.equal((await hostA.run(sh`hostname`)).stdout.trim(), a.name);
    assert.equal((await hostB.run(sh`id -un`)).stdout.trim(), "deploy");
    // sudo asks for the password (the host definition has it), and works with it
    assert.equal((await hostA.sudo(sh`id -un`)).stdout.trim(), "root");
    const noPassword = await hostA.run(sh`sudo -n true`, { noThrow: true });
    assert.notEqual(noPassword.code, 0, "sudo without a password is refused");
    // machine to machine over the bridge, and to the client
    const curl = await hostA.run(
      sh`curl -sS -o /dev/null -w '%{http_code}' ${`http://${b.address}/`}`,
    );
    assert.equal(curl.stdout, "200");
    const outside = await hostA.run(sh`curl -sS -m 3 http://10.0.0.1/`, { noThrow: true });
    assert.notEqual(outside.code, 0, "no route out of the loopback range");
    // an orphan (its parent exits at once) is reaped by the machine's init when it ends
    await a.exec(["sh", "-c", "(sleep 0.3 &); exit 0"]);
    const ps = () => a.exec(["ps", "-eo", "ppid=,stat=,comm="]).then((r) => r.stdout);
    const deadline = Date.now() + 10_000;
    while (/ sleep$/m.test(await ps()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.doesNotMatch(await ps(), /^\s*\d+\s+Z/m, "no zombie left");
  },
});

Deno.test({
  name: `test machines: reboot keeps state, re-provision brings new host keys${suffix}`,
  ignore,
  async fn() {
    await using set = await startMachines(1);
    const [m] = set.machines;
    {
      await using env = new Env({ interactive: false });
      await env.host(new SshHost(set.sshOptions(m))).run(sh`echo kept > ~/state`);
    }
    const key = m.hostPublicKey;
    await m.stop();
    assert.equal(m.running, false);
    await m.start();
    assert.equal(m.hostPublicKey, key, "a reboot keeps the host keys");
    {
      await using env = new Env({ interactive: false });
      const out = await env.host(new SshHost(set.sshOptions(m))).run(sh`cat ~/state`);
      assert.equal(out.stdout, "kept\n");
    }
    await m.reprovision();
    assert.notEqual(m.hostPublicKey, key, "a fresh machine has new host keys");
    {
      await using env = new Env({ interactive: false });
      const error = await env.host(new SshHost(set.sshOptions(m))).run(sh`true`).catch((e) => e);
      assert.ok(error instanceof HostKeyError, String(error));
      assert.equal(error.problem, "changed");
    }
    await set.trustCurrentKeys();
    {
      await using env = new Env({ interactive: false });
      const out = await env.host(new SshHost(set.sshOptions(m))).run(sh`test -e ~/state`, {
        noThrow: true,
      });
      assert.notEqual(out.code, 0, "the old state is gone");
    }
  },
});

Deno.test({
  name: `test machines: teardown leaves no namespace, process or state${suffix}`,
  ignore,
  async fn() {
    const set = await startMachines(2);
    const pids = set.machines.map((m) => m.initPid);
    const names = set.machines.map((m) => m.netns);
    await set.stop();
    const left = await listNetns();
    for (const name of names) assert.ok(!left.includes(name), `${name} removed`);
    for (const pid of pids) {
      await assert.rejects(Deno.stat(`/proc/${pid}`), Deno.errors.NotFound, `init ${pid} gone`);
    }
    await assert.rejects(Deno.stat(set.dir), Deno.errors.NotFound);
  },
});

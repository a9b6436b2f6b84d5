/**
 * Commands run through a session reuse its open connections: however many clients run
 * actions, the session's sshd sees one connection.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { SessionClient } from "../../src/cli/session/mod.ts";
import { REPO } from "../cli/helpers.ts";
import { deployer, Listener, Place } from "./_support.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

/** Established TCP connections to `port` on loopback (as `ss` reports them). */
async function connectionsTo(port: number): Promise<number> {
  const out = await new Deno.Command("ss", {
    args: ["-Htn", "state", "established", `( dport = :${port} )`],
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.trim()).length;
}

Deno.test("session: clients reuse the session's warm SSH connection", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  const [server] = ssh.servers;
  const setup = {
    hosts: [{ slug: "web1", address: server.address, port: server.port }],
    username: ssh.keyUser.name,
    keyFile: ssh.keyUser.keyFile,
    knownHostsFile: ssh.knownHostsFile,
  };
  await using place = await Place.create();
  const env = { DPL_TEST_SSH: JSON.stringify(setup) };
  await using listener = await Listener.start(
    place,
    `${REPO}tests/session/fixtures/ssh_tree.ts`,
    [],
    env,
  );
  assert.equal(await connectionsTo(server.port), 0); // opened lazily

  for (let i = 0; i < 3; i++) {
    const ran = await deployer(place, ["connect", "--", "hi"]);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /\[web1\] hi\n/);
    assert.equal(await connectionsTo(server.port), 1);
  }
  await using shell = await SessionClient.open(listener.socket);
  await shell.waitFor("Fleet > ");
  const from = shell.text.length;
  await shell.type("hi\r");
  await shell.waitFor(/\n1\n[\s\S]*Fleet > $/, from);
  assert.equal(await connectionsTo(server.port), 1);
});

/**
 * Choosing hosts and the recap, with the CLI as a subprocess: `--limit` in every role
 * (parallel nodes, plain nodes, HostSet commands), `--serial` batches, `--fail-fast`, the
 * per-host recap in host definition order, on LocalHost copies and real sshd servers.
 */
import assert from "node:assert/strict";
import { startSshServers } from "../../src/testing/mod.ts";
import { deno, FIXTURES } from "./helpers.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";

const FLEET = `${FIXTURES}fleet.ts`;

interface Event {
  type: string;
  host?: string;
  path?: string;
}

async function withLog(args: string[], env: Record<string, string> = {}) {
  await using scratch = await tempDir();
  const dir = scratch.path;
  const log = `${dir}/events.jsonl`;
  const out = await deno(FLEET, ["run", "--non-interactive", "--log", log, ...args], undefined, {
    DPL_TEST_DIR: dir,
    ...env,
  });
  const text = await Deno.readTextFile(log).catch(() => "");
  const events: Event[] = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { ...out, events };
}

function isolationEvents(events: Event[], action: string): string[] {
  return events.filter((e) => e.host && e.path?.endsWith(action) && e.type.startsWith("action."))
    .map((e) => `${e.type === "action.start" ? "+" : "-"}${e.host}`);
}

Deno.test("--limit: globs and ! choose hosts of a parallel node", async () => {
  const out = await withLog(["--limit", "web*,!web3", "--json", "--", "web.deploy"]);
  assert.equal(out.code, 0, out.stderr);
  const doc = JSON.parse(out.stdout);
  assert.deepEqual(Object.keys(doc.result), ["web1", "web2", "web4"]);
  assert.deepEqual(doc.hosts.map((h: { host: string }) => h.host), ["web1", "web2", "web4"]);
});

Deno.test("--limit: HostSet commands and plain nodes see only the chosen hosts", async () => {
  const all = await withLog(["--json", "--", "everywhere"]);
  assert.deepEqual(JSON.parse(all.stdout).result, ["web1", "web2", "web3", "web4", "db1"]);
  const some = await withLog(["--limit", "web2,db*", "--json", "--", "everywhere"]);
  assert.deepEqual(JSON.parse(some.stdout).result, ["web2", "db1"]);
  const db = await withLog(["--limit", "!db1", "--json", "--", "db.slugs"]);
  assert.equal(db.code, 0, db.stderr);
  assert.deepEqual(JSON.parse(db.stdout).result, []);
});

Deno.test("--limit matching no host is a usage error listing the hosts", async () => {
  const out = await withLog(["--limit", "nope*", "--", "web.deploy"]);
  assert.equal(out.code, 2);
  assert.match(
    out.stderr,
    /--limit "nope\*" matches none of the hosts: web1, web2, web3, web4, db1/,
  );
  assert.deepEqual(out.events, []);
  const typo = await withLog(["--limit", "web1,wbe2", "--", "web.deploy"]);
  assert.equal(typo.code, 0, typo.stderr);
  assert.match(typo.stderr, /Warning: --limit pattern wbe2 matches no host/);
});

Deno.test("--serial 2 runs the isolations two at a time, in host order", async () => {
  const all = await withLog(["--", "web.deploy"]);
  assert.deepEqual(isolationEvents(all.events, ".deploy").slice(0, 4), [
    "+web1",
    "+web2",
    "+web3",
    "+web4",
  ]);
  const out = await withLog(["--serial", "2", "--", "web.deploy"]);
  assert.equal(out.code, 0, out.stderr);
  const seen = isolationEvents(out.events, ".deploy");
  const firstBatch = seen.slice(0, 4).sort();
  assert.deepEqual(firstBatch, ["+web1", "+web2", "-web1", "-web2"]);
  assert.deepEqual(seen.slice(4).sort(), ["+web3", "+web4", "-web3", "-web4"]);
  const bad = await withLog(["--serial", "0", "--", "web.deploy"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--serial expects a positive integer/);
});

Deno.test("--fail-fast starts no host after a failure; the recap says skipped", async () => {
  const out = await withLog(["--serial", "1", "--fail-fast", "--", "web.failOn", "web2"]);
  assert.equal(out.code, 1, out.stderr);
  assert.deepEqual(isolationEvents(out.events, ".failOn"), ["+web1", "-web1", "+web2", "-web2"]);
  const recap = out.stderr.slice(out.stderr.indexOf("Recap of Fleet.web.failOn:"));
  const lines = recap.split("\n").slice(1, 5).map((l) => l.trim().split(/\s+/).slice(0, 2));
  assert.deepEqual(lines, [["web1", "ok"], ["web2", "failed"], ["web3", "skipped"], [
    "web4",
    "skipped",
  ]]);
  assert.match(recap, /web1 +ok +\d+\.\d s +fine on web1/);
  assert.match(recap, /web3 +skipped +- +Not started on host "web3": web2 failed \(--fail-fast\)/);
});

Deno.test(
  "recap over sshd servers: values of the hosts that succeeded, in host order",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const setup = JSON.stringify({
      servers: ssh.servers.map((s) => ({ slug: s.slug, address: s.address, port: s.port })),
      username: ssh.keyUser.name,
      keyFile: ssh.keyUser.keyFile,
      knownHostsFile: ssh.knownHostsFile,
    });
    const env = { DPL_TEST_SSH: setup };
    const out = await withLog(["--limit", "sshd*,web1", "--", "web.failOn", "sshd1"], env);
    assert.equal(out.code, 1, out.stderr);
    const recap = out.stderr.slice(out.stderr.indexOf("Recap of Fleet.web.failOn:"));
    const rows = recap.split("\n").slice(1, 4).map((l) => l.trim().split(/\s+/).slice(0, 2));
    assert.deepEqual(rows, [["web1", "ok"], ["sshd1", "failed"], ["sshd2", "ok"]]);
    assert.match(recap, /sshd2 +ok +\d+\.\d s +fine on sshd2/);
    assert.match(recap, /sshd1 +failed .*exit code 5/);
    const json = await withLog(["--limit", "sshd*", "--json", "--", "web.failOn", "sshd1"], env);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(
      doc.hosts.map((
        h: { host: string; status: string; value?: string },
      ) => [h.host, h.status, h.value]),
      [["sshd1", "failed", undefined], ["sshd2", "ok", "fine on sshd2"]],
    );
  },
);

Deno.test("--sandbox: the plan lists the hosts in definition order, whatever ran first", async () => {
  const out = await withLog(["--sandbox", "--json", "--", "web.webLast"]);
  assert.equal(out.code, 0, out.stderr);
  const hosts = JSON.parse(out.stdout).plan.map((p: { host: string }) => p.host);
  assert.deepEqual(hosts, ["web1", "web2", "web3", "web4"]);
});

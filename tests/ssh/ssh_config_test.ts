import assert from "node:assert/strict";
import {
  computeSshConfig,
  parseProxyJump,
  readSshConfigText,
  resolveSshConfig,
} from "../../src/host/ssh/ssh_config.ts";
import { resolveHops } from "../../src/host/ssh/resolve.ts";

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir();
  await Deno.mkdir(`${home}/.ssh/conf.d`, { recursive: true });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("resolveSshConfig maps HostName, Port, User, IdentityFile, ProxyJump, ConnectTimeout", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(
      `${home}/.ssh/config`,
      [
        "Host web",
        "  HostName 10.1.2.3",
        "  Port 2222",
        "  User deploy",
        "  IdentityFile ~/.ssh/id_web",
        "  IdentityFile %d/.ssh/id_%h_%r",
        "  ProxyJump bastion",
        "  ConnectTimeout 7",
        "  ForwardAgent yes",
        "Host *",
        "  User fallback",
        "  Port 22",
      ].join("\n"),
    );
    const values = await resolveSshConfig("web", { file: `${home}/.ssh/config`, home });
    assert.equal(values.hostName, "10.1.2.3");
    assert.equal(values.port, 2222);
    assert.equal(values.user, "deploy");
    assert.deepEqual(values.identityFiles, [
      `${home}/.ssh/id_web`,
      `${home}/.ssh/id_10.1.2.3_deploy`,
    ]);
    assert.equal(values.proxyJump, "bastion");
    assert.equal(values.connectTimeout, 7000);
    assert.equal(values.forwardAgent, true);
    const other = await resolveSshConfig("db", { file: `${home}/.ssh/config`, home });
    assert.equal(other.hostName, undefined);
    assert.equal(other.user, "fallback");
    assert.equal(other.port, 22);
  });
});

Deno.test("Include is followed: relative to ~/.ssh, globs, nested, in order", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(`${home}/.ssh/config`, "Include conf.d/*.conf\nHost *\n  User last\n");
    await Deno.writeTextFile(`${home}/.ssh/conf.d/10-a.conf`, "Host a\n  HostName a.example\n");
    await Deno.writeTextFile(
      `${home}/.ssh/conf.d/20-b.conf`,
      `Host b\n  Port 2200\nInclude ${home}/.ssh/nested\n`,
    );
    await Deno.writeTextFile(`${home}/.ssh/nested`, "Host c\n  User cuser\n");
    const text = await readSshConfigText({ file: `${home}/.ssh/config`, home });
    assert.ok(text.indexOf("a.example") < text.indexOf("2200"));
    const source = { file: `${home}/.ssh/config`, home };
    assert.equal((await resolveSshConfig("a", source)).hostName, "a.example");
    assert.equal((await resolveSshConfig("b", source)).port, 2200);
    assert.equal((await resolveSshConfig("c", source)).user, "cuser");
    assert.equal((await resolveSshConfig("a", source)).user, "last");
  });
});

Deno.test("a missing config gives empty values; ProxyJump none is ignored", async () => {
  const values = await resolveSshConfig("x", { file: "/nonexistent/config", home: "/tmp" });
  assert.deepEqual(values, { identityFiles: [] });
  const none = computeSshConfig("Host x\n  ProxyJump none\n", "x", "/home/u");
  assert.equal(none.proxyJump, undefined);
});

Deno.test("parseProxyJump splits user, host, port and IPv6", () => {
  assert.deepEqual(parseProxyJump("alice@jump1:2222, jump2,ssh://bob@[::1]:22"), [
    { host: "jump1", port: 2222, user: "alice" },
    { host: "jump2", user: undefined },
    { host: "::1", port: 22, user: "bob" },
  ]);
});

Deno.test("resolveHops: explicit options win over the config; ProxyJump adds hops", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(
      `${home}/.ssh/config`,
      [
        "Host app",
        "  HostName 127.0.0.9",
        "  Port 2201",
        "  User cfguser",
        "  ProxyJump jumper@bastion:2300",
        "Host bastion",
        "  HostName 127.0.0.8",
      ].join("\n"),
    );
    const base = {
      slug: "app",
      address: "app",
      configFile: `${home}/.ssh/config`,
      agent: false,
      hostKeyPolicy: "strict" as const,
      keepaliveInterval: 1000,
      knownHostsFiles: [`${home}/kh`],
    };
    const hops = await resolveHops(base);
    assert.equal(hops.length, 2);
    assert.deepEqual([hops[0].address, hops[0].port, hops[0].auth.username], [
      "127.0.0.8",
      2300,
      "jumper",
    ]);
    assert.deepEqual([hops[1].address, hops[1].port, hops[1].auth.username], [
      "127.0.0.9",
      2201,
      "cfguser",
    ]);
    assert.equal(hops[1].hostKey.appendTo, `${home}/kh`);
    const explicit = await resolveHops({ ...base, port: 2999, username: "me", proxyJump: "none" });
    assert.equal(explicit.length, 1);
    assert.deepEqual([explicit[0].port, explicit[0].auth.username], [2999, "me"]);
  });
});

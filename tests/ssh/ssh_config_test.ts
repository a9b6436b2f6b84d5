import assert from "node:assert/strict";
import {
  computeSshConfig,
  evaluateSshConfig,
  parseProxyJump,
  resolveSshConfig,
} from "../../src/host/ssh/ssh_config.ts";
import { parseSshConfigText } from "../../src/host/ssh/ssh_config_parse.ts";
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
      `Include ${home}/.ssh/nested\nHost b\n  Port 2200\n`,
    );
    await Deno.writeTextFile(`${home}/.ssh/nested`, "Host c\n  User cuser\n");
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

Deno.test("Include inside a Host block applies only when it matches; the block resumes after", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(`${home}/.ssh/inc`, "User included\nHost other\n  Port 2001\n");
    await Deno.writeTextFile(
      `${home}/.ssh/config`,
      "Host web\n  Include inc\n  Port 2002\nHost db\n  Include inc\n",
    );
    const source = { file: `${home}/.ssh/config`, home };
    const web = await resolveSshConfig("web", source);
    assert.deepEqual([web.user, web.port], ["included", 2002]);
    const other = await resolveSshConfig("other", source);
    assert.deepEqual([other.user, other.port], [undefined, undefined]);
  });
});

Deno.test("Include nested 16 levels is fine, 17 is an error naming file and line", async () => {
  await withHome(async (home) => {
    const ssh = `${home}/.ssh`;
    for (let i = 0; i < 17; i++) await Deno.writeTextFile(`${ssh}/c${i}`, `Include c${i + 1}\n`);
    await Deno.writeTextFile(`${ssh}/c16`, "Host *\n  Port 2016\n");
    assert.equal((await resolveSshConfig("x", { file: `${ssh}/c0`, home })).port, 2016);
    await Deno.writeTextFile(`${ssh}/c16`, "Include c17\n");
    await Deno.writeTextFile(`${ssh}/c17`, "Host *\n  Port 2017\n");
    await assert.rejects(
      resolveSshConfig("x", { file: `${ssh}/c0`, home }),
      (e: Error) =>
        e.name === "SshConfigError" &&
        e.message ===
          `${ssh}/c16 line 1: Include nested more than 16 levels deep (recursive Include?)`,
    );
  });
});

Deno.test("Host patterns: case-insensitive, ? is one character, negation, many stars", () => {
  const text = [
    "Host !bad*.example.com *.EXAMPLE.com",
    "  User wild",
    "Host web?",
    "  Port 2100",
    `Host ${"*".repeat(40)}z`,
    "  Port 2200",
  ].join("\n");
  assert.equal(computeSshConfig(text, "Web.Example.com", "/h").user, "wild");
  assert.equal(computeSshConfig(text, "bad1.example.com", "/h").user, undefined);
  assert.equal(computeSshConfig(text, "web1", "/h").port, 2100);
  assert.equal(computeSshConfig(text, "web", "/h").port, undefined);
  assert.equal(computeSshConfig(text, "a".repeat(80), "/h").port, undefined);
});

Deno.test("Match host/originalhost/user/all/final, first value wins, like ssh -G", () => {
  // `ssh -G -F <this> app` run as root prints: hostname 10.0.0.7, port 22, user deploy,
  // connecttimeout 90, identityfile ~/.ssh/a and %d/b_%h_%n (the second block matches in
  // the final pass only, once User is deploy).
  const text = [
    "Match originalhost app",
    "  HostName 10.0.0.7",
    "  IdentityFile ~/.ssh/a",
    "Match host 10.0.0.* !user root",
    "  Port 2300",
    "  IdentityFile %d/b_%h_%n",
    "Match final host 10.0.0.7",
    "  ConnectTimeout 1m30s",
    "Match all",
    "  Port 22",
    "  User deploy",
  ].join("\n");
  const v = evaluateSshConfig(parseSshConfigText(text, "m"), "app", "/home/u", "root");
  assert.equal(v.hostName, "10.0.0.7");
  assert.equal(v.port, 22);
  assert.equal(v.user, "deploy");
  assert.equal(v.connectTimeout, 90_000);
  assert.deepEqual(v.identityFiles, ["/home/u/.ssh/a", "/home/u/b_10.0.0.7_app"]);
  const other = evaluateSshConfig(parseSshConfigText(text, "m"), "app", "/home/u", "alice");
  assert.equal(other.port, 2300);
});

Deno.test("broken lines are SshConfigErrors naming file and line; unknown keywords are skipped", () => {
  const bad: [string, RegExp][] = [
    ["Host\n", /<text> line 1: Host needs at least one pattern/],
    ["Host a\n  Port 70000\n", /<text> line 2: bad Port "70000"/],
    ["# c\nMatch sometimes x\n", /<text> line 2: unknown Match criterion "sometimes"/],
    ["Host a\n  ConnectTimeout soon\n", /<text> line 2: bad ConnectTimeout "soon"/],
    ["\u0001\u0002garbage\n", /<text> line 1: not an SSH config line \(bad keyword "\\x1/],
    ["Host a\n  User x\u0000y\n", /<text> line 2: contains a NUL byte/],
  ];
  for (const [text, expected] of bad) {
    assert.throws(() => computeSshConfig(text, "a", "/h"), expected, JSON.stringify(text));
  }
  const ok = computeSshConfig(
    "SendEnv LANG\nHost a\n  ServerAliveInterval=30\n  User=u\n",
    "a",
    "/h",
  );
  assert.equal(ok.user, "u");
});

Deno.test("a 200,000-host config resolves every host from one parse", async () => {
  await withHome(async (home) => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      lines.push(
        `Host h${i}`,
        `  HostName 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
        `  Port ${1 + i % 60000}`,
      );
    }
    await Deno.writeTextFile(`${home}/.ssh/config`, lines.join("\n"));
    const source = { file: `${home}/.ssh/config`, home, memo: new Map<string, unknown>() };
    const last = await resolveSshConfig("h199999", source);
    assert.deepEqual([last.hostName, last.port], ["10.3.13.63", 1 + 199_999 % 60000]);
    assert.equal((await resolveSshConfig("h5", source)).hostName, "10.0.0.5");
  });
});

Deno.test("resolveHops: handshakeTimeout is 60 s, the connect timeout when longer, or given", async () => {
  const base = {
    slug: "t",
    address: "127.0.0.1",
    configFile: false as const,
    agent: false,
    hostKeyPolicy: "strict" as const,
    keepaliveInterval: 0,
  };
  const timeouts = async (extra: Record<string, number>) =>
    (await resolveHops({ ...base, ...extra })).map((h) => [h.connectTimeout, h.handshakeTimeout]);
  assert.deepEqual(await timeouts({}), [[10_000, 60_000]]);
  assert.deepEqual(await timeouts({ connectTimeout: 90_000 }), [[90_000, 90_000]]);
  assert.deepEqual(await timeouts({ handshakeTimeout: 5000 }), [[10_000, 5000]]);
});

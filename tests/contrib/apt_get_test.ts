import assert from "node:assert/strict";
import { child, Env, LocalHost, Node } from "../../mod.ts";
import { AptGet } from "../../src/contrib/mod.ts";

// Nothing here really installs: every run is a sandbox (commands are only syntax-checked).

class Root extends Node {
  static override hosts = { web: [new LocalHost({ slug: "a1" }), new LocalHost({ slug: "a2" })] };
  apt = child(AptGet, {
    roles: { host: "web" },
    set: {
      packages: ["git", "python3-venv", "evil; rm -rf /"],
      packagesIfAvailable: ["maybe-pkg"],
      dpkgPackages: ["https://example.org/pool/tool_1.0_amd64.deb"],
      extraSources: {
        "deployer-test-src": ["deb http://example.org/debian {distroCodename} main"],
      },
    },
  });
}

function planOf(env: Env, host: string): string[] {
  return env.plan().filter((e) => e.host === host).map((e) => e.command);
}

Deno.test("AptGet.install plans one quoted apt-get install per host, with sudo", async () => {
  await using env = new Env({ interactive: false, sandbox: true });
  await env.bind(Root).apt.install();
  for (const host of ["a1", "a2"]) {
    assert.deepEqual(planOf(env, host), [
      "(sudo) apt-get install -yq 'git' 'python3-venv' 'evil; rm -rf /'",
      "(sudo) apt-get install -yq 'maybe-pkg'",
      "(sudo) wget 'https://example.org/pool/tool_1.0_amd64.deb' --output-document " +
      "'/tmp/tool_1.0_amd64.deb'",
      "(sudo) dpkg -i '/tmp/tool_1.0_amd64.deb'",
    ]);
  }
});

Deno.test("AptGet.install(false) updates first; setup adds sources, updates and installs", async () => {
  await using env = new Env({ interactive: false, sandbox: true });
  const root = env.bind(Root);
  await root.apt.install(false);
  assert.equal(planOf(env, "a1")[0], "(sudo) apt-get update");

  await using env2 = new Env({ interactive: false, sandbox: true });
  await env2.bind(Root).apt.setup();
  const plan = planOf(env2, "a2");
  assert.deepEqual(plan.slice(0, 3), [
    "(sudo) write file /etc/apt/sources.list.d/deployer-test-src.list",
    "(sudo) apt-get update",
    "(sudo) apt-get install -yq 'git' 'python3-venv' 'evil; rm -rf /'",
  ]);
  await assert.rejects(
    Deno.stat("/etc/apt/sources.list.d/deployer-test-src.list"),
    Deno.errors.NotFound,
  );
});

Deno.test("AptGet.addSources refuses a slug that is not a file name", async () => {
  await using env = new Env({ interactive: false, sandbox: true });
  await assert.rejects(
    env.bind(Root).apt.addSources("../../etc/passwd", ["deb x"]),
    /Invalid sources slug/,
  );
  assert.deepEqual(env.plan(), []);
});

Deno.test("AptGet.isPackageAvailable asks apt-cache (read only, even in the sandbox)", async () => {
  await using env = new Env({ interactive: false, sandbox: true });
  const result = await env.bind(Root).apt.isPackageAvailable("no-such-package-deployer-xyz");
  assert.deepEqual(result.toJSON(), { a1: false, a2: false });
});

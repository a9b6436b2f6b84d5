import assert from "node:assert/strict";
import { Env, LocalHost, SshHost } from "../mod.ts";
import type { Host } from "../src/host/mod.ts";
import { DjangoDeployment } from "../examples/django_deployment.ts";
import { startSshServers } from "../src/testing/sshd.ts";
import { tempHome } from "./_support/home.ts";
import { NEEDS_SSH } from "./_support/needs.ts";

/** The deployment under test: everything below a temporary directory, a unique program. */
function deploymentIn(dir: string, name: string) {
  return class TestDeployment extends DjangoDeployment {
    override name = name;
    override repository = "https://example.org/shop.git";
    override home = dir;
  };
}

/** What one host's plan must be (the first host also runs the migrations). */
function expectedPlan(dir: string, name: string, first: boolean): string[] {
  return [
    `git clone --recursive 'https://example.org/shop.git' '${dir}/code'`,
    "git fetch --all --prune --tags --force",
    "if git rev-parse -q --verify 'refs/remotes/origin/v1.2^{commit}' >/dev/null; " +
    "then git checkout -q -B 'v1.2' 'refs/remotes/origin/v1.2'; " +
    "else git checkout -q --detach 'v1.2^{commit}'; fi",
    "git submodule update --init",
    "git rev-parse HEAD",
    `python3 -m venv '--system-site-packages' '${dir}/env'`,
    `'${dir}/env/bin/pip' install -q -r '${dir}/code/requirements.txt'`,
    `write file ${dir}/code/local_settings.py`,
    `(sudo) write file /etc/supervisor/conf.d/${name}.conf`,
    ...(first ? [`'${dir}/env/bin/python' manage.py 'migrate' '--noinput'`] : []),
    `'${dir}/env/bin/python' manage.py 'collectstatic' '--noinput'`,
    "(sudo) supervisorctl reread",
    "(sudo) supervisorctl update",
    `(sudo) supervisorctl restart '${name}'`,
  ];
}

async function assertSandboxDeploy(hosts: Host[]): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "django_example_" });
  await Deno.chmod(dir, 0o755); // the SSH test user sees that nothing is there
  const name = `deployer-test-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await using env = new Env({ interactive: false, sandbox: true });
    const deployment = env.bind(deploymentIn(dir, name), { hosts: { web: hosts } });
    await deployment.deploy("v1.2");
    hosts.forEach((host, i) => {
      const plan = env.plan().filter((e) => e.host === host.slug).map((e) => e.command);
      assert.deepEqual(plan, expectedPlan(dir, name, i === 0), `plan of ${host.slug}`);
    });
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), [], "nothing was written");
    await assert.rejects(Deno.stat(`/etc/supervisor/conf.d/${name}.conf`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the Django deployment plans the same steps on every host (local hosts)", async () => {
  await assertSandboxDeploy([new LocalHost({ slug: "dj1" }), new LocalHost({ slug: "dj2" })]);
});

Deno.test("the Django deployment plans the same steps on two SSH servers", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(2);
  const { keyUser, knownHostsFile } = ssh;
  const hosts = ssh.servers.map((server) =>
    new SshHost({
      slug: server.slug,
      address: server.address,
      port: server.port,
      username: keyUser.name,
      keyFile: keyUser.keyFile,
      knownHostsFiles: [knownHostsFile],
      configFile: false,
    })
  );
  await assertSandboxDeploy(hosts);
});

Deno.test("examples/django_deployment.ts runs in --sandbox and prints its plan", async () => {
  const script = new URL("../examples/django_deployment.ts", import.meta.url).pathname;
  await using home = await tempHome();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-run",
      "--allow-read",
      "--allow-env",
      script,
      "run",
      "--sandbox",
      "--non-interactive",
      "--",
      "production.deploy",
      "v2.0",
    ],
    env: home.env,
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  for (const host of ["web1", "web2"]) assert.match(stdout, new RegExp(host));
  assert.doesNotMatch(stdout, /staging1/);
  for (
    const command of [
      "then git checkout -q -B 'v2.0' 'refs/remotes/origin/v2.0'",
      "'/srv/django-project/env/bin/pip' install -q -r '/srv/django-project/code/requirements.txt'",
      "(sudo) write file /etc/supervisor/conf.d/django-project.conf",
      "(sudo) supervisorctl restart 'django-project'",
    ]
  ) {
    assert.ok(stdout.includes(command), `the plan shows ${command}\n${stdout}`);
  }
});

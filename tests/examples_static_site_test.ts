import assert from "node:assert/strict";

Deno.test("examples/static_site.ts runs in --sandbox and prints its plan", async () => {
  const script = new URL("../examples/static_site.ts", import.meta.url).pathname;
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
      "site.deploy",
    ],
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  for (const host of ["web1", "web2"]) {
    const plan = stdout.slice(stdout.indexOf(`  ${host}:`)).split("\n").slice(1, 8)
      .map((line) => line.trim().replace(/releases\/\d{17}/g, "releases/<id>"));
    assert.deepEqual(plan, [
      "(sudo) install -d -o 'deploy' -g 'deploy' '/srv/static-site' '/srv/static-site/releases'",
      "mkdir -p '/srv/static-site/releases/<id>'",
      "write file /srv/static-site/releases/<id>/index.html",
      "(sudo) write file /etc/nginx/sites-enabled/static-site",
      "(sudo) nginx -t -q",
      "ln -sfn '/srv/static-site/releases/<id>' '/srv/static-site/current.next' && " +
      "mv -T '/srv/static-site/current.next' '/srv/static-site/current'",
      "(sudo) nginx -s reload",
    ], `plan of ${host}\n${stdout}`);
  }
});

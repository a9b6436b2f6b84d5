// Naming a node on the command line runs its default action (python's callable nodes).
import assert from "node:assert/strict";
import { deployer, hasStackTrace } from "./helpers.ts";

const SCRIPT = "tests/cli/fixtures/callable.ts";

Deno.test("run: naming a parallel node runs its default action on every host", async () => {
  const out = await deployer(["run", SCRIPT, "--non-interactive", "--", "production.git"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "web1  clean on web1\nweb2  clean on web2\n");
});

Deno.test("run: naming one isolation runs the default action there", async () => {
  const out = await deployer(["run", SCRIPT, "--non-interactive", "--", "production.git[web2]"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "clean on web2\n");
});

Deno.test("run: the default action takes the arguments", async () => {
  const out = await deployer(["run", SCRIPT, "--non-interactive", "--", "production", "v2"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "deployed v2\n");
});

Deno.test("run: a node without a default action is a usage error naming its actions", async () => {
  const out = await deployer(["run", SCRIPT, "--non-interactive", "--", "plain"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /Root\.plain is a node without a default action \(actions of it: x\)/);
  assert.ok(!hasStackTrace(out.stderr), out.stderr);
});

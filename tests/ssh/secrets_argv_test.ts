/**
 * Secrets stay out of the host's process list: a `secret()` given to `env()`, to
 * `prefix()` or as an argument of the command's own shell text is in no process's command
 * line on the host while the command runs (`ps` / `/proc/*\/cmdline` show those to every
 * user). Sampled from outside, as another process on the host (this machine).
 */
import assert from "node:assert/strict";
import { Env, secret, sh } from "../../mod.ts";
import type { Host } from "../../src/host/mod.ts";
import type { LogEvent } from "../../src/exec/logging.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { processesWith } from "../_support/procs.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

function passwordHost(ssh: TestServers): Host {
  return keyHost(ssh, 0, {
    username: ssh.passwordUser.name,
    password: ssh.passwordUser.password,
    keyFile: undefined,
  });
}

async function sampleWhileRunning(host: Host, sudo: boolean): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deployer-secrets-" });
  await Deno.chmod(dir, 0o755);
  const flag = `${dir}/go`;
  const values = [1, 2, 3].map((i) => `s${i}-${crypto.randomUUID()}`);
  let running: () => void = () => {};
  const started = new Promise<void>((resolve) => (running = resolve));
  const logger = {
    log(event: LogEvent) {
      if (event.type === "command.output" && event.text.includes("running")) running();
    },
  };
  try {
    await using env = new Env({ interactive: false, loggers: [logger] });
    const handle = env.host(host);
    using _env = handle.env("TOKEN", secret(values[0]));
    using _prefix = handle.prefix(sh`P=${secret(values[1])}`);
    const run = sudo ? handle.sudo.bind(handle) : handle.run.bind(handle);
    const result = run(
      sh`X=${
        secret(values[2])
      }; echo running; while [ ! -e ${flag} ]; do sleep 0.05; done; printf '%s|' "$TOKEN" "$P" "$X" | wc -c`,
    );
    await started;
    let samples = 0;
    const hits = new Set<string>();
    for (; samples < 20; samples++) {
      for (const value of values) {
        for (const proc of await processesWith(value)) hits.add(proc.cmdline);
      }
    }
    await Deno.writeTextFile(flag, "");
    const { stdout } = await result;
    // Every secret reached the command.
    assert.equal(stdout.trim().split("\n").at(-1), String(values.join("|").length + 1));
    assert.deepEqual([...hits], [], `${samples} samples of /proc/*/cmdline`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("secrets: not in any command line on the host (ssh, no sudo)", NEEDS_SSH, async () => {
  await using ssh = await startSshServers(1);
  await sampleWhileRunning(keyHost(ssh), false);
});

Deno.test(
  "secrets: not in any command line on the host (ssh, passwordless sudo)",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await sampleWhileRunning(keyHost(ssh), true);
  },
);

Deno.test(
  "secrets: not in any command line on the host (ssh, sudo with a password)",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await sampleWhileRunning(passwordHost(ssh), true);
  },
);

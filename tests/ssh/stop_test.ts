/**
 * Stopping a command stops all of it on the host: a sudo'd command and its children
 * (which run as root, out of reach of the login user's signals) after a timeout or an
 * abort, with a passwordless and a password sudo, over SSH and locally. The processes are
 * looked for on the host (this machine) right after the command was reported stopped.
 */
import assert from "node:assert/strict";
import { CommandError, Env, LocalHost, sh } from "../../mod.ts";
import type { Host } from "../../src/host/mod.ts";
import type { LogEvent, Logger } from "../../src/exec/logging.ts";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { killAll, processesWith, uniqueSeconds, uniqueSleep } from "../_support/procs.ts";
import { sudoWorks } from "../_support/sudo.ts";
import { keyHost } from "./_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";
import { stopScript } from "../../src/host/_stop.ts";

/** Calls `onReady` when a command prints "ready"; keeps the end events. */
class Watch implements Logger {
  readonly ends: LogEvent[] = [];
  constructor(readonly onReady: () => void = () => {}) {}
  log(event: LogEvent): void {
    if (event.type === "command.output" && event.text.includes("ready")) this.onReady();
    if (event.type === "command.end") this.ends.push(event);
  }
}

/** `sh -c 'sleep N & sleep N & echo ready; wait'`: two children, one of them in the background. */
function hold(seconds: number) {
  return sh`sh -c ${`sleep ${seconds} & sleep ${seconds} & echo ready; wait`}`;
}

function passwordHost(ssh: TestServers): Host {
  return keyHost(ssh, 0, {
    username: ssh.passwordUser.name,
    password: ssh.passwordUser.password,
    keyFile: undefined,
  });
}

async function stopsEverything(
  host: Host,
  how: "timeout" | "abort",
  sudo: boolean,
): Promise<void> {
  const seconds = uniqueSeconds();
  const controller = new AbortController();
  let ready = false;
  const watch = new Watch(() => {
    ready = true;
    controller.abort();
  });
  try {
    await using env = new Env({ interactive: false, loggers: [watch] });
    const handle = env.host(host);
    const options = how === "timeout" ? { timeout: 2500 } : { signal: controller.signal };
    const error =
      await (sudo ? handle.sudo(hold(seconds), options) : handle.run(hold(seconds), options))
        .catch((e) => e);
    assert.ok(error instanceof CommandError, String(error));
    assert.match(error.message, how === "timeout" ? /timed out after 2500 ms/ : /aborted/);
    assert.ok(ready, "the command had started its children");
    const end = watch.ends.at(-1) as { stopped?: boolean; code: number | null };
    assert.equal(end.code, null);
    assert.equal(end.stopped, true, "the host confirmed the stop");
    // Reported stopped: nothing of it may be left, not even for a moment.
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  } finally {
    await killAll(`sleep ${seconds}`);
  }
}

for (const how of ["timeout", "abort"] as const) {
  Deno.test(
    `ssh stop (${how}): a sudo'd command and its children, passwordless sudo`,
    NEEDS_SSH,
    async () => {
      await using ssh = await startSshServers(1);
      await stopsEverything(keyHost(ssh), how, true);
    },
  );

  Deno.test(
    `ssh stop (${how}): a sudo'd command and its children, sudo with a password`,
    NEEDS_SSH,
    async () => {
      await using ssh = await startSshServers(1);
      await stopsEverything(passwordHost(ssh), how, true);
    },
  );

  Deno.test(`ssh stop (${how}): a command without sudo and its children`, NEEDS_SSH, async () => {
    await using ssh = await startSshServers(1);
    await stopsEverything(keyHost(ssh), how, false);
  });

  Deno.test({
    name: `local stop (${how}): a sudo'd command and its children`,
    ignore: !(await sudoWorks()),
    fn: () => stopsEverything(new LocalHost({ slug: "local1" }), how, true),
  });
}

Deno.test(
  "ssh stop: a command that ignores TERM is killed, and the stop still confirmed",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using sleeper = uniqueSleep();
    const { seconds } = sleeper;
    const controller = new AbortController();
    const watch = new Watch(() => controller.abort());
    await using env = new Env({ interactive: false, loggers: [watch] });
    const command =
      sh`sh -c ${`trap '' TERM; sleep ${seconds} & sleep ${seconds} & echo ready; wait`}`;
    const error = await env.host(keyHost(ssh)).sudo(command, { signal: controller.signal })
      .catch((e) => e);
    assert.ok(error instanceof CommandError, String(error));
    assert.equal((watch.ends.at(-1) as { stopped?: boolean }).stopped, true);
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
  },
);

/**
 * The stop script on this machine, against a session whose processes ignore TERM, with
 * `PATH` holding `sleep` and, per case, the real `awk`, none, or one that fails: each time
 * the session is killed and the script reports nothing left.
 */
for (const awk of ["real", "none", "failing"] as const) {
  Deno.test(`stop script (${awk} awk): a session ignoring TERM is listed and killed`, async () => {
    await using sleeper = uniqueSleep();
    const { seconds } = sleeper;
    await using binDir = await tempDir();
    const bin = binDir.path;
    await Deno.symlink(await which("sleep"), `${bin}/sleep`);
    if (awk === "real") await Deno.symlink(await which("awk"), `${bin}/awk`);
    if (awk === "failing") await Deno.writeTextFile(`${bin}/awk`, "#!/bin/sh\nexit 0\n");
    if (awk === "failing") await Deno.chmod(`${bin}/awk`, 0o755);
    const session = new Deno.Command("setsid", {
      args: ["sh", "-c", `trap '' TERM; sleep ${seconds} & echo ready; wait`],
      stdout: "piped",
    }).spawn();
    const reader = session.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", stopScript(session.pid, 200)],
      env: { PATH: bin },
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout), "left:\n");
    assert.deepEqual(await processesWith(`sleep ${seconds}`), []);
    await session.stdout.cancel();
    assert.equal((await session.status).signal, "SIGKILL");
  });
}

/** The path of a program on this machine's PATH. */
async function which(program: string): Promise<string> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${program}`] }).output();
  assert.ok(out.success, `${program} is not installed`);
  return new TextDecoder().decode(out.stdout).trim();
}

import type { SshHost } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { conformance, type ConformanceTarget } from "./conformance.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

/** Two servers, their key user logging in with `shell` (default: the test users' bash). */
async function servers(shell?: string): Promise<ConformanceTarget & AsyncDisposable> {
  const ssh = await startSshServers(2, { shell });
  const dir = await Deno.makeTempDir({ prefix: "deployer-sshconf-" });
  await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
  const hosts = [keyHost(ssh, 0), keyHost(ssh, 1)] as [SshHost, SshHost];
  return {
    hosts,
    dir,
    async [Symbol.asyncDispose]() {
      await ssh.stop();
      await new Deno.Command("rm", { args: ["-rf", dir] }).output();
    },
  };
}

// The key user of the test servers always has passwordless sudo.
conformance("SshHost", { sudo: true, ignore: NEEDS_SSH.ignore }, () => servers());

// A login shell that is /bin/sh itself: after the first command of a connection (the
// warm-up), commands go without the `sh -c` wrapper.
conformance(
  "SshHost (login shell /bin/sh)",
  { sudo: true, ignore: NEEDS_SSH.ignore, warmUp: true },
  () => servers("/bin/sh"),
);

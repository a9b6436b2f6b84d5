import type { SshHost } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { conformance } from "./conformance.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

// The key user of the test servers always has passwordless sudo.
conformance("SshHost", { sudo: true, ignore: NEEDS_SSH.ignore }, async () => {
  const ssh = await startSshServers(2);
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
});

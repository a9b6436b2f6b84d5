import { conformance } from "../host/conformance.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "./_setup.ts";

conformance("SshHost", async () => {
  const ssh = await startSshServers(2);
  const dir = await Deno.makeTempDir({ prefix: "deployer-ssh-conf-" });
  await Deno.chmod(dir, 0o777);
  await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
  return {
    hosts: [keyHost(ssh, 0), keyHost(ssh, 1)],
    dir,
    sudo: true,
    async [Symbol.asyncDispose]() {
      await new Deno.Command("rm", { args: ["-rf", dir] }).output();
      await ssh.stop();
    },
  };
});

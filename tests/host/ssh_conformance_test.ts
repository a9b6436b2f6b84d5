import { SshHost } from "../../mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { conformance } from "./conformance.ts";

conformance("SshHost", async () => {
  const ssh = await startSshServers(2);
  const user = ssh.keyUser;
  const dir = await Deno.makeTempDir({ prefix: "deployer-sshconf-" });
  await new Deno.Command("chown", { args: [user.name, dir] }).output();
  const hosts = ssh.servers.map((server) =>
    new SshHost({
      slug: server.slug,
      address: server.address,
      port: server.port,
      username: user.name,
      keyFile: user.keyFile,
      knownHostsFiles: [ssh.knownHostsFile],
      configFile: false,
      agent: false,
    })
  ) as [SshHost, SshHost];
  return {
    hosts,
    dir,
    sudo: true,
    async [Symbol.asyncDispose]() {
      await ssh.stop();
      await new Deno.Command("rm", { args: ["-rf", dir] }).output();
    },
  };
});

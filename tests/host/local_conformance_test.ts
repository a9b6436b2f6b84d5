import { LocalHost } from "../../mod.ts";
import { conformance } from "./conformance.ts";
import { sudoWorks } from "../_support/sudo.ts";

conformance("LocalHost", { sudo: await sudoWorks() }, async () => {
  const dir = await Deno.makeTempDir({ prefix: "deployer-conf-" });
  return {
    hosts: [new LocalHost({ slug: "local1" }), new LocalHost({ slug: "local2" })],
    dir,
    async [Symbol.asyncDispose]() {
      await new Deno.Command("rm", { args: ["-rf", dir] }).output();
    },
  };
});

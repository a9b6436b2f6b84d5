import assert from "node:assert/strict";
import { tempDir } from "../_support/home.ts";

const ROOT = new URL("../../", import.meta.url);

/**
 * Runs `code` in a fresh `deno run` (a temporary HOME) and returns what it printed. The code
 * can call `loaded()`: the npm packages loaded so far through Node's CommonJS loader.
 */
async function child(code: string): Promise<string> {
  await using homeDir = await tempDir("deployer_lazy_");
  const home = homeDir.path;
  const script = `${home}/main.ts`;
  await Deno.writeTextFile(
    script,
    `import Module from "node:module";
const loaded = () => [...new Set(Object.keys((Module as unknown as { _cache: object })._cache)
  .map((k) => /\\/npm\\/[^/]+\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k)?.[1]).filter(Boolean))];
${code}`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `--config=${new URL("deno.json", ROOT).pathname}`, script],
    env: { HOME: home, NO_COLOR: "1" },
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("start-up: importing mod.ts and defining SSH hosts does not load ssh2", async () => {
  const mod = new URL("mod.ts", ROOT).href;
  const printed = await child(`
import { Env, LocalHost, sh, SshHost } from "${mod}";
const hosts = [new SshHost({ address: "127.0.0.1", port: 1, configFile: false, agent: false })];
await using env = new Env({ interactive: false });
const result = await env.host(new LocalHost()).run(sh\`echo ran\`);
console.log(JSON.stringify({ out: result.stdout.trim(), hosts: hosts.length, loaded: loaded() }));
`);
  assert.deepEqual(JSON.parse(printed), { out: "ran", hosts: 1, loaded: [] });
});

Deno.test("start-up: connecting an SshHost loads ssh2 then", async () => {
  const mod = new URL("mod.ts", ROOT).href;
  const printed = await child(`
import { Env, sh, SshHost } from "${mod}";
import { startSilentServer } from "${new URL("src/testing/net.ts", ROOT).href}";
const before = loaded();
await using env = new Env({ interactive: false });
await using server = await startSilentServer();
const host = new SshHost({
  address: "127.0.0.1", port: server.port, configFile: false, agent: false, connectTimeout: 200,
});
const error = await env.host(host).run(sh\`true\`).then(() => undefined, (e) => e.name);
console.log(JSON.stringify({ before, error, after: loaded().includes("ssh2") }));
`);
  assert.deepEqual(JSON.parse(printed), { before: [], error: "ConnectionError", after: true });
});

import assert from "node:assert/strict";
import { child, Env, LocalHost, Node } from "../../mod.ts";
import type { Terminal } from "../../src/host/services.ts";
import { AnalyseHost, bashrcAppend, Connect, wget } from "../../src/contrib/mod.ts";
import { tempDir } from "../_support/home.ts";

const [h1, h2, h3] = ["m1", "m2", "m3"].map((slug) => new LocalHost({ slug }));

class Db extends Node {}
class Root extends Node {
  static override hosts = { web: [h1, h2], db: h3 };
  database = child(Db, { roles: { master: "db", backup: "web" } });
  analyse = child(AnalyseHost, { roles: { host: ["web", "db"] } });
  connect = child(Connect, { roles: { host: "db" } });
}

Deno.test("AnalyseHost lists the nodes and roles where each host appears", async () => {
  await using env = new Env({ interactive: false });
  const result = await env.bind(Root).analyse.analyse();
  const paths = (slug: string) => result.get(slug)!.map((a) => `${a.path} :: ${a.roles.join(",")}`);
  assert.deepEqual(paths("m1"), ["Root :: web", "Root.database :: backup", "Root.analyse :: host"]);
  assert.deepEqual(paths("m3"), [
    "Root :: db",
    "Root.database :: master",
    "Root.analyse :: host",
    "Root.connect :: host",
  ]);
});

Deno.test("wget and bashrcAppend quote their arguments", async () => {
  assert.equal(wget("https://x.org/a'b").text, `wget 'https://x.org/a'"'"'b'`);
  assert.equal(
    wget("https://x.org/a", "/tmp/a b").text,
    "wget 'https://x.org/a' --output-document '/tmp/a b'",
  );
  await using homeDir = await tempDir("contrib_bashrc_");
  const home = homeDir.path;
  await using env = new Env({ interactive: false });
  const host = env.host(new LocalHost());
  using _ = host.env("HOME", home);
  const line = `export PS1='\\u $(whoami)' # "quoted"`;
  await host.run(bashrcAppend(line));
  await host.run(bashrcAppend(line));
  await host.run(bashrcAppend("alias ll='ls -l'"));
  assert.equal(
    await Deno.readTextFile(`${home}/.bashrc`),
    `${line}\nalias ll='ls -l'\n`,
  );
});

/**
 * A terminal that records what is written to it and types `input` into whatever attaches
 * to it: at once, or when the output first matches `after`.
 */
function scriptedTerminal(input: string, after?: RegExp): Terminal & { output: () => string } {
  let output = "";
  let type: ((data: Uint8Array) => void) | undefined;
  const send = () => {
    const onInput = type;
    type = undefined;
    onInput?.(new TextEncoder().encode(input));
  };
  return {
    isTTY: true,
    term: "xterm",
    size: () => ({ cols: 80, rows: 24 }),
    attach(handlers) {
      type = handlers.onInput;
      if (!after) send();
      return () => (type = undefined);
    },
    write(data) {
      output += new TextDecoder().decode(data);
      if (after?.test(output)) send();
    },
    output: () => output,
  };
}

Deno.test("Connect.withHost opens a login shell with the initial input typed in", async () => {
  const terminal = scriptedTerminal("exit 3\n", /marker-42/);
  await using env = new Env({ interactive: false, terminal });
  class WithInput extends Connect {
    override initialInput = "unset HISTFILE; echo marker-$((6*7))\n"; // no history file
  }
  class Tree extends Node {
    static override hosts = { host: h3 };
    connect = child(WithInput);
  }
  const result = await env.bind(Tree).connect.withHost();
  assert.deepEqual(result.toJSON(), { m3: 3 });
  assert.match(terminal.output(), /marker-42/);
});

Deno.test("Connect.asRoot starts a root shell on one host", async () => {
  const terminal = scriptedTerminal("unset HISTFILE; echo uid-$(id -u); exit 5\n"); // root's HOME
  await using env = new Env({ interactive: false, terminal });
  const result = await env.bind(Root).connect.asRoot();
  assert.deepEqual(result.toJSON(), { m3: 5 });
  assert.match(terminal.output(), /uid-0/);
});

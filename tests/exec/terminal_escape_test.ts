// deno-lint-ignore-file no-control-regex -- the tests look for control characters
/**
 * The terminal is not an attack surface: hostile host slugs, node names, paths and
 * remote output reach the terminal view only as visible escapes.
 */
import assert from "node:assert/strict";
import { child, Env, LocalHost, Node, sh, SshHost } from "../../mod.ts";
import { TerminalLogger } from "../../src/exec/logging.ts";
import { formatError, formatResult } from "../../src/shell/format.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";

const TITLE = "\x1b]0;title\x07";
const CLEAR = "\x1b[2J";
const FORGED = "\r[web1] fake";
const HOSTILE = [TITLE, CLEAR, FORGED, "\nsecond line", "\x9b31m", "\x7f"].join("");

/** Every line must start with a prefix the logger wrote; nothing may move the cursor. */
function assertSafe(text: string, prefixes: string[], color: boolean): void {
  assert.ok(!text.includes("\r"), `a raw carriage return in ${JSON.stringify(text)}`);
  assert.ok(!/[\x80-\x9f\x7f]/.test(text), `a raw C1 or DEL in ${JSON.stringify(text)}`);
  const sequences = text.match(/\x1b[^]{0,12}/g) ?? [];
  for (const sequence of sequences) {
    if (!color) assert.fail(`an escape sequence without colours: ${JSON.stringify(sequence)}`);
    assert.match(sequence, /^\x1b\[[0-9;]*m/, "only colour (SGR) sequences");
  }
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  for (const line of plain.split("\n").slice(0, -1)) {
    assert.ok(
      prefixes.some((p) => line.startsWith(p)),
      `a line without a real prefix: ${JSON.stringify(line)}`,
    );
  }
}

Deno.test("terminal view: hostile slugs, node names, paths and local output stay escaped", async () => {
  await using scratch = await tempDir("deployer-escape-");
  const dir = scratch.path;
  const evil = new LocalHost({ slug: `web${TITLE}${CLEAR}\r[web1] fake\nx` });
  const web1 = new LocalHost({ slug: "web1" });
  class Leaf extends Node {
    async shout(): Promise<void> {
      await this.hosts.run(sh`printf '%s' ${HOSTILE}`);
      await this.hosts.run(sh`printf ${"out\x1b[31mred\n"}`);
      await this.hosts.at(1).writeFile(`${dir}/file${TITLE}`, "x");
      await this.hosts.at(1).run(sh`echo ${TITLE}; exit 3`);
    }
  }
  class Root extends Node {
    static override hosts = { host: [evil, web1] };
    "leaf\x1b[2J" = child(Leaf, { roles: { host: "host" } });
  }
  for (const color of [false, true]) {
    let text = "";
    await using env = new Env({
      interactive: false,
      loggers: [new TerminalLogger({ write: (t: string) => (text += t) }, { color })],
    });
    const leaf = env.bind(Root)["leaf\x1b[2J"];
    const error = await leaf.shout().then(() => undefined, (e) => e);
    assert.ok(error, "the last command fails");
    const evilPrefix = "[web\\x1b]0;title\\x07\\x1b[2J\\r[web1] fake\\nx] ";
    assertSafe(text, [evilPrefix, "[web1] ", "» "], color);
    // The hostile output is there, visibly.
    const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
    assert.match(plain, /^» Root\.leaf\\x1b\[2J\.shout\(\)$/m);
    assert.ok(plain.includes(`[web1] \\x1b]0;title\\x07\\x1b[2J\\r[web1] fake\n`));
    assert.ok(plain.includes(`[web1] second line\\u009b31m\\x7f\n`));
    assert.ok(plain.includes(`file\\x1b]0;title\\x07`));
    // Remote colours: kept (and reset at the end of the line) when colours are on.
    if (color) assert.ok(text.includes("out\x1b[31mred\x1b[0m\n"));
    else assert.ok(text.includes("[web1] outred\n"));
    // What the shell and the CLI print for the failure is escaped too.
    const shown = formatError(error);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(shown), JSON.stringify(shown));
    assert.ok(shown.includes("\\x1b]0;title\\x07"));
  }
  assert.equal(formatResult(`a${CLEAR}b\r\nc\n`), "a\\x1b[2Jb\r\nc\n");
});

Deno.test(
  "terminal view: the output of a remote command cannot forge a line or move the cursor",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    let text = "";
    await using env = new Env({
      interactive: false,
      loggers: [new TerminalLogger({ write: (t: string) => (text += t) }, { color: true })],
    });
    const server = keyHost(ssh);
    const host = env.host(new SshHost({ ...server.options, slug: `db${TITLE}` }));
    await host.run(sh`printf '%s' ${HOSTILE}; printf '\\033[1;32mgreen\\033[0m\\n\\033[3A'`);
    assertSafe(text, ["[db\\x1b]0;title\\x07] "], true);
    const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
    assert.ok(plain.includes("\\x1b]0;title\\x07\\x1b[2J\\r[web1] fake\n"), plain);
    assert.ok(plain.includes("\\x1b[3A\n"), "cursor movement escaped");
    assert.ok(text.includes("\x1b[1;32mgreen\x1b[0m"), "colours kept");
  },
);

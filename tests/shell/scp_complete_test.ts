/**
 * The SCP shell's completer as a pure function: commands, remote and local paths,
 * directories only for cd/lcd, hidden names, control characters, unreadable directories.
 */
import assert from "node:assert/strict";
import { type PathEntry, type Side } from "../../src/shell/scp/complete.ts";
import { completeScp } from "../../src/shell/scp/mod.ts";
import { SCP_COMPLETION } from "../../src/shell/scp/commands.ts";

const REMOTE: Record<string, PathEntry[]> = {
  ".": [
    { name: "site dir", isDir: true },
    { name: "site.conf", isDir: false },
    { name: ".hidden", isDir: false },
    { name: "evil\x1b[2J", isDir: false },
    { name: "-dash", isDir: false },
  ],
  "site dir/": [{ name: "index.html", isDir: false }, { name: "img", isDir: true }],
};
const LOCAL: Record<string, PathEntry[]> = {
  ".": [{ name: "upload me", isDir: true }, { name: "notes", isDir: false }],
};

const calls: [Side, string][] = [];
async function list(side: Side, dir: string): Promise<PathEntry[]> {
  calls.push([side, dir]);
  const entries = (side === "remote" ? REMOTE : LOCAL)[dir];
  if (!entries) throw new Error(`no such directory ${dir}`);
  return entries;
}

Deno.test("scp completer: command names", async () => {
  assert.deepEqual(await completeScp("l", SCP_COMPLETION, list), [
    ["lcd ", "lls ", "lpwd ", "ls ", "lstat ", "lview "],
    "l",
  ]);
  assert.deepEqual(await completeScp("", SCP_COMPLETION, list).then(([c]) => c.length), 17);
  assert.deepEqual(await completeScp("zz", SCP_COMPLETION, list), [[], "zz"]);
});

Deno.test("scp completer: remote paths, with spaces, nested, hidden only on a dot", async () => {
  calls.length = 0;
  assert.deepEqual(await completeScp("get si", SCP_COMPLETION, list), [
    ["site dir/", "site.conf"],
    "si",
  ]);
  assert.deepEqual(calls, [["remote", "."]]);
  assert.deepEqual(await completeScp("view site dir/i", SCP_COMPLETION, list), [
    ["site dir/img/", "site dir/index.html"],
    "site dir/i",
  ]);
  assert.deepEqual(await completeScp("get .", SCP_COMPLETION, list), [[".hidden"], "."]);
  assert.deepEqual(await completeScp("get -", SCP_COMPLETION, list), [["-dash"], "-"]);
  // A name with control characters is never offered.
  assert.deepEqual(await completeScp("get ev", SCP_COMPLETION, list), [[], "ev"]);
});

Deno.test("scp completer: cd offers directories only; lcd and put complete locally", async () => {
  assert.deepEqual(await completeScp("cd ", SCP_COMPLETION, list), [["site dir/"], ""]);
  calls.length = 0;
  assert.deepEqual(await completeScp("put u", SCP_COMPLETION, list), [["upload me/"], "u"]);
  assert.deepEqual(await completeScp("lcd ", SCP_COMPLETION, list), [["upload me/"], ""]);
  assert.deepEqual(calls, [["local", "."], ["local", "."]]);
});

Deno.test("scp completer: no path after commands without one, nothing from a missing dir", async () => {
  assert.deepEqual(await completeScp("pwd ", SCP_COMPLETION, list), [[], ""]);
  assert.deepEqual(await completeScp("get nowhere/x", SCP_COMPLETION, list), [[], "nowhere/x"]);
});

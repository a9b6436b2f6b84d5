/**
 * `deployer connect --panes` inside tmux: each isolation of a parallel action runs in a
 * pane of its own (python-deployer's "forking in another terminal").
 */
import assert from "node:assert/strict";
import { REPO } from "../cli/helpers.ts";
import { Listener, Place } from "./_support.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";

/** A tmux server of this test: run tmux commands on it, read panes, wait for text. */
class Tmux implements AsyncDisposable {
  readonly name = `deployer-panes-test-${crypto.randomUUID().slice(0, 8)}`;
  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", { args: ["-L", this.name, ...args] }).output();
    if (!out.success) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    return new TextDecoder().decode(out.stdout);
  }
  async panes(): Promise<string[]> {
    return (await this.run("list-panes", "-t", "s", "-F", "#{pane_id}")).trim().split("\n");
  }
  async capture(pane: string): Promise<string> {
    return await this.run("capture-pane", "-p", "-J", "-S", "-500", "-t", pane);
  }
  async waitFor(test: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async [Symbol.asyncDispose](): Promise<void> {
    const path = await this.run("display-message", "-p", "#{socket_path}").catch(() => "");
    await this.run("kill-server").catch(() => {});
    if (path.trim()) await Deno.remove(path.trim()).catch(() => {});
  }
}

Deno.test("session: --panes in tmux runs each isolation in its own pane", NEEDS_TMUX, async () => {
  await using place = await Place.create();
  await using listener = await Listener.start(place);
  await using tmux = new Tmux();
  const command = [Deno.execPath(), "run", "--quiet", "--no-lock", "--allow-all", `${REPO}cli.ts`]
    .concat(["connect", "--panes", "--socket", listener.socket]).map((a) => `'${a}'`).join(" ");
  const vars = Object.entries(place.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  await tmux.run(
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-s",
    "s",
    "-x",
    "160",
    "-y",
    "50",
    ...vars,
  );
  await tmux.run("send-keys", "-t", "s", "-l", `${command}; echo "connect exited with $?"`);
  await tmux.run("send-keys", "-t", "s", "Enter");
  const [main] = await tmux.panes();
  await tmux.waitFor(async () => /^Root > $/m.test(await tmux.capture(main)), "the prompt");

  await tmux.run("send-keys", "-t", main, "-l", "cells whoami");
  await tmux.run("send-keys", "-t", main, "Enter");
  await tmux.waitFor(
    async () => /^two +I am two\nRoot > $/m.test(await tmux.capture(main)),
    "the result",
  );
  const shell = await tmux.capture(main);
  assert.match(shell, /Forking Root\.cells\[one\]\.whoami in another pane/);
  assert.match(shell, /Forking Root\.cells\[two\]\.whoami in another pane/);
  assert.doesNotMatch(shell, /\[one\] \$ echo/); // the isolation's commands went to its pane

  const forked = (await tmux.panes()).filter((p) => p !== main);
  assert.equal(forked.length, 2);
  for (const pane of forked) {
    await tmux.waitFor(
      async () => (await tmux.capture(pane)).includes("[done]"),
      `the pane to finish: ${pane}`,
    ).catch(async (e) => {
      throw new Error(`${e.message}\n${await tmux.capture(pane)}`);
    });
  }
  const texts = await Promise.all(forked.map((p) => tmux.capture(p)));
  const one = texts.find((t) => t.includes("(one)"));
  const two = texts.find((t) => t.includes("(two)"));
  assert.ok(one && two, texts.join("\n----\n"));
  assert.match(one, /\[one\] \$ echo 'I am' 'one'\n\[one\] I am one/);
  assert.doesNotMatch(one, /\[two\]/);
  assert.match(two, /\[two\] I am two/);

  for (const pane of forked) await tmux.run("send-keys", "-t", pane, "Enter");
  await tmux.waitFor(async () => (await tmux.panes()).length === 1, "the panes to close");
  await tmux.run("send-keys", "-t", main, "-l", "exit");
  await tmux.run("send-keys", "-t", main, "Enter");
  await tmux.waitFor(
    async () => /^connect exited with 0$/m.test(await tmux.capture(main)),
    "connect to exit",
  );
});

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { ActionError, Console, Env, LocalHost, Node, sh } from "../../mod.ts";

class Flaky extends Node {
  static override hosts = { host: new LocalHost() };
  attempts = 0;
  async work(): Promise<string> {
    this.attempts++;
    await this.hosts.run(this.attempts === 1 ? sh`exit 5` : sh`true`);
    return `done after ${this.attempts}`;
  }
}

function interactiveConsole(keys: string[]): { console: Console; screen: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.on("data", (chunk) => {
    shown += chunk;
    // Answer each question once it is on screen. The prompt renders and then, in the same
    // synchronous step, starts listening for keys: the answer goes out on the next turn.
    if (keys.length && shown.includes("Continue?")) {
      const key = keys.shift()!;
      setTimeout(() => input.write(key), 0);
    }
  });
  return {
    console: new Console({ input, output, interactive: true, color: false }),
    screen: () => shown,
  };
}

Deno.test("an interactive failure offers Retry / Skip / Abort: Retry runs the action again", async () => {
  const { console, screen } = interactiveConsole(["\x1b[A\x1b[A\r"]);
  await using env = new Env({ console });
  const node = env.bind(Flaky);
  assert.equal(await node.work(), "done after 2");
  assert.match(screen(), /Flaky\.work failed\. Continue\?/);
  assert.match(screen(), /Retry/);
});

Deno.test("Skip makes the failed action return nothing", async () => {
  const { console } = interactiveConsole(["\x1b[A\r"]);
  await using env = new Env({ console });
  assert.equal(await env.bind(Flaky).work(), undefined);
});

Deno.test("Abort (the default) fails the action with the command's error", async () => {
  const { console } = interactiveConsole(["\r"]);
  await using env = new Env({ console });
  const error = await env.bind(Flaky).work().catch((e) => e);
  assert.ok(error instanceof ActionError);
  assert.match(error.message, /exit code 5/);
});

Deno.test("without a person, a failure aborts at once", async () => {
  await using env = new Env({ interactive: false });
  await assert.rejects(env.bind(Flaky).work(), ActionError);
});

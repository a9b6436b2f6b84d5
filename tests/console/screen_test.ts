/**
 * The console as the one owner of the terminal: questions one at a time, other output
 * held while one is open, the live line kept below log lines and naming what each host
 * does (checked on real sshd servers).
 */
import assert from "node:assert/strict";
import { Screen } from "../../src/console/mod.ts";
import { sh } from "../../src/command/sh.ts";
import { Env } from "../../src/exec/env.ts";
import { keyHost } from "../ssh/_setup.ts";
import { child, Node, ParallelNode } from "../../src/node/node.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { capturingConsole } from "../_support/consoles.ts";

Deno.test("questions come one at a time; the second waits for the first answer", async () => {
  const screen = new Screen(() => {}, { live: false });
  const order: string[] = [];
  const first = Promise.withResolvers<string>();
  const a = screen.ask(() => {
    order.push("a asked");
    return first.promise;
  });
  const b = screen.ask(() => {
    order.push("b asked");
    return Promise.resolve("b");
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(order, ["a asked"]);
  first.resolve("a");
  assert.deepEqual(await Promise.all([a, b]), ["a", "b"]);
  assert.deepEqual(order, ["a asked", "b asked"]);
});

Deno.test("a failed question lets the next one be asked, and a question inside one does not wait", async () => {
  const screen = new Screen(() => {}, { live: false });
  await assert.rejects(screen.ask(() => Promise.reject(new Error("no answer"))), /no answer/);
  assert.equal(await screen.ask(() => screen.ask(() => Promise.resolve(2))), 2);
});

Deno.test("questions of hosts name the host and share one terminal", async () => {
  const { console: console_, text } = capturingConsole();
  const answers = await Promise.all([
    console_.forHost("web1").input("Commit", { default: "a" }),
    console_.forHost("web2").confirm("Go on?", { default: true }),
  ]);
  assert.deepEqual(answers, ["a", true]);
  assert.equal(
    text(),
    "  [web1] Commit (default=a): [non interactive] a\n" +
      "  [web2] Go on? [y/n] (default=y): [non interactive] y\n",
  );
  assert.equal(console_.forHost("web1"), console_.forHost("web1"));
});

Deno.test("log lines go above the live line, which is redrawn after each", () => {
  const { console: console_, output, text } = capturingConsole({ tty: true });
  const progress = console_.parallelProgress(2, "deploy");
  progress.start("web1");
  const log = console_.writerFor((t) => void output.write(t));
  log.write("[web1] hello\n");
  assert.ok(
    text().endsWith(
      "\r\x1b[K[web1] hello\n\r\x1b[Kdeploy: 0/2 done, 0 failed, 1 running: web1 running",
    ),
    JSON.stringify(text()),
  );
  progress.close();
});

Deno.test("the live line is hidden while a question is open, and held lines follow the answer", async () => {
  const { console: console_, output, text } = capturingConsole({ tty: true });
  using progress = console_.parallelProgress(2, "deploy");
  progress.start("web1");
  const log = console_.writerFor((t) => void output.write(t));
  const opened = Promise.withResolvers<void>();
  const answer = Promise.withResolvers<void>();
  const question = console_.exclusive(async () => {
    output.write("QUESTION?");
    opened.resolve();
    await answer.promise;
    output.write(" yes\n");
  });
  await opened.promise;
  log.write("[web2] during\n");
  console_.hostPhase("web1", "authenticating");
  assert.ok(text().endsWith("\r\x1b[KQUESTION?"), JSON.stringify(text()));
  answer.resolve();
  await question;
  assert.ok(
    text().endsWith(
      "QUESTION? yes\n[web2] during\n\r\x1b[Kdeploy: 0/2 done, 0 failed, 1 running: " +
        "web1 authenticating",
    ),
    JSON.stringify(text()),
  );
});

class Probe extends ParallelNode {
  async hello(): Promise<string> {
    return (await this.host.run(sh`echo hi`)).stdout;
  }
}

Deno.test(
  "the live line shows SSH hosts connecting, authenticating, then running",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(2);
    const hosts = ssh.servers.map((_, index) => keyHost(ssh, index));
    class Root extends Node {
      static override hosts = { web: hosts };
      probe = child(Probe, { roles: { host: "web" } });
    }
    const { console: console_, text } = capturingConsole({ tty: true });
    await using env = new Env({ console: console_, askOnFailure: false });
    await env.bind(Root).probe.hello();
    for (const s of ssh.servers) {
      const connecting = text().indexOf(`${s.slug} connecting`);
      const authenticating = text().indexOf(`${s.slug} authenticating`);
      assert.ok(connecting >= 0 && authenticating > connecting, JSON.stringify(text()));
      assert.ok(text().indexOf(`${s.slug} running`, authenticating) > authenticating);
    }
  },
);

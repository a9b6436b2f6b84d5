/**
 * A command is reported (and so printed) when it starts, not while it waits for a slot:
 * the parallel limit of the Env, or a free channel under the host's `maxSessions`.
 */
import assert from "node:assert/strict";
import { sh } from "../../src/command/sh.ts";
import { Env } from "../../src/exec/env.ts";
import type { LogEvent, Logger } from "../../src/exec/logger.ts";
import type { Host } from "../../src/host/host.ts";
import { LocalHost } from "../../src/host/local.ts";
import { keyHost } from "../ssh/_setup.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { NEEDS_SSH } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";

/** Keeps events and tells when one matches. */
class Events implements Logger {
  readonly events: LogEvent[] = [];
  #waiters: { match: (e: LogEvent) => boolean; resolve: () => void }[] = [];
  log(event: LogEvent): void {
    this.events.push(event);
    this.#waiters = this.#waiters.filter((w) => !(w.match(event) && (w.resolve(), true)));
  }
  when(match: (e: LogEvent) => boolean): Promise<void> {
    if (this.events.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
  index(match: (e: LogEvent) => boolean): number {
    return this.events.findIndex(match);
  }
}

async function secondWaits(host: Host, env: Env, events: Events, dir: string): Promise<void> {
  const handle = env.host(host);
  const first = handle.run(
    sh`echo first-ready; while [ ! -e ${dir}/go ]; do sleep 0.05; done`,
  );
  const second = handle.run(sh`echo second`);
  // When an assertion below fails, closing the Env stops them: no unhandled rejection.
  first.catch(() => {});
  second.catch(() => {});
  await events.when((e) => e.type === "command.output" && e.text.includes("first-ready"));
  const isSecondStart = (e: LogEvent) => e.type === "command.start" && e.command === "echo second";
  // The first command runs and holds the only slot: the second is queued, not started.
  assert.equal(events.index(isSecondStart), -1, "the queued command was reported as started");
  await Deno.writeTextFile(`${dir}/go`, "");
  await Promise.all([first, second]);
  const firstEnd = events.index((e) => e.type === "command.end" && e.id === 1);
  assert.ok(events.index(isSecondStart) > firstEnd, "started after the first ended");
}

Deno.test("a command waiting for the parallel limit is printed when it starts", async () => {
  await using scratch = await tempDir();
  const dir = scratch.path;
  const events = new Events();
  await using env = new Env({ interactive: false, parallel: 1, loggers: [events] });
  await secondWaits(new LocalHost(), env, events, dir);
});

Deno.test(
  "a command waiting for a channel under maxSessions is printed when it starts",
  NEEDS_SSH,
  async () => {
    await using ssh = await startSshServers(1);
    await using scratch = await tempDir();
    const dir = scratch.path;
    await Deno.chmod(dir, 0o777); // the test user creates nothing there, but must see it
    const host = keyHost(ssh, 0, { maxSessions: 1 });
    const events = new Events();
    await using env = new Env({ interactive: false, loggers: [events] });
    await secondWaits(host, env, events, dir);
  },
);

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Console, ProgressBar, stripAnsi } from "../../src/console/mod.ts";

function capture(tty: boolean): { console_: Console; text: () => string } {
  const output = Object.assign(new PassThrough(), { isTTY: tty, columns: 80, rows: 24 });
  let text = "";
  output.on("data", (chunk) => (text += chunk));
  const console_ = new Console({
    input: new PassThrough(),
    output,
    interactive: tty,
    color: false,
  });
  return { console_, text: () => text };
}

const DURATION = String.raw`\d+:\d\d:\d\d`;

Deno.test("progress bar on a TTY redraws in place and ends with the final line", () => {
  const { console_, text } = capture(true);
  {
    using bar = console_.progressBar("Uploading", { expected: 4 });
    bar.setProgress(1);
    bar.setProgress(2);
  }
  const draws = text().split("\r\x1b[K").filter(Boolean);
  assert.match(
    draws[0],
    new RegExp(`^Uploading: 0/4 \\[0% completed\\]  \\[${DURATION}\\] \\[\\]$`),
  );
  assert.match(draws[1], /^Uploading: 1\/4 \[25% completed\]/);
  assert.match(draws[2], /^Uploading: 2\/4 \[50% completed\]/);
  assert.match(
    draws.at(-1)!,
    new RegExp(`^Uploading: 2/4 \\[50% completed\\]  \\[${DURATION}\\] \\[DONE\\]\\n$`),
  );
});

Deno.test("progress bar without expected shows ?? and the counter only", () => {
  const { console_, text } = capture(false);
  const bar = console_.progressBar("Files");
  bar.next();
  bar.next();
  bar.next();
  bar.done();
  bar.done();
  assert.match(text(), new RegExp(`^Files: 3 \\[${DURATION}\\] \\[DONE\\]\\n$`));
});

Deno.test("progress bar off a TTY writes only the final line; clearOnFinish writes nothing", () => {
  const plain = capture(false);
  const bar = plain.console_.progressBar("Copy", { expected: 2 });
  bar.next();
  assert.equal(plain.text(), "");
  bar.next();
  bar.done();
  assert.match(plain.text(), /^Copy: 2\/2 \[100% completed\] {2}\[\d+:\d\d:\d\d\] \[DONE\]\n$/);

  const cleared = capture(false);
  cleared.console_.progressBar("Copy", { expected: 2, clearOnFinish: true }).done();
  assert.equal(cleared.text(), "");

  const live = capture(true);
  live.console_.progressBar("Copy", { clearOnFinish: true }).done();
  assert.ok(live.text().endsWith("\r\x1b[K"));
  assert.ok(!live.text().includes("DONE"));
});

Deno.test("progress bar with steps shows the step description as status", () => {
  const { console_, text } = capture(true);
  const bar = console_.progressBarWithSteps("Deploy", { 1: "build", 2: "upload", 3: "restart" });
  bar.setProgress(1);
  bar.setProgress(2);
  assert.ok(text().includes("Deploy: 1/3 [33% completed]"));
  assert.match(text(), /Deploy: 2\/3 \[66% completed\] {2}\[\d+:\d\d:\d\d\] \[upload\]$/);
  bar.done();
  assert.ok(text().endsWith("[DONE]\n"));
});

Deno.test("progress bar accepts {name} and python %(name)s formats", () => {
  let text = "";
  const bar = new ProgressBar({
    write: (t) => (text += t),
    live: false,
    message: "m",
    expected: 10,
    format: "{message} %(counter)s of {expected} {percentage} {unknown}",
  });
  bar.setProgress(5);
  bar.done();
  assert.equal(text, "m 5 of 10 50% {unknown}\n");
  assert.throws(
    () => new ProgressBar({ write: () => {}, live: false, message: "m", expected: 1, steps: {} }),
    TypeError,
  );
});

Deno.test("parallel progress on a TTY is one live line, finished with a newline", () => {
  const { console_, text } = capture(true);
  const progress = console_.parallelProgress(3, "Root.deploy");
  progress.start("web1");
  progress.start("web2");
  progress.start("web3");
  progress.finish("web1", true);
  progress.finish("web2", false);
  progress.close();
  progress.close();
  const out = text();
  assert.ok(!out.slice(0, -1).includes("\n"), "only the final newline");
  // The live line names each running host and what it does.
  assert.ok(out.endsWith("\r\x1b[KRoot.deploy: 1/3 done, 1 failed, 1 running: web3 running\n"));
  assert.ok(out.startsWith("\r\x1b[KRoot.deploy: 0/3 done, 0 failed, 1 running: web1 running"));
});

Deno.test("parallel progress off a TTY writes one plain line per finished host", () => {
  const { console_, text } = capture(false);
  {
    using progress = console_.parallelProgress(2, "Root.deploy");
    progress.start("web1");
    progress.start("web2");
    progress.finish("web2", false);
    progress.finish("web1", true);
  }
  assert.equal(
    text(),
    "Root.deploy: host web2 done (failed)\nRoot.deploy: host web1 done (ok)\n",
  );
});

Deno.test("parallel progress colours failures when colours are on", () => {
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk) => (text += chunk));
  const console_ = new Console({
    input: new PassThrough(),
    output,
    interactive: false,
    color: true,
  });
  const progress = console_.parallelProgress(1);
  progress.finish("db", false);
  progress.close();
  assert.ok(text.includes("\x1b[31mfailed\x1b[0m"));
  assert.equal(stripAnsi(text), "hosts: host db done (failed)\n");
});

Deno.test("parallel progress on a TTY redraws a throttled update without waiting for close", async () => {
  const output = Object.assign(new PassThrough(), { isTTY: true });
  let text = "";
  const latest = "hosts: 0/3 done, 0 failed, 3 running: web1 running, web2 running, web3 running";
  const shown = new Promise<void>((resolve) => {
    output.on("data", (chunk) => {
      text += chunk;
      if (text.endsWith(latest)) resolve();
    });
  });
  const console_ = new Console({
    input: new PassThrough(),
    output,
    interactive: true,
    color: false,
  });
  using progress = console_.parallelProgress(3);
  progress.start("web1");
  progress.start("web2");
  progress.start("web3");
  await shown; // the timer draws the latest state even though no further event comes
  assert.ok(text.endsWith(`\r\x1b[K${latest}`));
});

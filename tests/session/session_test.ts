/**
 * Sessions over their socket: several shells on one `deployer listen`, each with its own
 * working node; actions run in the session; the listing; stale sockets.
 */
import assert from "node:assert/strict";
import { querySession, SessionClient } from "../../src/cli/session/mod.ts";
import { REPO } from "../cli/helpers.ts";
import { killAll, processesWith } from "../_support/procs.ts";
import { deployer, Listener, Place } from "./_support.ts";

/** Waits (at most 20 s) until `test` holds. */
async function until(test: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Types a line and waits for the next prompt; returns what the shell wrote meanwhile. */
async function line(client: SessionClient, text: string, prompt: string): Promise<string> {
  const from = client.text.length;
  await client.type(`${text}\r`);
  return await client.waitFor(new RegExp(`${prompt.replace(/[.[\]]/g, "\\$&")} $`), from);
}

Deno.test("session: two clients, each with its own working node", async () => {
  await using place = await Place.create();
  await using listener = await Listener.start(place);
  assert.equal(listener.socket, `${place.sessions}/${listener.process.pid}.sock`);
  assert.equal((await Deno.stat(place.sessions)).mode! & 0o777, 0o700);
  assert.equal((await Deno.stat(listener.socket)).mode! & 0o777, 0o600);
  assert.equal((await Deno.stat(`${listener.socket}.token`)).mode! & 0o777, 0o600);

  await using a = await SessionClient.open(listener.socket);
  await using b = await SessionClient.open(listener.socket);
  await a.waitFor("Root > ");
  await b.waitFor("Root > ");
  await line(a, "cd alpha", "Root.alpha >");
  await line(b, "cd beta", "Root.beta >");
  assert.match(await line(a, "pwd", "Root.alpha >"), /\/Root\.alpha\n/);
  assert.match(await line(b, "pwd", "Root.beta >"), /\/Root\.beta\n/);
  // Each client sees its own action's output, not the other's.
  const fromB = b.text.length;
  const ran = await line(a, "hello there", "Root.alpha >");
  assert.match(ran, /\[one\] hello there/);
  assert.match(ran, /\nhello there\n/);
  assert.doesNotMatch(b.text.slice(fromB), /hello there/);
  // Tab completion works over the socket.
  let from = b.text.length;
  await b.type("wh");
  await b.waitFor("wh", from);
  from = b.text.length;
  await b.type("\t");
  await b.waitFor("ere ", from);
  assert.match(await line(b, "", "Root.beta >"), /in beta/);

  // Each terminal's size is its own: `ls` lays out columns for it.
  const beforeResize = b.text.length;
  await b.resize(14, 24);
  await b.waitFor("Root.beta > ", beforeResize); // readline redraws the prompt
  assert.match(await line(b, "ls /", "Root.beta >"), /\n {2}alpha beta\n {2}cells\n/);
  assert.match(await line(a, "ls /", "Root.alpha >"), /alpha +beta +cells/);

  assert.equal((await querySession(listener.socket)).clients, 2);
  const listed = await deployer(place, ["sessions"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^PID +SOCKET +SCRIPT +STARTED +CLIENTS\n/);
  assert.match(
    listed.stdout,
    new RegExp(
      `^${listener.process.pid} +${listener.socket} +\\S*tree\\.ts +[-0-9]+ [0-9:]+ +2$`,
      "m",
    ),
  );

  from = a.text.length;
  await a.type("exit\r");
  await a.ended();
  assert.equal(a.code, 0);
  await b.close();
  const stopped = await listener.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  // The session removed its socket, token and record.
  assert.deepEqual([...Deno.readDirSync(place.sessions)], []);
});

Deno.test("session: Ctrl-C stops the action of its own client only", async () => {
  await using place = await Place.create();
  await using listener = await Listener.start(place);
  await using a = await SessionClient.open(listener.socket, { path: ["alpha"] });
  await using b = await SessionClient.open(listener.socket, { path: ["alpha"] });
  await a.waitFor("Root.alpha > ");
  await b.waitFor("Root.alpha > ");
  let from = a.text.length;
  await a.type("nap\r");
  await a.waitFor("$ sleep 60", from);
  from = b.text.length;
  await b.type("nap\r");
  await b.waitFor("$ sleep 60", from);
  from = a.text.length;
  await a.type("\x03");
  // Without the interrupt this waits out the minute of sleep and the wait times out.
  assert.match(await a.waitFor(/Root\.alpha > $/, from), /Interrupted|aborted/i);
  assert.doesNotMatch(b.text.slice(-30), /Root\.alpha > $/); // b's action still runs
  from = b.text.length;
  await b.type("\x03");
  await b.waitFor(/Root\.alpha > $/, from);
});

Deno.test("session: connect -- ACTION runs it in the session and exits with its code", async () => {
  await using place = await Place.create();
  await using listener = await Listener.start(place);
  const ok = await deployer(place, ["connect", "--", "alpha.hello", "world"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /\[one\] hello world\n/);
  assert.match(ok.stdout, /\nhello world\n$/);
  // deno-lint-ignore no-control-regex -- no escape sequence at all
  assert.doesNotMatch(ok.stdout, /\x1b/); // plain lines into a pipe
  const unknown = await deployer(place, ["connect", "--socket", listener.socket, "--", "nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stdout, /nope/);
});

Deno.test("session: a one-action client that goes away stops its action", async () => {
  await using place = await Place.create();
  await using _listener = await Listener.start(place);
  const seconds = `59.${Math.floor(Math.random() * 1e6)}`;
  const client = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", "--allow-all", `${REPO}cli.ts`, "connect", "--"]
      .concat(["alpha.napFor", seconds]),
    env: place.env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const sleeping = async () => (await processesWith(`sleep ${seconds}`)).length > 0;
  try {
    await until(sleeping, "the action's command to start");
    client.kill("SIGKILL");
    await client.status;
    await until(async () => !(await sleeping()), "the action's command to stop");
  } finally {
    await killAll(`sleep ${seconds}`);
  }
});

Deno.test("session: a stale socket is detected and removed; a live one is not taken", async () => {
  await using place = await Place.create();
  const first = await Listener.start(place);
  const socket = first.socket;
  // A second listen on the same socket is refused while the first one lives.
  const again = await deployer(place, ["listen", "--socket", socket]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /A session already listens on/);
  // Killed without cleaning up: socket, token and record stay behind.
  first.process.kill("SIGKILL");
  await first.stop();
  assert.ok((await Deno.lstat(socket)).isSocket);
  const listed = await deployer(place, ["sessions"]);
  assert.equal(listed.stdout, "No live sessions.\n");
  assert.deepEqual([...Deno.readDirSync(place.sessions)], []);
  // A stale socket at a given path is taken over by the next listen.
  const stale = Deno.listen({ transport: "unix", path: `${place.dir}/s.sock` });
  stale.close(); // leaves the file, nobody listening
  await using second = await Listener.start(place, undefined, ["--socket", `${place.dir}/s.sock`]);
  assert.equal(second.socket, `${place.dir}/s.sock`);
  assert.equal((await querySession(second.socket)).clients, 0);
});

/**
 * A client of another user is refused: it cannot reach the socket in the private
 * directory, and when the socket was made reachable by mistake, it cannot present the
 * session's token (a 0600 file of the session's user). The client runs as `nobody`.
 */
import assert from "node:assert/strict";
import { REPO } from "../cli/helpers.ts";
import { Listener, Place } from "./_support.ts";

const root = Deno.uid() === 0;
const setpriv = (() => {
  try {
    return Deno.statSync("/usr/bin/setpriv").isFile;
  } catch {
    return false;
  }
})();

/**
 * Runs a client as `nobody`, with a home and deno cache of its own: the real `connect`
 * client, or (`raw`) the protocol client, which does not check the socket's owner, so
 * the server's own check is what refuses it.
 */
async function connectAsNobody(
  scratch: string,
  socket: string,
  raw = false,
): Promise<{ code: number; err: string }> {
  const entry = `${scratch}/connect.ts`;
  const source = raw
    ? `import { SessionClient } from "file://${REPO}src/cli/session/client.ts";\n` +
      `const client = await SessionClient.open(${JSON.stringify(socket)}, ` +
      `{ action: ["alpha.hello", "x"] });\n` +
      `await client.ended();\n` +
      `console.log(client.text + (client.error ?? ""));\n` +
      `Deno.exit(client.code ?? 1);\n`
    : `import { connectTerminal } from "file://${REPO}src/cli/session/connect.ts";\n` +
      `const enc = new TextEncoder();\n` +
      `Deno.exit(await connectTerminal({ socket: ${JSON.stringify(socket)}, ` +
      `action: ["alpha.hello", "x"], err: (t) => Deno.stderr.writeSync(enc.encode(t)) }));\n`;
  await Deno.writeTextFile(entry, source, { mode: 0o644 });
  const out = await new Deno.Command("setpriv", {
    args: [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "--",
      Deno.execPath(),
      "run",
      "--quiet",
      "--no-lock",
      "--no-config",
      "--allow-all",
      entry,
    ],
    cwd: scratch,
    env: { HOME: `${scratch}/home`, DENO_DIR: `${scratch}/deno`, NO_COLOR: "1" },
    stdin: "null",
    clearEnv: true,
  }).output();
  return {
    code: out.code,
    err: new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout),
  };
}

Deno.test({
  name: "session: a client of another user is refused",
  ignore: !root || !setpriv,
  async fn() {
    await using place = await Place.create();
    const scratch = await Deno.makeTempDir({ prefix: "deployer-session-nobody-" });
    try {
      await Deno.chmod(scratch, 0o755);
      for (const dir of ["home", "deno", "shared"]) {
        await Deno.mkdir(`${scratch}/${dir}`);
        if (dir !== "shared") await Deno.chown(`${scratch}/${dir}`, 65534, 65534);
      }
      await Deno.chmod(`${scratch}/shared`, 0o755);

      // 1. The default place: a 0700 directory of the session's user.
      {
        await using listener = await Listener.start(place);
        await Deno.chmod(place.dir, 0o755); // only the session directory itself protects it
        const refused = await connectAsNobody(scratch, listener.socket);
        assert.equal(refused.code, 1);
        assert.match(refused.err, /Cannot connect to the session at .*Permission denied/i);
      }

      // 2. A socket the user made reachable by mistake: the token check refuses.
      {
        const socket = `${scratch}/shared/s.sock`;
        await using listener = await Listener.start(place, undefined, ["--socket", socket]);
        await Deno.chmod(socket, 0o666);
        // The real client does not even talk to a socket of another user...
        const careful = await connectAsNobody(scratch, socket);
        assert.equal(careful.code, 1);
        assert.match(careful.err, /the socket belongs to uid 0, not to you \(uid 65534\)/);
        // ...and the server refuses a client that does.
        const refused = await connectAsNobody(scratch, socket, true);
        const stopped = await listener.stop();
        assert.equal(refused.code, 1);
        assert.match(refused.err, /Refused: this session belongs to another user/);
        assert.doesNotMatch(refused.err, /hello/);
        assert.match(stopped.stderr, /Refused a client on .*s\.sock/);
      }
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  },
});

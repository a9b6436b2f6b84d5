/**
 * The SCP shell as a user drives it: `run --scp` in a real terminal (tmux) against a
 * real sshd, keys in, screen out, files checked on both sides.
 */
import assert from "node:assert/strict";
import { startSshServers, type TestServers } from "../../src/testing/mod.ts";
import { Terminal } from "./fixtures/tmux.ts";
import { NEEDS_SSH, NEEDS_TMUX } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";
import { denoLine, shellQuote } from "../_support/command_line.ts";

const FIXTURE = new URL("./fixtures/scp_tree.ts", import.meta.url).pathname;

/** Presses Tab once the typed text is on screen (readline ignores a Tab pasted with text). */
async function tab(terminal: Terminal, typed: string): Promise<void> {
  await terminal.waitFor(typed);
  await new Promise((r) => setTimeout(r, 100));
  await terminal.keys("Tab");
}

async function tree(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  const names = [...Deno.readDirSync(rel ? `${root}/${rel}` : root)].map((e) => e.name).sort();
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    const st = Deno.statSync(`${root}/${path}`);
    const mode = (st.mode! & 0o777).toString(8);
    if (st.isDirectory) out.push(`${path}/ ${mode}`, ...await tree(root, path));
    else out.push(`${path} ${mode} ${await Deno.readTextFile(`${root}/${path}`)}`);
  }
  return out;
}

/** An SCP test: one sshd server and the directories, in one temporary directory. */
interface ScpSetup extends AsyncDisposable {
  ssh: TestServers;
  server: TestServers["servers"][number];
  base: string;
  home: string;
  local: string;
  remote: string;
}

/**
 * Starts a server and makes the directories of an SCP test (HOME, the local side, the
 * remote side, which belongs to the test's key user); disposing removes both.
 */
async function scpSetup(): Promise<ScpSetup> {
  const ssh = await startSshServers(1);
  const base = await tempDir("deployer-scp-");
  const dispose = async () => {
    await base[Symbol.asyncDispose]();
    await ssh[Symbol.asyncDispose]();
  };
  try {
    const [home, local, remote] = ["home", "local", "remote"].map((d) => `${base.path}/${d}`);
    for (const d of [home, local, remote]) await Deno.mkdir(d);
    await Deno.chmod(base.path, 0o755);
    await new Deno.Command("chown", { args: ["-R", ssh.keyUser.name, remote] }).output();
    const server = ssh.servers[0];
    return { ssh, server, base: base.path, home, local, remote, [Symbol.asyncDispose]: dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Opens `run --scp` in the local directory, on the test's server, and waits for its prompt. */
function openScp(scp: ScpSetup, env: Record<string, string> = {}): Promise<Terminal> {
  const { ssh, server } = scp;
  const command = `cd ${shellQuote(scp.local)} && ${
    denoLine(["--allow-all"], FIXTURE, ["run", "--scp"])
  }`;
  return Terminal.open(command, {
    HOME: scp.home,
    TERM: "xterm-256color",
    DPL_SCP_SLUG: server.slug,
    DPL_SCP_ADDRESS: server.address,
    DPL_SCP_PORT: String(server.port),
    DPL_SCP_USER: ssh.keyUser.name,
    DPL_SCP_KEY: ssh.keyUser.keyFile!,
    DPL_SCP_KNOWN_HOSTS: ssh.knownHostsFile,
    ...env,
  }, `local:local ~ ${server.slug}:`);
}

Deno.test("scp shell: cd, completion, get and put of directories, edit, exit", {
  ignore: NEEDS_SSH.ignore || NEEDS_TMUX.ignore,
}, async () => {
  await using scp = await scpSetup();
  const { ssh, server, local, remote } = scp;
  const bin = `${scp.base}/bin`;
  await Deno.mkdir(bin);
  // The remote side: a directory with a hostile name inside, and a file to edit.
  await Deno.mkdir(`${remote}/site dir/sub`, { recursive: true });
  await Deno.writeTextFile(`${remote}/site dir/-index it's.html`, "<p>hi</p>");
  await Deno.writeTextFile(`${remote}/site dir/sub/run.sh`, "echo");
  await Deno.chmod(`${remote}/site dir/sub/run.sh`, 0o750);
  await Deno.writeTextFile(`${remote}/notes.txt`, "hello\n");
  await new Deno.Command("chown", { args: ["-R", ssh.keyUser.name, remote] }).output();
  // The local side: a directory to upload.
  await Deno.mkdir(`${local}/upload me/inner`, { recursive: true });
  await Deno.writeTextFile(`${local}/upload me/inner/data`, "payload");
  await Deno.chmod(`${local}/upload me/inner/data`, 0o604);
  // An editor that changes "hello" to "bye" (and leaves anything else as it is).
  await Deno.writeTextFile(`${bin}/editor`, "#!/bin/sh\nsed -i 's/hello/bye/' \"$1\"\n");
  await Deno.chmod(`${bin}/editor`, 0o755);

  await using terminal = await openScp(scp, { EDITOR: `${bin}/editor` });

  await terminal.enter(`cd ${remote}`);
  await terminal.waitFor(`local:local ~ ${server.slug}:remote > `);
  await terminal.enter("ls");
  await terminal.waitFor("site dir/");

  // Tab completes a remote path over SFTP (a name with a space, a directory).
  await terminal.type("get si");
  await tab(terminal, "get si");
  await terminal.waitFor("get site dir/");
  await terminal.keys("Enter");
  await terminal.waitFor(/Downloading site dir: \d+ KiB/);
  await terminal.waitFor(`${server.slug}:remote > `, { count: 3 });
  assert.deepEqual(await tree(`${local}/site dir`), await tree(`${remote}/site dir`));

  // A local path completes from the local directory; the directory goes up whole.
  await terminal.type("put up");
  await tab(terminal, "put up");
  await terminal.waitFor("put upload me/");
  await terminal.keys("Enter");
  await terminal.waitFor(`${server.slug}:remote > `, { count: 4 });
  assert.deepEqual(await tree(`${remote}/upload me`), await tree(`${local}/upload me`));
  const id = await new Deno.Command("id", { args: ["-u", ssh.keyUser.name], stdout: "piped" })
    .output();
  const uid = Number(new TextDecoder().decode(id.stdout).trim());
  assert.equal(Deno.statSync(`${remote}/upload me/inner/data`).uid, uid);

  // edit: the editor's change is written back; a second edit changes nothing.
  await terminal.enter("edit notes.txt");
  await terminal.waitFor("Written");
  assert.equal(await Deno.readTextFile(`${remote}/notes.txt`), "bye\n");
  const inode = Deno.statSync(`${remote}/notes.txt`).ino;
  await terminal.enter("edit notes.txt");
  await terminal.waitFor("unchanged, not written");
  assert.equal(Deno.statSync(`${remote}/notes.txt`).ino, inode);

  await terminal.enter("lpwd");
  await terminal.waitFor(`\n${local}\n`);
  await terminal.enter("stat notes.txt");
  await terminal.waitFor("st_mode:      100644");
  await terminal.enter("view notes.txt");
  await terminal.waitFor(/\nbye\n/);

  // connect: the login shell on the host, in the remote directory; back to the prompt after.
  await terminal.enter("connect");
  await terminal.waitFor(/\$ $/m); // the login shell's prompt: typed-ahead text may be lost
  await terminal.enter('echo "in:$(pwd)"; exit');
  await terminal.waitFor(`in:${remote}`);
  await terminal.waitFor(`${server.slug}:remote > `, { count: 10 });

  await terminal.enter("exit");
  await terminal.waitFor("scp fixture: runCli returned 0");
});

Deno.test("scp shell: Ctrl-C stops a put half-way and leaves nothing on the host", {
  ignore: NEEDS_SSH.ignore || NEEDS_TMUX.ignore,
}, async () => {
  await using scp = await scpSetup();
  const { server, local, remote } = scp;
  // A named pipe as the file: data arrives only when the test writes it.
  await new Deno.Command("mkfifo", { args: [`${local}/slow`] }).output();
  await using terminal = await openScp(scp);
  await terminal.enter(`cd ${remote}`);
  await terminal.waitFor(`${server.slug}:remote > `);
  await terminal.enter("put slow");
  const pipe = await Deno.open(`${local}/slow`, { write: true });
  try {
    await pipe.write(new Uint8Array(256 * 1024).fill(7));
    await terminal.waitFor(/Uploading slow: [1-9]\d* KiB/);
    await terminal.keys("C-c");
    // More data may follow; the reader may have closed the pipe already (then it breaks).
    await pipe.write(new Uint8Array(64 * 1024).fill(8)).catch((error) => {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    });
    await terminal.waitFor("Interrupted");
  } finally {
    pipe.close();
  }
  await terminal.waitFor(`${server.slug}:remote > `, { count: 2 });
  assert.deepEqual([...Deno.readDirSync(remote)], []);
  await terminal.enter("exit");
  await terminal.waitFor("scp fixture: runCli returned 0");
});

Deno.test(
  "shell: --scp asks for a host of the node, opens the SCP shell, exit returns",
  NEEDS_TMUX,
  async () => {
    await using homeDir = await tempDir("deployer-scp-home-");
    const home = homeDir.path;
    const tree = new URL("./fixtures/tree.ts", import.meta.url).pathname;
    const command = `cd ${shellQuote(home)} && ${denoLine(["--allow-all"], tree)}`;
    await using terminal = await Terminal.open(command, {
      HOME: home,
      TERM: "xterm-256color",
    }, /^Root > $/m);
    await terminal.enter("--scp web");
    await terminal.waitFor("Choose a host");
    await terminal.waitFor("two");
    await terminal.keys("Down"); // local, one, two: the second
    await terminal.keys("Enter");
    await terminal.waitFor(/local:deployer-scp-home-\S+ ~ one:\S+ > $/m);
    await terminal.enter("lpwd");
    await terminal.waitFor(`\n${home}\n`);
    await terminal.enter("exit");
    await terminal.waitFor(/^Root > $/m); // the first prompt has "--scp web" on it by now
  },
);

/**
 * Shared parts of the end-to-end tests: a git server for the machines (a bare repository
 * served by `git daemon` as `nobody` on the client address), HTTP checks with curl from the
 * client namespace, and the commands a real run executed, as a sandbox plan shows them.
 */
import { CLIENT_ADDRESS } from "../../src/testing/mod.ts";
import type { RecordingLogger } from "../../src/exec/logger.ts";
import { SshHost } from "../../mod.ts";
import type { TestMachines } from "../../src/testing/mod.ts";

const IDENTITY: Record<string, string> = {
  GIT_AUTHOR_NAME: "E2E",
  GIT_AUTHOR_EMAIL: "e2e@example.org",
  GIT_COMMITTER_NAME: "E2E",
  GIT_COMMITTER_EMAIL: "e2e@example.org",
};

/** The prefix of the temporary directories of test process `pid` (swept when it is gone). */
export function e2eTempPrefix(pid: number = Deno.pid): string {
  return `deployer_e2e_${pid}_`;
}

/** A temporary directory for `kind`, named so that `run.ts` removes it after a killed run. */
export async function e2eTempDir(kind: string): Promise<string> {
  return await Deno.makeTempDir({ prefix: `${e2eTempPrefix()}${kind}_` });
}

/** Runs a program; throws with its output when it fails. */
export async function run(program: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(program, { args, cwd, env: IDENTITY, stdin: "null" }).output();
  const decoder = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `${program} ${args.join(" ")} failed (${out.code}): ${decoder.decode(out.stderr)}`,
    );
  }
  return decoder.decode(out.stdout).trim();
}

/** A repository the machines clone from `git://127.1.0.1:<port>/<name>.git`. */
export interface GitServer extends AsyncDisposable {
  /** The URL the machines use. */
  url: string;
  /** The working copy commits are made in (then pushed to the served repository). */
  work: string;
  /** Changes files of the working copy, commits and pushes; resolves to the new SHA. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  /** Runs git in the working copy (e.g. `tag`, then `push()` it). */
  git(...args: string[]): Promise<string>;
  /** Pushes every branch and tag (forced) to the served repository. */
  push(): Promise<void>;
}

/**
 * Serves a copy of the directory `source` (committed on `main`) over `git daemon` at
 * `address:port` (default: the client address, port 9418).
 */
export async function serveGit(
  source: string,
  name: string,
  { address = CLIENT_ADDRESS, port = 9418 }: { address?: string; port?: number } = {},
): Promise<GitServer> {
  const dir = await e2eTempDir("git");
  await Deno.chmod(dir, 0o755);
  const work = `${dir}/work`;
  const bare = `${dir}/repos/${name}.git`;
  await run("cp", ["-r", source, work]);
  const git = (...args: string[]) => run("git", ["-c", "safe.directory=*", ...args], work);
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("commit", "-q", "-m", "first version");
  await Deno.mkdir(`${dir}/repos`);
  await run("git", ["clone", "-q", "--bare", work, bare]);
  await git("remote", "add", "served", bare);
  const chown = () => run("chown", ["-R", "nobody:nogroup", `${dir}/repos`]);
  await chown();
  const daemon = new Deno.Command("setpriv", {
    args: [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "--pdeathsig",
      "KILL",
      "git",
      "daemon",
      "--verbose",
      "--reuseaddr",
      "--export-all",
      `--listen=${address}`,
      `--port=${port}`,
      `--base-path=${dir}/repos`,
      `${dir}/repos`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = daemon.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("Ready to rumble")) {
    const next = await reader.read();
    if (next.done) throw new Error(`git daemon did not start: ${seen}`);
    seen += next.value;
  }
  const drain = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe drained */ }
  })();
  const push = async () => {
    await run("chown", ["-R", "root:root", `${dir}/repos`]); // git refuses others' repositories
    await git("push", "-q", "--force", "served", "--all");
    await git("push", "-q", "--force", "served", "--tags");
    await chown();
  };
  return {
    url: `git://${address}:${port}/${name}.git`,
    work,
    git,
    push,
    async commit(files, message) {
      for (const [path, text] of Object.entries(files)) {
        await Deno.writeTextFile(`${work}/${path}`, text);
      }
      await git("commit", "-q", "-am", message);
      await push();
      return await git("rev-parse", "HEAD");
    },
    async [Symbol.asyncDispose]() {
      daemon.kill("SIGTERM");
      await daemon.status;
      await drain;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** `curl` from the client namespace: the status code and body of `url`. */
export async function curl(url: string): Promise<{ status: number; body: string }> {
  const out = await new Deno.Command("curl", {
    args: ["-sS", "-m", "10", "-w", "\n%{http_code}", url],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const cut = text.lastIndexOf("\n");
  return { status: Number(text.slice(cut + 1)) || 0, body: text.slice(0, cut) };
}

/**
 * Waits until `url` answers 200 with a body that includes `text` (a reload or restart takes
 * effect asynchronously); throws with the last answer after `timeoutMs`.
 */
export async function waitForPage(url: string, text: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = { status: 0, body: "" };
  while (Date.now() < deadline) {
    last = await curl(url);
    if (last.status === 200 && last.body.includes(text)) return last.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not serve "${text}": last answer ${last.status} ${last.body}`);
}

/** The commands and file writes of a real run, per host, written as a sandbox plan shows them. */
export function executed(logger: RecordingLogger, host: string): string[] {
  const lines: string[] = [];
  for (const event of logger.events) {
    if (event.host !== host) continue;
    if (event.type === "command.start") {
      lines.push(`${event.sudo ? "(sudo) " : ""}${event.command}`);
    }
    if (event.type === "file" && event.operation === "write") {
      lines.push(`${event.sudo ? "(sudo) " : ""}write file ${event.path}`);
    }
  }
  return lines;
}

/** One `SshHost` per machine, logging in as `deploy`, with its slug. */
export function machineHosts(set: TestMachines, slugs: string[]): SshHost[] {
  return set.machines.map((machine, i) => new SshHost(set.sshOptions(machine, { slug: slugs[i] })));
}

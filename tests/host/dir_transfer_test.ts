/**
 * `putDir` / `getDir` on LocalHost and SshHost (real sshd), over tar and over SFTP:
 * hostile names and modes survive a round trip, an existing directory is replaced only
 * when the new one is complete, and a failure in the middle leaves no temporary directory.
 */
import assert from "node:assert/strict";
import { Env, LocalHost } from "../../mod.ts";
import type { Host } from "../../src/host/mod.ts";
import { startSshServers } from "../../src/testing/mod.ts";
import { keyHost } from "../ssh/_setup.ts";
import { NEEDS_SSH } from "../_support/needs.ts";

interface Target extends AsyncDisposable {
  host: Host;
  /** A directory the host's user may write. */
  dir: string;
  /** Whether the host's user is not root (files of mode 000 are unreadable to it). */
  unprivileged: boolean;
}

const kinds: [string, () => Promise<Target>][] = [
  ["LocalHost", async () => {
    const dir = await Deno.makeTempDir({ prefix: "deployer-dir-" });
    return {
      host: new LocalHost({ slug: "local1" }),
      dir,
      unprivileged: false,
      [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
    };
  }],
  ["SshHost", async () => {
    const ssh = await startSshServers(1);
    const dir = await Deno.makeTempDir({ prefix: "deployer-dir-" });
    await new Deno.Command("chown", { args: [ssh.keyUser.name, dir] }).output();
    return {
      host: keyHost(ssh),
      dir,
      unprivileged: true,
      async [Symbol.asyncDispose]() {
        await ssh.stop();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }],
];

const HOSTILE = ["with space", "it's", 'dq"uote', "new\nline", "-leading", "ünï cödé", "$(x)"];

/** A source tree with hostile names, odd modes and a nested read-only directory. */
async function makeTree(root: string): Promise<void> {
  await Deno.mkdir(root, { mode: 0o750 });
  await Deno.chmod(root, 0o750);
  for (const [i, name] of HOSTILE.entries()) {
    await Deno.writeTextFile(`${root}/${name}`, `content ${i}\n`);
    await Deno.chmod(`${root}/${name}`, 0o640);
  }
  await Deno.mkdir(`${root}/-sub dir/deep`, { recursive: true });
  await Deno.writeTextFile(`${root}/-sub dir/deep/run.sh`, "#!/bin/sh\necho hi\n");
  await Deno.chmod(`${root}/-sub dir/deep/run.sh`, 0o751);
  await Deno.writeFile(`${root}/-sub dir/empty`, new Uint8Array());
  await Deno.chmod(`${root}/-sub dir/empty`, 0o400);
  await Deno.chmod(`${root}/-sub dir/deep`, 0o555);
}

/** Every entry below `root`: path, kind, permission bits and content. */
async function snapshot(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  const here = rel ? `${root}/${rel}` : root;
  const names = [...Deno.readDirSync(here)].map((e) => e.name).sort();
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    const st = Deno.lstatSync(`${root}/${path}`);
    const mode = (st.mode! & 0o7777).toString(8);
    if (st.isDirectory) {
      out.push(`${JSON.stringify(path)} dir ${mode}`, ...await snapshot(root, path));
    } else {
      const text = await Deno.readTextFile(`${root}/${path}`);
      out.push(`${JSON.stringify(path)} file ${mode} ${JSON.stringify(text)}`);
    }
  }
  return out;
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

for (const [kind, setup] of kinds) {
  for (const via of ["tar", "sftp"] as const) {
    Deno.test(
      `${kind} (${via}): putDir and getDir keep hostile names and modes`,
      kind === "SshHost" ? NEEDS_SSH : {},
      async () => {
        await using target = await setup();
        await using env = new Env({ interactive: false });
        const host = env.host(target.host);
        const local = await Deno.makeTempDir({ prefix: "deployer-dir-local-" });
        try {
          await makeTree(`${local}/src`);
          const expected = await snapshot(`${local}/src`);
          let progress = 0;
          await host.putDir(`${local}/src`, `${target.dir}/up`, {
            via,
            onProgress: (done) => void (progress = done),
          });
          assert.ok(progress > 0);
          assert.deepEqual(await snapshot(`${target.dir}/up`), expected);
          assert.equal(Deno.statSync(`${target.dir}/up`).mode! & 0o7777, 0o750);
          await host.getDir(`${target.dir}/up`, `${local}/down`, { via });
          assert.deepEqual(await snapshot(`${local}/down`), expected);
          assert.equal(Deno.statSync(`${local}/down`).mode! & 0o7777, 0o750);
          assert.deepEqual(names(target.dir), ["up"]);
          assert.deepEqual(names(local), ["down", "src"]);
        } finally {
          await Deno.remove(local, { recursive: true });
        }
      },
    );

    Deno.test(
      `${kind} (${via}): an existing directory is replaced, not merged`,
      kind === "SshHost" ? NEEDS_SSH : {},
      async () => {
        await using target = await setup();
        await using env = new Env({ interactive: false });
        const host = env.host(target.host);
        const local = await Deno.makeTempDir({ prefix: "deployer-dir-local-" });
        try {
          await makeTree(`${local}/src`);
          await host.run(
            `mkdir -p '${target.dir}/site/old' && echo stale > '${target.dir}/site/a'`,
          );
          await host.putDir(`${local}/src`, `${target.dir}/site`, { via });
          assert.deepEqual(await snapshot(`${target.dir}/site`), await snapshot(`${local}/src`));
          assert.deepEqual(names(target.dir), ["site"]);
          // Again: the old tree, with a read-only directory in it, is removed completely.
          await host.putDir(`${local}/src`, `${target.dir}/site`, { via });
          assert.deepEqual(names(target.dir), ["site"]);
          await Deno.mkdir(`${local}/down/stale`, { recursive: true });
          await host.getDir(`${target.dir}/site`, `${local}/down`, { via });
          assert.deepEqual(await snapshot(`${local}/down`), await snapshot(`${local}/src`));
          assert.deepEqual(names(local), ["down", "src"]);
          await host.getDir(`${target.dir}/site`, `${local}/down`, { via });
          assert.deepEqual(names(local), ["down", "src"]);
          // A file where the directory should go is refused, and left alone.
          await Deno.writeTextFile(`${local}/file`, "keep");
          await assert.rejects(
            host.getDir(`${target.dir}/site`, `${local}/file`, { via }),
            /not a directory/,
          );
          assert.equal(await Deno.readTextFile(`${local}/file`), "keep");
          assert.deepEqual(names(local), ["down", "file", "src"]);
        } finally {
          await Deno.remove(local, { recursive: true });
        }
      },
    );

    Deno.test(
      `${kind} (${via}): a failure in the middle leaves no temporary directory`,
      kind === "SshHost" ? NEEDS_SSH : {},
      async () => {
        await using target = await setup();
        await using env = new Env({ interactive: false });
        const host = env.host(target.host);
        const local = await Deno.makeTempDir({ prefix: "deployer-dir-local-" });
        try {
          await Deno.mkdir(`${local}/src`);
          for (let i = 0; i < 200; i++) {
            await Deno.writeFile(`${local}/src/f${i}`, new Uint8Array(64 * 1024).fill(i));
          }
          await host.run(`mkdir '${target.dir}/site' && echo old > '${target.dir}/site/keep'`);
          const abort = new AbortController();
          await assert.rejects(
            host.putDir(`${local}/src`, `${target.dir}/site`, {
              via,
              signal: abort.signal,
              onProgress: () => abort.abort(),
            }),
          );
          assert.deepEqual(names(target.dir), ["site"]);
          assert.deepEqual(names(`${target.dir}/site`), ["keep"]);

          await Deno.mkdir(`${local}/down`);
          await Deno.writeTextFile(`${local}/down/keep`, "old");
          if (target.unprivileged) {
            // A file the login user cannot read makes the remote side fail half-way.
            await Deno.writeTextFile(`${target.dir}/site/zz-secret`, "root only");
            await Deno.chmod(`${target.dir}/site/zz-secret`, 0o000);
            await assert.rejects(host.getDir(`${target.dir}/site`, `${local}/down`, { via }));
          } else {
            const stop = new AbortController();
            await assert.rejects(host.getDir(`${local}/src`, `${local}/down`, {
              via,
              signal: stop.signal,
              onProgress: () => stop.abort(),
            }));
          }
          assert.deepEqual(names(local), ["down", "src"]);
          assert.deepEqual(names(`${local}/down`), ["keep"]);
        } finally {
          await Deno.remove(local, { recursive: true });
        }
      },
    );
  }
}

Deno.test("putDir in a sandbox writes nothing and records the plan", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deployer-dir-" });
  try {
    await Deno.mkdir(`${dir}/src`);
    await using env = new Env({ interactive: false, sandbox: true });
    await env.host(new LocalHost()).putDir(`${dir}/src`, `${dir}/dst`);
    assert.deepEqual(names(dir), ["src"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "SshHost: putDir with useSudo installs a root-owned tree where the user cannot write",
  NEEDS_SSH,
  async () => {
    const ssh = await startSshServers(1);
    const dir = await Deno.makeTempDir({ prefix: "deployer-dir-" });
    const local = await Deno.makeTempDir({ prefix: "deployer-dir-local-" });
    try {
      await Deno.chmod(dir, 0o755); // root's, not writable by the login user
      await makeTree(`${local}/src`);
      await Deno.mkdir(`${dir}/site`);
      await Deno.writeTextFile(`${dir}/site/old`, "stale");
      await using env = new Env({ interactive: false });
      const host = env.host(keyHost(ssh));
      await assert.rejects(host.putDir(`${local}/src`, `${dir}/site`), /Permission denied/);
      await host.putDir(`${local}/src`, `${dir}/site`, { useSudo: true });
      assert.deepEqual(await snapshot(`${dir}/site`), await snapshot(`${local}/src`));
      assert.equal(Deno.statSync(`${dir}/site/-sub dir/deep/run.sh`).uid, 0);
      assert.deepEqual(names(dir), ["site"]);
      // No upload directory is left in the login home (other tests may write files there).
      const home = await host.getHomeDirectory();
      const left = names(home).filter((n) =>
        n.includes("deployer") && Deno.lstatSync(`${home}/${n}`).isDirectory
      );
      assert.deepEqual(left, []);
    } finally {
      await ssh.stop();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(local, { recursive: true });
    }
  },
);

/**
 * Profile of the SSH benchmark (private): where a framework command's and a big upload's
 * time goes, layer by layer, against bare ssh2 on the same server in the same run.
 *
 * @module
 */
import { Env, sh } from "../mod.ts";
import { compose, toCommand } from "../src/command/mod.ts";
import { type Connection, Host, type RunningCommand } from "../src/host/mod.ts";
import { bareClose, bareConnect, bareExec, bareSftp, CHACHA, fastPut } from "./_bare.ts";
import { cell } from "./_report.ts";
import type { Fixture } from "./_setup.ts";
import { compare, type Summary, timed } from "./_stats.ts";

/** Options of {@linkcode profileSequential}. */
export interface ProfileOptions {
  /** Repetitions. */
  reps: number;
  /** Warm-ups. */
  warmup: number;
  /** Commands per repetition. */
  commands: number;
}

/**
 * Sequential `true` through each layer: bare ssh2 with the plain, `sh -c` and the composed command
 * text, the framework's `Connection.exec` with both, and `HostHandle.run`. Returns a
 * markdown table (ms per command).
 *
 * @example Usage
 * ```ts ignore
 * import { profileSequential } from "./_profile.ts";
 * console.log(await profileSequential(fixture, { reps: 5, warmup: 1, commands: 200 }));
 * ```
 */
export async function profileSequential(fx: Fixture, options: ProfileOptions): Promise<string> {
  const composed = compose(toCommand("true"), { stdinNull: true }).text;
  const n = options.commands;
  // One connection per variant, shared by every repetition: the layers differ only in
  // what runs on them (connection set-up noise stays out).
  const aes = await bareConnect(fx.bare(0));
  const chacha = await bareConnect({ ...fx.bare(0), cipher: CHACHA });
  await using env = new Env({ interactive: false });
  const h = env.host(fx.host(0));
  await h.run(sh`true`);
  const c = await h.services.connection(fx.host(0));
  const perCommand = (once: () => Promise<unknown>) => async () =>
    await timed(async () => {
      for (let i = 0; i < n; i++) await once();
    }) / n;
  const exec = (command: string) => async () => {
    const proc = await c.exec(command);
    await proc.closeStdin();
    await proc.status;
  };
  let r;
  try {
    r = await compare("profile (b)", {
      bareTrue: perCommand(() => bareExec(aes, "true")),
      bareChacha: perCommand(() => bareExec(chacha, "true")),
      bareSh: perCommand(() => bareExec(aes, "sh -c true")),
      bareComposed: perCommand(() => bareExec(aes, composed)),
      connTrue: perCommand(exec("true")),
      connComposed: perCommand(exec(composed)),
      run: perCommand(() => h.run(sh`true`)),
    }, { reps: options.reps, warmup: options.warmup, unit: "ms" });
  } finally {
    await Promise.all([bareClose(aes), bareClose(chacha)]);
  }
  const rows: [string, Summary][] = [
    ['bare ssh2 `exec("true")` (ssh2 default cipher aes128-gcm)', r.bareTrue],
    ['bare ssh2 `exec("true")`, chacha20-poly1305 (the framework\'s cipher)', r.bareChacha],
    ['bare ssh2 `exec("sh -c true")`', r.bareSh],
    [`bare ssh2 \`exec(${JSON.stringify(composed)})\``, r.bareComposed],
    ['framework `Connection.exec("true")` (+ closeStdin, status)', r.connTrue],
    [`framework \`Connection.exec(${JSON.stringify(composed)})\``, r.connComposed],
    ["framework ``HostHandle.run(sh`true`)``", r.run],
  ];
  const base = r.bareTrue.median;
  const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
  const d = (a: Summary, b: Summary) => `${signed(a.median - b.median)} ms`;
  const overhead = await runOverhead();
  return [
    `Sequential \`true\`, ${n} per repetition, ms per command (min / median / max); each`,
    "variant keeps one connection for all its repetitions:",
    "",
    "| layer | ms per command | vs bare `true` (median) |",
    "|---|---|---|",
    ...rows.map(([name, s]) =>
      `| ${name} | ${cell(s, "ms")} | ${(s.median / base).toFixed(2)}× (${
        signed(s.median - base)
      } ms) |`
    ),
    "",
    "Per-layer cost (differences of medians):",
    "",
    `- cipher chacha20-poly1305 instead of aes128-gcm: ${d(r.bareChacha, r.bareTrue)}`,
    `- remote \`sh -c\` wrapper (one more exec on the server): ${d(r.bareSh, r.bareTrue)}`,
    `- \`exec </dev/null && (…)\` inside it: ${d(r.bareComposed, r.bareSh)}`,
    `- framework connection layer (\`SshConnection\` + \`ChannelCommand\`, incl. the stdin EOF ` +
    `packet), same cipher: ${d(r.connTrue, r.bareChacha)}`,
    `- \`HostHandle.run\` on top of \`Connection.exec\` of the same text: ${
      d(r.run, r.connComposed)
    }; its JS cost alone, against a connection that answers instantly: ` +
    `${overhead.toFixed(1)} µs per call`,
  ].join("\n");
}

/** µs per `HostHandle.run()` against a fake connection whose commands end at once. */
async function runOverhead(): Promise<number> {
  class InstantHost extends Host {
    constructor() {
      super({ slug: "instant", address: "instant" });
    }
    connect(): Promise<Connection> {
      const done: RunningCommand = {
        write: () => Promise.resolve(),
        closeStdin: () => Promise.resolve(),
        resize: () => {},
        kill: () => {},
        status: Promise.resolve({ code: 0 }),
      };
      const connection = { alive: true, exec: () => Promise.resolve(done), close: async () => {} };
      return Promise.resolve(connection as unknown as Connection);
    }
  }
  await using env = new Env({ interactive: false });
  const h = env.host(new InstantHost());
  for (let i = 0; i < 2000; i++) await h.run(sh`true`);
  const calls = 20_000;
  return await timed(async () => {
    for (let i = 0; i < calls; i++) await h.run(sh`true`);
  }) * 1000 / calls;
}

async function readChunks(path: string, each: (chunk: Uint8Array) => Promise<void>) {
  const file = await Deno.open(path);
  try {
    for (;;) {
      const buffer = new Uint8Array(1 << 20);
      const n = await file.read(buffer);
      if (n === null) break;
      await each(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
}

/**
 * Where the time of a big upload goes: the framework's upload (its bytes through `cat` on an
 * exec channel), a bare raw channel, bare ssh2's SFTP `fastPut` with the framework's cipher,
 * and reading the local file alone. Returns a markdown table (seconds).
 *
 * @example Usage
 * ```ts ignore
 * import { profileUpload } from "./_profile.ts";
 * console.log(await profileUpload(fixture, { reps: 5, warmup: 1 }));
 * ```
 */
export async function profileUpload(
  fx: Fixture,
  options: { reps: number; warmup: number },
): Promise<string> {
  await using env = new Env({ interactive: false });
  const h = env.host(fx.host(0));
  await h.run(sh`true`);
  const connection = await h.services.connection(fx.host(0));
  const client = await bareConnect({ ...fx.bare(0), cipher: CHACHA });
  const memory = await Deno.readFile(fx.bigFile);
  try {
    const sftp = await bareSftp(client);
    const s = (ms: number) => ms / 1000;
    const r = await compare("profile (d)", {
      putFile: async () => {
        const dir = await fx.remoteDir();
        return s(await timed(() => h.putFile(fx.bigFile, `${dir}/big.bin`)));
      },
      writeMemory: async () => {
        const dir = await fx.remoteDir();
        return s(await timed(() => connection.writeFile(`${dir}/big.bin`, memory)));
      },
      bareChacha: async () => {
        const dir = await fx.remoteDir();
        return s(await timed(() => fastPut(sftp, fx.bigFile, `${dir}/big.bin`)));
      },
      rawChannel: () =>
        timed(async () => {
          const proc = await connection.exec("cat > /dev/null");
          await readChunks(fx.bigFile, (chunk) => proc.write(chunk));
          await proc.closeStdin();
          await proc.status;
        }).then(s),
      readable: () =>
        timed(async () => {
          for await (const _ of (await Deno.open(fx.bigFile)).readable);
        }).then(s),
      read1MiB: () => timed(() => readChunks(fx.bigFile, () => Promise.resolve())).then(s),
    }, { ...options, unit: "s" });
    const mb = fx.bigSize / 1e6;
    const rows: [string, Summary][] = [
      [
        "framework `host.putFile` (bytes through `cat` on an exec channel, file read into two reused buffers)",
        r.putFile,
      ],
      [
        "framework `Connection.writeFile` of the bytes already in memory (also through `cat`)",
        r.writeMemory,
      ],
      ["bare ssh2 `fastPut`, chacha20-poly1305 (the framework's cipher)", r.bareChacha],
      ['framework `Connection.exec("cat > /dev/null")`, 1 MiB writes (raw channel)', r.rawChannel],
      ["local only: iterate `(await Deno.open(file)).readable`", r.readable],
      ["local only: `file.read()` into 1 MiB buffers", r.read1MiB],
    ];
    return [
      `Upload of the ${fx.bigSize >> 20} MiB file, seconds (min / median / max) and MB/s (median):`,
      "",
      "| variant | seconds | MB/s |",
      "|---|---|---|",
      ...rows.map(([name, x]) => `| ${name} | ${cell(x, "s")} | ${(mb / x.median).toFixed(0)} |`),
    ].join("\n");
  } finally {
    await bareClose(client);
  }
}

/**
 * Row module of the SSH benchmark (private): the first rows, measured on the shared fixture
 * of 50 sshd servers: (a) connect + first command, (b) sequential commands on one
 * connection, (c) fan-out to 10 and 50 hosts, (d) one big upload and many small ones, the
 * peak RSS of the 50-host fan-out, and the profiles of (b) and (d).
 *
 * @module
 */
import { Env, sh } from "../mod.ts";
import { bareClose, bareConnect, bareExec, bareFanOut, bareSftp, fastPut } from "./_bare.ts";
import { sftpWriteFile } from "./_bare.ts";
import { measureMemory } from "./_memory.ts";
import { scp, sshRun } from "./_openssh.ts";
import { profileSequential, profileUpload } from "./_profile.ts";
import type { Row } from "./_report.ts";
import { type BenchContext, failedRow, type RowReport } from "./_row.ts";
import type { Fixture } from "./_setup.ts";
import { compare, progress, type Summary, timed } from "./_stats.ts";

/** Repetitions of every comparison (set per run). */
interface Options {
  reps: number;
  warmup: number;
}

const SEQUENTIAL = 200;
const FAN_OUT = [10, 50];
const BIG_MIB = 100;
const SMALL_COUNT = 1000;
const SMALL_BYTES = 4096;
const SMALL_CONCURRENCY = 32;
const MEMORY_RUNS = 3;
const MEMORY_LIMIT_MB = 120;

async function pool<T>(items: T[], width: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** (a) connect + first command. */
async function connectFirst(fx: Fixture, OPTIONS: Options): Promise<Row> {
  const host = fx.host(0);
  const r = await compare("(a) connect + true", {
    framework: async () => {
      const env = new Env({ interactive: false });
      try {
        return await timed(() => env.host(host).run(sh`true`));
      } finally {
        await env.close();
      }
    },
    bare: async () => {
      let client;
      const ms = await timed(async () => {
        client = await bareConnect(fx.bare(0));
        await bareExec(client, "true");
      });
      await bareClose(client!);
      return ms;
    },
    openssh: () => timed(() => sshRun(fx.openssh(0, false), "true")),
  }, { ...OPTIONS, unit: "ms" });
  return { scenario: "(a) connect + first command `true`", unit: "ms", ...r, target: "—" };
}

/** (b) sequential commands on one connection. */
async function sequential(fx: Fixture, OPTIONS: Options): Promise<Row> {
  const host = fx.host(0);
  const r = await compare(`(b) ${SEQUENTIAL} x true`, {
    framework: async () => {
      await using env = new Env({ interactive: false });
      const h = env.host(host);
      await h.run(sh`true`);
      return await timed(async () => {
        for (let i = 0; i < SEQUENTIAL; i++) await h.run(sh`true`);
      }) / SEQUENTIAL;
    },
    bare: async () => {
      const client = await bareConnect(fx.bare(0));
      try {
        await bareExec(client, "true");
        return await timed(async () => {
          for (let i = 0; i < SEQUENTIAL; i++) await bareExec(client, "true");
        }) / SEQUENTIAL;
      } finally {
        await bareClose(client);
      }
    },
    openssh: async () => {
      const target = fx.openssh(0, true);
      await sshRun(target, "true"); // the master is up (ControlPersist keeps it)
      return await timed(async () => {
        for (let i = 0; i < SEQUENTIAL; i++) await sshRun(target, "true");
      }) / SEQUENTIAL;
    },
  }, { ...OPTIONS, unit: "ms" });
  const met = r.framework.median <= 1.2 * r.bare.median &&
    r.framework.median * 2 <= r.openssh.median;
  return {
    scenario: `(b) ${SEQUENTIAL} sequential \`true\`, per command`,
    issue: "200 sequential `true` on one connection",
    unit: "ms",
    ...r,
    target: "≤ 1.2× bare (and ≤ 0.5× OpenSSH ControlMaster)",
    met,
  };
}

/** (c) `echo hi` on `n` hosts, connection set-up included. */
async function fanOut(fx: Fixture, n: number, OPTIONS: Options): Promise<Row> {
  const hosts = Array.from({ length: n }, (_, i) => fx.host(i));
  const ports = hosts.map((_, i) => fx.bare(i).port);
  const r = await compare(`(c) fan-out ${n}`, {
    framework: async () => {
      const env = new Env({ interactive: false });
      try {
        let outputs: string[] = [];
        const ms = await timed(async () => {
          outputs = (await env.hostSet({ web: hosts }).run(sh`echo hi`)).values().map((x) =>
            x.stdout
          );
        });
        if (outputs.length !== n || outputs.some((o) => o !== "hi\n")) throw new Error("output");
        return ms / 1000;
      } finally {
        await env.close();
      }
    },
    bare: async () => {
      const start = performance.now();
      const { outputs, closed } = await bareFanOut(
        ports,
        fx.bare(0).username,
        fx.bare(0)
          .privateKey,
        "echo hi",
      );
      const ms = performance.now() - start;
      await closed;
      if (outputs.some((o) => o !== "hi\n")) throw new Error("bad bare output");
      return ms / 1000;
    },
    openssh: async () => {
      let outputs: string[] = [];
      const ms = await timed(async () => {
        outputs = await Promise.all(hosts.map((_, i) => sshRun(fx.openssh(i, false), "echo hi")));
      });
      if (outputs.some((o) => o !== "hi\n")) throw new Error("bad ssh output");
      return ms / 1000;
    },
  }, { ...OPTIONS, unit: "s" });
  const big = n === Math.max(...FAN_OUT);
  return {
    scenario: `(c) \`echo hi\` fanned out to ${n} hosts`,
    issue: n === 50 ? "50-host fan-out" : undefined,
    unit: "s",
    ...r,
    target: big ? "≤ 1.15× bare" : "— (1.15× applies to 50 hosts)",
    met: big ? r.framework.median <= 1.15 * r.bare.median : undefined,
  };
}

/** (d) one big upload. */
async function uploadBig(fx: Fixture, OPTIONS: Options): Promise<Row> {
  await using env = new Env({ interactive: false });
  const h = env.host(fx.host(0));
  await h.run(sh`true`);
  const client = await bareConnect(fx.bare(0));
  try {
    const sftp = await bareSftp(client);
    const r = await compare(`(d) upload ${BIG_MIB} MiB`, {
      framework: async () => {
        const dir = await fx.remoteDir();
        return await timed(() => h.putFile(fx.bigFile, `${dir}/big.bin`)) / 1000;
      },
      bare: async () => {
        const dir = await fx.remoteDir();
        return await timed(() => fastPut(sftp, fx.bigFile, `${dir}/big.bin`)) / 1000;
      },
      openssh: async () => {
        const dir = await fx.remoteDir();
        return await timed(() => scp(fx.openssh(0, true), fx.bigFile, `${dir}/big.bin`)) / 1000;
      },
    }, { ...OPTIONS, unit: "s" });
    const mbps = (s: Summary) => (fx.bigSize / 1e6 / s.median).toFixed(0);
    const share = r.openssh.median / r.framework.median;
    return {
      scenario: `(d) upload one ${BIG_MIB} MiB file`,
      issue: "upload one 100 MiB file",
      reference: "openssh",
      unit: "s",
      ...r,
      target: "throughput ≥ 0.8× scp",
      note: `${mbps(r.framework)} / ${mbps(r.bare)} / ${
        mbps(r.openssh)
      } MB/s (fw / bare / scp); fw = ${share.toFixed(2)}× scp`,
      met: share >= 0.8,
    };
  } finally {
    await bareClose(client);
  }
}

/** (d) many small uploads. */
async function uploadSmall(fx: Fixture, OPTIONS: Options): Promise<Row> {
  await using env = new Env({ interactive: false });
  const h = env.host(fx.host(0));
  await h.run(sh`true`);
  const client = await bareConnect(fx.bare(0));
  try {
    const sftp = await bareSftp(client);
    const read = (name: string) => Deno.readFile(`${fx.smallDir}/${name}`);
    const r = await compare(`(d) upload ${SMALL_COUNT} x ${SMALL_BYTES} B`, {
      framework: async () => {
        const dir = await fx.remoteDir();
        return await timed(() =>
          pool(fx.smallNames, SMALL_CONCURRENCY, async (n) => {
            await h.writeFile(`${dir}/${n}`, await read(n));
          })
        ) / 1000;
      },
      bare: async () => {
        const dir = await fx.remoteDir();
        return await timed(() =>
          pool(fx.smallNames, SMALL_CONCURRENCY, async (n) => {
            await sftpWriteFile(sftp, `${dir}/${n}`, await read(n));
          })
        ) / 1000;
      },
      openssh: async () => {
        const dir = await fx.remoteDir();
        const to = `${dir}/small`;
        return await timed(() => scp(fx.openssh(0, true), fx.smallDir, to, { recursive: true })) /
          1000;
      },
    }, { ...OPTIONS, unit: "s" });
    return {
      scenario: `(d) upload ${SMALL_COUNT} files of ${SMALL_BYTES / 1024} KiB`,
      issue: "upload 1000 files of 4 KiB",
      reference: "openssh",
      unit: "s",
      ...r,
      target: "—",
    };
  } finally {
    await bareClose(client);
  }
}

function methodNotes(fx: Fixture, memoryNote: string, OPTIONS: Options): string[] {
  return [
    `${OPTIONS.reps} repetitions after ${OPTIONS.warmup} warm-up per scenario; framework, bare ssh2 and ` +
    "OpenSSH alternate within every repetition.",
    `${fx.ssh.servers.length} throwaway sshd servers (src/testing/sshd.ts) on 127.0.0.1, ` +
    "key auth for `dpl-key` (login shell bash), ed25519 host keys.",
    "Framework: `SshHost` with `keyFile`, `knownHostsFiles`, `configFile: false`, " +
    "`agent: false`, `hostKeyPolicy: strict`; `new Env({ interactive: false })`, no loggers.",
    "Bare ssh2: `npm:ssh2@1.17.0` `Client` with a `node:net` socket (`setNoDelay(true)`) " +
    "as `sock`, `privateKey`, ssh2's default algorithms, no host key check.",
    "OpenSSH: `ssh -F /dev/null -o BatchMode=yes -o UserKnownHostsFile=<kh> " +
    "-o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes " +
    "-i <key> -p <port> dpl-key@127.0.0.1`, plus `-o ControlMaster=auto -o " +
    "ControlPath=<tmp>/cm-%C -o ControlPersist=60` for (b) and (d) (the master is opened " +
    "before timing) and `-o ControlMaster=no -o ControlPath=none` for (a) and (c).",
    "Algorithms as negotiated by default: OpenSSH 9.2 uses the post-quantum " +
    "`sntrup761x25519-sha512` key exchange (CPU-heavy on both ends: one `ssh ... true` " +
    "takes ~240 ms here, ~140 ms with `-o KexAlgorithms=curve25519-sha256`) and " +
    "chacha20-poly1305; ssh2 (bare and framework) uses curve25519-sha256; bare ssh2 " +
    "negotiates aes128-gcm, the framework prefers chacha20-poly1305 (src/host/ssh/transport.ts).",
    "(a) fresh connection each repetition (framework: fresh `Env`); the time ends when " +
    "`true` has exited; closing is not timed (OpenSSH: whole process run).",
    `(b) one connection opened (and used once) before timing; ${SEQUENTIAL} sequential ` +
    "commands; the cell is total / 200.",
    "(c) framework: fresh `Env` per repetition, ``env.hostSet({ web: hosts }).run(sh`echo " +
    "hi`)`` (default `parallel` 32); bare: one client per host, all in parallel, each " +
    "connecting and running once (closing not timed); OpenSSH: one `ssh` process per host, " +
    "all in parallel, no ControlMaster.",
    `(d) big: one ${BIG_MIB} MiB random file; framework \`host.putFile\` (atomic: temp file ` +
    "+ rename), bare `sftp.fastPut`, OpenSSH `scp` (SFTP protocol in OpenSSH 9) over the " +
    "ControlMaster connection; connections open before timing.",
    `(d) small: ${SMALL_COUNT} files of ${SMALL_BYTES} B read from disk and written with ` +
    `${SMALL_CONCURRENCY} in flight; framework \`host.writeFile\` (atomic: stat, open temp, ` +
    "write, fchmod, close, rename), bare `sftp.writeFile` (open, write, close), OpenSSH " +
    "`scp -r` of the directory.",
    "Peak RSS: each 50-host fan-out runs once in its own `deno run` process that reads " +
    `VmHWM from /proc/self/status at the end (${MEMORY_RUNS} runs each). ${memoryNote}`,
    "Every single run has a 60 s deadline: an operation that hangs fails its scenario (marked " +
    "FAILED in the table) instead of stalling the benchmark.",
  ];
}

/**
 * Measures the first rows on the shared fixture.
 *
 * @example Usage
 * ```ts ignore
 * import { run } from "./_classic.ts";
 * const { rows } = await run(context);
 * ```
 */
export async function run(context: BenchContext): Promise<RowReport> {
  const fx = await context.fixture();
  const OPTIONS = { reps: context.reps, warmup: context.warmup };
  const rows: Row[] = [];
  const attempt = async (scenario: string, target: string, measure: () => Promise<Row>) => {
    try {
      rows.push(await measure());
    } catch (error) {
      progress(`${scenario} FAILED: ${error instanceof Error ? error.message : error}`);
      rows.push(failedRow(scenario, target, error));
    }
  };
  const profileOf = async (what: string, make: () => Promise<string>) => {
    try {
      return await make();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(`profile ${what} FAILED: ${message}`);
      return `Profile of ${what} FAILED: ${message}`;
    }
  };
  await attempt("(a) connect + first command", "—", () => connectFirst(fx, OPTIONS));
  await attempt("(b) sequential commands", "≤ 1.2× bare", () => sequential(fx, OPTIONS));
  const profile = await profileOf(
    "(b)",
    () => profileSequential(fx, { ...OPTIONS, commands: SEQUENTIAL }),
  );
  for (const n of FAN_OUT) {
    await attempt(`(c) fan-out to ${n} hosts`, "—", () => fanOut(fx, n, OPTIONS));
  }
  await attempt("(d) upload one big file", "≥ 0.8× scp", () => uploadBig(fx, OPTIONS));
  const uploadProfile = await profileOf("(d)", () => profileUpload(fx, OPTIONS));
  await attempt("(d) upload small files", "—", () => uploadSmall(fx, OPTIONS));
  let memoryNote = "";
  await attempt("peak RSS of the fan-out", `< ${MEMORY_LIMIT_MB} MB`, async () => {
    const mem = await measureMemory(fx, MEMORY_RUNS, MEMORY_LIMIT_MB);
    memoryNote = mem.note;
    return mem.row;
  });
  return {
    rows,
    method: methodNotes(fx, memoryNote, OPTIONS),
    appendix: `## Profile (where the framework's time goes)\n\n${profile}\n\n${uploadProfile}`,
  };
}

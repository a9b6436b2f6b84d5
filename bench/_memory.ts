/**
 * Peak memory of the fan-out (private): each fan-out runs in its own `deno run` process
 * (bench/_fanout_rss.ts) that reports its VmHWM.
 *
 * @module
 */
import type { FanOutMemory } from "./_fanout_rss.ts";
import type { Row } from "./_report.ts";
import type { Fixture } from "./_setup.ts";
import { progress, summarize } from "./_stats.ts";

async function childMemory(fx: Fixture, mode: "framework" | "bare"): Promise<FanOutMemory> {
  const job = {
    mode,
    ports: fx.ssh.servers.map((s) => s.port),
    username: fx.ssh.keyUser.name,
    keyFile: fx.ssh.keyUser.keyFile,
    knownHostsFile: fx.ssh.knownHostsFile,
  };
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("./_fanout_rss.ts", import.meta.url).pathname,
      JSON.stringify(job),
    ],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`fan-out child failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as FanOutMemory;
}

/**
 * Peak RSS of the fan-out to every server of the fixture, framework and bare ssh2, each
 * run once in its own process, `runs` times each.
 *
 * @example Usage
 * ```ts ignore
 * import { measureMemory } from "./_memory.ts";
 * const { row } = await measureMemory(fixture, 3, 120);
 * ```
 */
export async function measureMemory(
  fx: Fixture,
  runs: number,
  limitMb: number,
): Promise<{ row: Row; note: string }> {
  const peaks = { framework: [] as number[], bare: [] as number[] };
  const before: number[] = [];
  for (let i = 0; i < runs; i++) {
    const f = await childMemory(fx, "framework");
    const b = await childMemory(fx, "bare");
    peaks.framework.push(f.peakKiB / 1024);
    peaks.bare.push(b.peakKiB / 1024);
    before.push(f.rssBeforeKiB / 1024);
    progress(
      `peak RSS run ${i + 1}/${runs}: framework ${(f.peakKiB / 1024).toFixed(1)} MiB ` +
        `(after imports ${(f.rssBeforeKiB / 1024).toFixed(1)} MiB), bare ${
          (b.peakKiB / 1024).toFixed(1)
        } MiB`,
    );
  }
  const framework = summarize(peaks.framework);
  const n = fx.ssh.servers.length;
  return {
    row: {
      scenario: `peak RSS (VmHWM) of the ${n}-host fan-out`,
      unit: "MiB",
      framework,
      bare: summarize(peaks.bare),
      target: `< ${limitMb} MB`,
      met: framework.max * 1.048576 < limitMb,
    },
    note: `RSS of the framework child after its imports, before connecting: median ${
      summarize(before).median.toFixed(1)
    } MiB.`,
  };
}

/**
 * `deno task e2e`: the end-to-end tests on real Debian test machines. Sweeps what a killed
 * earlier run left (namespaces, state), builds or finds the cached root filesystem, creates
 * the client network namespace and runs `deno test tests/e2e/` inside it, then removes the
 * namespace (arguments replace `tests/e2e/`: files, `--filter`). Where machines cannot run (not root, no unshare, no debootstrap, ...), it says so
 * and runs the tests outside, where they report as ignored.
 *
 * @module
 */
import { machineSupport } from "../../src/testing/machine.ts";
import { ensureDebianRootfs } from "../../src/testing/debian_rootfs.ts";
import { CLIENT_NETNS, createClientNetns, sweepNetns } from "../../src/testing/machine_network.ts";

const testDir = new URL(".", import.meta.url).pathname;
const started = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function testArgs(): string[] {
  const paths = Deno.args.some((arg) => !arg.startsWith("-"));
  return ["test", "--allow-all", ...Deno.args, ...(paths ? [] : [testDir])];
}

async function runTests(prefix: string[]): Promise<number> {
  const [program, ...args] = [...prefix, Deno.execPath(), ...testArgs()];
  const child = new Deno.Command(program, { args, stdin: "null" }).spawn();
  return (await child.status).code;
}

/** Removes the temporary directories of earlier test processes that are gone. */
async function sweepTempDirs(): Promise<void> {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  for await (const entry of Deno.readDir(tmp)) {
    const pid = Number(/^deployer_e2e_(\d+)_/.exec(entry.name)?.[1]);
    if (!pid) continue;
    const alive = await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
    if (!alive) await Deno.remove(`${tmp}/${entry.name}`, { recursive: true }).catch(() => {});
  }
}

const reason = await machineSupport();
const unavailable = reason && !reason.startsWith("not in the client network namespace");
let code: number;
if (unavailable) {
  console.log(`e2e: test machines cannot run here (${reason}); the tests report as ignored`);
  code = await runTests([]);
} else {
  const swept = await sweepNetns();
  await sweepTempDirs();
  if (swept.length) {
    console.log(`e2e: removed namespaces left by an earlier run: ${swept.join(", ")}`);
  }
  const rootfs = await ensureDebianRootfs({ log: (line) => console.log(`e2e: ${line}`) });
  console.log(
    `e2e: root filesystem ${rootfs.built ? "built" : "cached"} in ${
      seconds(rootfs.ms)
    }: ${rootfs.path}`,
  );
  await createClientNetns(CLIENT_NETNS);
  const cleanup = () => sweepNetns().catch(() => []);
  const onSignal = async () => {
    await cleanup();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    code = await runTests(["setpriv", "--pdeathsig", "KILL", "ip", "netns", "exec", CLIENT_NETNS]);
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}
console.log(`e2e: total ${seconds(Date.now() - started)}`);
Deno.exit(code);

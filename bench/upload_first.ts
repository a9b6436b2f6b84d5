/**
 * The first large upload of a process against the next ones: one SshHost, connected
 * before timing, uploads the same 100 MiB file `rounds` times in a row (`putFile`) and
 * prints each time. The gap between the first and the rest is what a fresh process pays
 * once (the data path's code is optimised by V8 while it runs, the heap grows); the
 * `putFile, own process` row of `deno task bench` measures a fresh process's first upload.
 *
 *   deno run --allow-all bench/upload_first.ts [rounds=4] [MiB=100]
 */
import { Env, sh } from "../mod.ts";
import { startSshServers } from "../src/testing/mod.ts";
import { keyHost } from "../tests/ssh/_setup.ts";

const rounds = Number(Deno.args[0] ?? 4);
const mib = Number(Deno.args[1] ?? 100);

await using ssh = await startSshServers(1);
const source = await Deno.makeTempFile({ prefix: "deployer-upload-first-" });
try {
  const file = await Deno.open(source, { write: true });
  const chunk = new Uint8Array(1 << 20);
  for (let i = 0; i < mib; i++) {
    crypto.getRandomValues(chunk.subarray(0, 65536));
    await file.write(chunk);
  }
  file.close();
  await using env = new Env({ interactive: false });
  const host = env.host(keyHost(ssh));
  const dir = (await host.run(sh`mktemp -d`)).stdout.trim();
  try {
    for (let i = 1; i <= rounds; i++) {
      const start = performance.now();
      await host.putFile(source, `${dir}/big.bin`);
      console.log(`upload ${i}: ${(performance.now() - start).toFixed(0)} ms`);
    }
  } finally {
    await host.run(sh`rm -rf ${dir}`);
  }
} finally {
  await Deno.remove(source);
}

/**
 * The floor of the start-up row of the SSH benchmark (private): a bare `deno run` script
 * that runs `date +%s%N` as its first command, locally (`sh -c`) or, when `BENCH_SSH_PORT`
 * is set, through a bare ssh2 client (same variables as bench/_startup_script.ts), and
 * prints what it printed.
 *
 * @module
 */
const port = Deno.env.get("BENCH_SSH_PORT");
if (port) {
  const { bareClose, bareConnect, bareExec } = await import("./_bare.ts");
  const client = await bareConnect({
    port: Number(port),
    username: Deno.env.get("BENCH_SSH_USER")!,
    privateKey: await Deno.readFile(Deno.env.get("BENCH_SSH_KEY")!),
  });
  console.log((await bareExec(client, "date +%s%N")).trim());
  await bareClose(client);
} else {
  const out = await new Deno.Command("sh", { args: ["-c", "date +%s%N"] }).output();
  console.log(new TextDecoder().decode(out.stdout).trim());
}

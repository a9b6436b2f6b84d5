/**
 * A temporary HOME for the processes a test starts, so that nothing they write (shell
 * history, caches) lands in the real home directory, with Deno's cache kept where it is
 * (a fresh cache would download every npm package again and print its warnings).
 */

/** Deno's cache directory: `$DENO_DIR`, else the one `deno info` reports. */
export async function denoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dir = out.success ? JSON.parse(new TextDecoder().decode(out.stdout)).denoDir : undefined;
  if (typeof dir !== "string" || !dir) {
    throw new Error(`Cannot find Deno's cache: ${new TextDecoder().decode(out.stderr)}`);
  }
  return dir;
}

/** A temporary home directory; `await using` removes it. */
export interface TempHome extends AsyncDisposable {
  /** The directory. */
  dir: string;
  /** `HOME` (the directory) and `DENO_DIR` (the real cache), for a child's environment. */
  env: { HOME: string; DENO_DIR: string };
}

/** Makes a temporary HOME (removed on dispose) and the environment that points to it. */
export async function tempHome(): Promise<TempHome> {
  const cache = await denoDir();
  const dir = await Deno.makeTempDir({ prefix: "deployer-home-" });
  return {
    dir,
    env: { HOME: dir, DENO_DIR: cache },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A temporary directory; `await using` removes it with what it holds. */
export interface TempDir extends AsyncDisposable {
  /** The directory. */
  path: string;
}

/** Makes a temporary directory (removed on dispose). */
export async function tempDir(prefix = "deployer-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

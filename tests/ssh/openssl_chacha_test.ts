/**
 * OpenSSL's ChaCha20-Poly1305 is used only when loading it is already granted: by the whole
 * `--allow-ffi` or by a grant of libcrypto's own path; never asked for.
 */
import assert from "node:assert/strict";

const LIBCRYPTO = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
const HAS_LIBCRYPTO = (() => {
  try {
    return Deno.statSync(LIBCRYPTO).isFile;
  } catch {
    return false;
  }
})();

/** What `openNativeChaChaPoly()` gives in a child process run with `flags`. */
async function opensWith(flags: string[]): Promise<string> {
  const module = new URL("../../src/host/ssh/openssl_chacha.ts", import.meta.url).href;
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      script,
      `import { openNativeChaChaPoly } from ${JSON.stringify(module)};\n` +
        `console.log(openNativeChaChaPoly() ? "native" : "none");\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, script],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (!HAS_LIBCRYPTO) console.error(`Ignoring the libcrypto test: no ${LIBCRYPTO} here`);

Deno.test({
  name: "libcrypto is loaded with --allow-ffi or its path granted, and only then",
  ignore: !HAS_LIBCRYPTO,
  async fn() {
    assert.equal(await opensWith(["--allow-read"]), "none");
    assert.equal(await opensWith(["--allow-read", "--allow-ffi=/tmp"]), "none");
    assert.equal(await opensWith(["--allow-read", "--allow-ffi"]), "native");
    assert.equal(await opensWith(["--allow-read", `--allow-ffi=${LIBCRYPTO}`]), "native");
  },
});

/**
 * The per-Env memo of a parsed SSH config keeps it while none of its files changed,
 * whatever characters the paths hold.
 */
import assert from "node:assert/strict";
import { loadSshConfig } from "../../src/host/ssh/ssh_config.ts";

for (const name of ["plain", "with:colon", "a:b:c:d:e"]) {
  Deno.test(`a config at "${name}" (and its Include) is parsed once while unchanged`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const config = `${dir}/${name}`;
      const included = `${dir}/${name}.inc`;
      await Deno.writeTextFile(included, "Host web\n  Port 2201\n");
      await Deno.writeTextFile(config, `Include "${included}"\nHost db\n  Port 2202\n`);
      const source = { file: config, home: dir, memo: new Map<string, unknown>() };
      const parsed = await loadSshConfig(source);
      assert.ok(parsed);
      assert.equal(await loadSshConfig(source), parsed, "not parsed again");
      await Deno.writeTextFile(included, "Host web\n  Port 2203\n");
      assert.notEqual(await loadSshConfig(source), parsed, "parsed again after a change");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

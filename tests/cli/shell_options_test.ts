/**
 * The shell's `set-option limit / serial / fail-fast`, driven in a real terminal (tmux):
 * actions run on the chosen hosts only, a limit matching nothing is refused with the list
 * of hosts, and after a failure with fail-fast the remaining hosts are not started.
 */
import assert from "node:assert/strict";
import { Terminal } from "../shell/fixtures/tmux.ts";
import { fixtureLine } from "./helpers.ts";
import { NEEDS_TMUX } from "../_support/needs.ts";
import { tempDir } from "../_support/home.ts";

/** Opens the fleet fixture's shell (`run` with `options`), its test files in `dir`. */
async function fleetShell(dir: string, options: string[] = []): Promise<Terminal> {
  const command = fixtureLine("fleet.ts", ["run", ...options]);
  return await Terminal.open(command, { NO_COLOR: "1", DPL_TEST_DIR: dir }, "Fleet > ");
}

Deno.test(
  "shell: set-option limit, serial and fail-fast choose and pace the hosts",
  NEEDS_TMUX,
  async () => {
    await using scratch = await tempDir();
    await using term = await fleetShell(scratch.path);
    const line = (text: string) => term.answer(text, "Fleet > ");
    assert.match(
      await line("set-option limit nope"),
      /matches none of the hosts: web1, web2, web3, web4, db1/,
    );
    await line("set-option limit web2,web4");
    const limited = await line("web deploy");
    assert.match(limited, /deployed web2/);
    assert.match(limited, /deployed web4/);
    assert.doesNotMatch(limited, /web1|web3/);
    await line("set-option limit all");
    await line("set-option serial 1");
    await line("set-option fail-fast on");
    await line("set-option ask-on-failure off");
    const failed = await line("web failOn web2");
    assert.match(failed, /Not started on host "web3": web2 failed \(--fail-fast\)/);
    assert.match(
      failed,
      /Recap of Fleet\.web\.failOn:\n +web1 +ok .*fine on web1\n +web2 +failed /,
    );
    assert.match(failed, /\n +web3 +skipped +- +Not started/);
    assert.doesNotMatch(failed, /\$ exit '0'[^\n]*\n[^\n]*web3|\[web3\] \$/);
    const options = await line("show-options");
    assert.match(options, /serial +1/);
    assert.match(options, /fail-fast +on/);
  },
);

Deno.test(
  "shell: `run --limit` applies to the shell's actions until set-option changes it",
  NEEDS_TMUX,
  async () => {
    await using scratch = await tempDir();
    await using term = await fleetShell(scratch.path, ["--limit", "web3"]);
    const line = (text: string) => term.answer(text, "Fleet > ");
    const limited = await line("web deploy");
    assert.match(limited, /web3 +deployed web3/);
    assert.doesNotMatch(limited, /web1|web2|web4/);
    await line("set-option limit web1");
    const changed = await line("web deploy");
    assert.match(changed, /deployed web1/);
    assert.doesNotMatch(changed, /web3/);
  },
);

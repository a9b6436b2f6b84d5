/**
 * What some tests need from the machine, checked once when a test file loads. Tests pass
 * these as `Deno.test(name, NEEDS_X, fn)`: where something is missing they are reported
 * as ignored (never as passed), and the reason is printed once.
 */
import { sshServersUnavailable } from "../../src/testing/mod.ts";

async function found(program: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(program, { args: ["-V"], stdout: "null", stderr: "null" })
      .output();
    return out.code === 0;
  } catch {
    return false;
  }
}

function needs(reason: string | undefined): { ignore: boolean } {
  if (reason) console.error(`Ignoring the tests that need this: ${reason}`);
  return { ignore: reason !== undefined };
}

/** For tests that start real sshd servers (`startSshServers`): root and OpenSSH. */
export const NEEDS_SSH: { ignore: boolean } = needs(await sshServersUnavailable());

/** For tests that drive a real terminal: tmux. */
export const NEEDS_TMUX: { ignore: boolean } = needs(
  await found("tmux") ? undefined : "a real terminal needs tmux",
);

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Console, NoInputError, stripAnsi } from "../../src/console/mod.ts";
import { DeployerError } from "../../src/errors.ts";
import { tempDir, tempHome } from "../_support/home.ts";

interface Harness {
  console_: Console;
  input: PassThrough;
  text: () => string;
  /** Resolves once the output contains `needle` (after `from`), or rejects after 10 s. */
  waitFor: (needle: string, from?: number) => Promise<number>;
}

function harness(interactive: boolean, rows = 24): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  const waiters = new Set<() => void>();
  output.on("data", (chunk) => {
    text += chunk;
    for (const check of [...waiters]) check();
  });
  const console_ = new Console({ input, output, interactive, color: false, columns: 80, rows });
  const waitFor = (needle: string, from = 0) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`Timed out waiting for ${JSON.stringify(needle)} in ${JSON.stringify(text)}`),
        );
      }, 60_000);
      const check = () => {
        const at = stripAnsi(text).indexOf(needle, from);
        if (at < 0) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(at + needle.length);
      };
      waiters.add(check);
      check();
    });
  return { console_, input, text: () => text, waitFor };
}

Deno.test("non-interactive input returns the default and says so", async () => {
  const { console_, text } = harness(false);
  assert.equal(await console_.input("Git commit", { default: "main" }), "main");
  assert.equal(text(), "  Git commit (default=main): [non interactive] main\n");
});

Deno.test("non-interactive input with answers shows them; a password default is masked", async () => {
  const { console_, text } = harness(false);
  assert.equal(await console_.input("Env", { answers: ["dev", "prod"], default: "dev" }), "dev");
  assert.equal(await console_.input("Password", { password: true, default: "s3cret" }), "s3cret");
  assert.equal(
    text(),
    "  Env [dev,prod] (default=dev): [non interactive] dev\n" +
      "  Password (default=***): [non interactive] ***\n",
  );
  assert.ok(!text().includes("s3cret"));
});

Deno.test("non-interactive questions without a default throw NoInputError instead of hanging", async () => {
  const { console_ } = harness(false);
  await assert.rejects(() => console_.input("Git commit"), (error: unknown) => {
    assert.ok(error instanceof NoInputError);
    assert.ok(error instanceof DeployerError);
    assert.equal(error.message, 'Cannot ask "Git commit": not interactive and no default given');
    return true;
  });
  await assert.rejects(() => console_.confirm("Proceed?"), NoInputError);
  await assert.rejects(() => console_.choice("Pick", [["a", 1]]), NoInputError);
  await assert.rejects(
    () => console_.input("Env", { answers: ["dev"], default: "prod" }),
    /not one of the answers/,
  );
});

Deno.test("non-interactive choice takes the default, or picks at random with allowRandom", async () => {
  const { console_, text } = harness(false);
  const options = [["alpha", "a"], ["beta", "b"], ["gamma", "c"]] as const;
  assert.equal(await console_.choice("Pick", options, { default: "b" }), "b");
  assert.equal(text(), "  Pick (default=beta): [non interactive] beta\n");
  const picked = await console_.choice("Choose a host", options, { allowRandom: true });
  assert.ok(["a", "b", "c"].includes(picked));
  assert.match(
    text(),
    / {2}Choose a host \(default=random\): \[non interactive\] (alpha|beta|gamma)\n$/,
  );
});

Deno.test("choice rejects no options and a default that is not an option", async () => {
  const { console_ } = harness(false);
  await assert.rejects(() => console_.choice("Pick", []), /no options given/);
  await assert.rejects(
    () => console_.choice("Pick", [["a", 1]], { default: 2 }),
    /default value does not appear in the options/,
  );
});

Deno.test("non-interactive confirm takes the default", async () => {
  const { console_, text } = harness(false);
  assert.equal(await console_.confirm("Proceed?", { default: true }), true);
  assert.equal(await console_.confirm("Delete?", { default: false }), false);
  assert.equal(
    text(),
    "  Proceed? [y/n] (default=y): [non interactive] y\n" +
      "  Delete? [y/n] (default=n): [non interactive] n\n",
  );
});

Deno.test("warning writes the python frame, coloured only when colours are on", () => {
  const plain = harness(false);
  plain.console_.warning("disk almost full");
  assert.equal(plain.text(), "*** WARNING: disk almost full ***\n");
  const output = new PassThrough();
  const coloured = new Console({
    input: new PassThrough(),
    output,
    interactive: false,
    color: true,
  });
  coloured.warning("x");
  const text = String(output.read());
  assert.notEqual(text, "*** WARNING: x ***\n");
  assert.equal(stripAnsi(text), "*** WARNING: x ***\n");
});

Deno.test("lesspipe prints everything when not interactive", async () => {
  const { console_, text } = harness(false, 3);
  await console_.lesspipe(["1", "2", "3", "4", "5"]);
  assert.equal(text(), "1\n2\n3\n4\n5\n");
});

Deno.test("lesspipe pages by rows - 1 lines when interactive; q stops", async () => {
  const { console_, input, text, waitFor } = harness(true, 3);
  async function* lines() {
    for (let i = 1; i <= 7; i++) yield String(i);
  }
  const done = console_.lesspipe(lines());
  let at = await waitFor("Press enter to continue...");
  assert.equal(text(), "1\n2\n  Press enter to continue...");
  input.write("\r");
  at = await waitFor("Press enter to continue...", at);
  input.write("q");
  await done;
  assert.equal(
    text(),
    "1\n2\n  Press enter to continue...\r\x1b[K3\n4\n  Press enter to continue...\n",
  );
});

Deno.test("lesspipe does not stop after the last page and goes on when the input ends", async () => {
  const { console_, input, text } = harness(true, 3);
  await console_.lesspipe(["1", "2"]);
  assert.equal(text(), "1\n2\n");
  input.end();
  await console_.lesspipe(["a", "b", "c"]);
  assert.equal(stripAnsi(text()), "1\n2\na\nb\n  Press enter to continue...\rc\n");
});

Deno.test("interactive input, choice and confirm are answered through the input stream", async () => {
  const { console_, input, waitFor } = harness(true);
  const name = console_.input("Your name", { default: "nobody" });
  let at = await waitFor("Your name");
  input.write("joe\r");
  assert.equal(await name, "joe");

  const keep = console_.input("Branch", { default: "main" });
  at = await waitFor("Branch", at);
  input.write("\r");
  assert.equal(await keep, "main");

  const env = console_.input("Env", { answers: ["dev", "prod"] });
  at = await waitFor("Env [dev,prod]", at);
  input.write("test\r");
  at = await waitFor("Invalid answer.", at);
  input.write("\x15prod\r"); // Ctrl-U clears the line
  assert.equal(await env, "prod");

  const pick = console_.choice("Pick", [["alpha", 1], ["beta", 2], ["gamma", 3]], { default: 2 });
  at = await waitFor("gamma", at);
  input.write("\x1b[B\r"); // Down from the preselected default
  assert.equal(await pick, 3);

  const yes = console_.confirm("Proceed?");
  at = await waitFor("Proceed? [y/n]", at);
  input.write("maybe\r");
  at = await waitFor("Please answer y or n.", at);
  input.write("\x15y\r");
  assert.equal(await yes, true);

  const no = console_.confirm("Delete?", { default: false });
  at = await waitFor("Delete?", at);
  input.write("\r");
  assert.equal(await no, false);
});

Deno.test("interactive password is masked in the output", async () => {
  const { console_, input, text, waitFor } = harness(true);
  const secret = console_.input("Password", { password: true });
  await waitFor("Password");
  input.write("s3cret\r");
  assert.equal(await secret, "s3cret");
  assert.ok(!text().includes("s3cret"));
  assert.ok(stripAnsi(text()).includes("******"));
});

Deno.test("end of input and Ctrl-C turn into NoInputError", async () => {
  const closed = harness(true);
  const asked = closed.console_.input("Git commit");
  await closed.waitFor("Git commit");
  closed.input.end();
  await assert.rejects(asked, (error: unknown) => {
    assert.ok(error instanceof NoInputError);
    assert.equal(error.message, 'Cannot ask "Git commit": the input was closed');
    return true;
  });
  await assert.rejects(() => closed.console_.confirm("Again?"), /the input is closed/);

  const interrupted = harness(true);
  const pick = interrupted.console_.choice("Pick", [["a", 1], ["b", 2]]);
  await interrupted.waitFor("Pick");
  interrupted.input.write("\x03");
  await assert.rejects(pick, /Cannot ask "Pick": interrupted/);
});

Deno.test("the streams, size and flags are exposed", () => {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 132, rows: 50 });
  const console_ = new Console({ input, output, interactive: true });
  assert.equal(console_.inputStream, input);
  assert.equal(console_.outputStream, output);
  assert.equal(console_.isInteractive, true);
  assert.equal(console_.color, false);
  assert.equal(console_.columns, 132);
  assert.equal(console_.rows, 50);
  const bare = new Console({ input, output: new PassThrough(), interactive: false });
  assert.equal(bare.columns, 80);
  assert.equal(bare.rows, 24);
});

/**
 * Runs `code` (after an import of the console as `Console`) as a script without any
 * permission, in a temporary HOME; returns what it printed, after checking it exited 0.
 */
async function runWithoutPermissions(code: string, flags: string[] = []): Promise<string> {
  await using scratch = await tempDir("deployer-console-script-");
  const script = `${scratch.path}/main.ts`;
  const url = new URL("../../src/console/mod.ts", import.meta.url).href;
  await Deno.writeTextFile(script, `import { Console } from ${JSON.stringify(url)};\n${code}`);
  await using home = await tempHome();
  const { code: exit, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, script],
    env: home.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(exit, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

Deno.test("importing the console needs no permission", async () => {
  const stdout = await runWithoutPermissions(
    `const c = Console.fromProcess();\n` +
      `c.write(String(c.isInteractive) + "\\n");\n` +
      `console.log(await c.input("Q", { default: "d" }));\n`,
  );
  assert.equal(stdout, "false\n  Q (default=d): [non interactive] d\nd\n");
});

Deno.test("lesspipe keeps keys that arrived together for the next page", async () => {
  const { console_, input, text } = harness(true, 3);
  input.write("\rq"); // typed ahead: Enter for page one, q for page two
  await console_.lesspipe(["1", "2", "3", "4", "5", "6", "7"]);
  assert.equal(
    stripAnsi(text()),
    "1\n2\n  Press enter to continue...\r3\n4\n  Press enter to continue...\n",
  );
});

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("an interactive question without env permission says what is missing", async () => {
  const stdout = await runWithoutPermissions(
    `import { PassThrough } from "node:stream";\n` +
      `const c = new Console({ input: new PassThrough(), output: new PassThrough(), interactive: true });\n` +
      `try { await c.input("Q"); } catch (error) { console.log(String(error)); }\n`,
    [`--config=${CONFIG}`],
  );
  assert.equal(
    stdout,
    'DeployerError: Cannot ask "Q": interactive prompts need environment access (run with --allow-env)\n',
  );
});

// Generated round trips: hundreds of hostile strings, built deterministically from a seeded
// PRNG, go through `sh` quoting into real shells (dash as /bin/sh, bash, nested sh -c,
// compose() with a hostile cwd and env, sudo) and must come out byte for byte.
import assert from "node:assert/strict";
import { compose, quote, raw, sh, type ShellCommand } from "../../src/command/mod.ts";
import { sudoWorks } from "../_support/sudo.ts";

const ALPHABET = [
  ..."'\"`$()\\;&|<>*?[]{}~!#%=^,.:@+-_/ \n\t\r",
  ..."abcXYZ019",
  "é",
  "ü",
  "漢",
  "字",
  "😀",
  "👍🏽",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\x01",
  "\x07",
  "\x08",
  "\x0b",
  "\x0c",
  "\x1b",
  "\x1f",
  "\x7f",
  "\u0085",
];

const FIXED = [
  "",
  " ",
  "-",
  "--",
  "-rf",
  "--help",
  "-n",
  "-e",
  "'",
  "''",
  "'\"'\"'",
  '"',
  "\\",
  "\\'",
  "'\\''",
  "$(id)",
  "`id`",
  "${HOME}",
  "$HOME",
  "$1",
  "$@",
  "*",
  "?",
  "[a-z]",
  "{a,b}",
  "~",
  "~root",
  "!",
  "!!",
  "#",
  "# comment",
  "%s%n",
  "\n",
  "\n\n",
  "\t",
  "\r",
  "\r\n",
  "a b",
  "it's",
  "é",
  "漢字",
  "😀",
  "\x1b[31mred\x1b[0m",
  "; rm -rf / #",
  "&& reboot",
  "| cat /etc/shadow",
  "> /tmp/x",
  "a\nb'c\"d$e`f\\g",
  "'".repeat(200),
  "\\".repeat(101),
];

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileStrings(count: number, seed: number): string[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const out = [...FIXED];
  while (out.length < count) {
    const roll = random();
    const length = roll < 0.05 ? 500 + Math.floor(random() * 3000) : Math.floor(random() * 40);
    let s = "";
    for (let i = 0; i < length; i++) s += pick(ALPHABET);
    if (random() < 0.15) s = pick(["-", "--", "-x", "--opt="]) + s;
    out.push(s);
  }
  return out;
}

const VALUES = hostileStrings(640, 20240607);

/** Splits values into batches whose quoted form stays well under one argv string's limit. */
function batches(values: readonly string[], budget: number): string[][] {
  const result: string[][] = [[]];
  let size = 0;
  for (const v of values) {
    const cost = quote(v).length + 1;
    if (size + cost > budget && result.at(-1)!.length) {
      result.push([]);
      size = 0;
    }
    result.at(-1)!.push(v);
    size += cost;
  }
  return result;
}

async function exec(program: string, args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return out.stdout;
}

/** The NUL-separated strings printed by `printf '%s\0'`, decoded strictly. */
function split(bytes: Uint8Array): string[] {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  assert.ok(text.endsWith("\0") || text === "");
  return text === "" ? [] : text.slice(0, -1).split("\0");
}

function expectedBytes(values: readonly string[]): Uint8Array {
  return new TextEncoder().encode(values.map((v) => `${v}\0`).join(""));
}

function printAll(values: readonly string[]): ShellCommand {
  return sh`printf '%s\\0' ${values}`;
}

async function hasBash(): Promise<boolean> {
  try {
    return (await new Deno.Command("bash", { args: ["-c", "true"] }).output()).success;
  } catch {
    return false;
  }
}

Deno.test("round trip: the generated set is large, hostile and deterministic", () => {
  assert.ok(VALUES.length >= 500);
  assert.deepEqual(hostileStrings(640, 20240607), VALUES);
  assert.ok(VALUES.every((v) => !v.includes("\0")));
  assert.ok(VALUES.some((v) => v.length > 1000));
  for (const c of ["'", '"', "`", "$", "\\", "\n", "\r", "\t", "😀", "漢", "\x1b"]) {
    assert.ok(VALUES.filter((v) => v.includes(c)).length > 20, `few values contain ${c}`);
  }
});

Deno.test("round trip: every value through /bin/sh (dash) unchanged", async () => {
  let checked = 0;
  for (const batch of batches(VALUES, 60_000)) {
    const out = await exec("/bin/sh", ["-c", printAll(batch).text]);
    assert.deepEqual(split(out), batch);
    assert.deepEqual(out, expectedBytes(batch));
    checked += batch.length;
  }
  assert.equal(checked, VALUES.length);
});

Deno.test({
  name: "round trip: every value through bash unchanged",
  ignore: !(await hasBash()),
  async fn() {
    for (const batch of batches(VALUES, 60_000)) {
      const out = await exec("bash", ["-c", printAll(batch).text]);
      assert.deepEqual(out, expectedBytes(batch));
    }
  },
});

Deno.test("round trip: one value per argument, each its own interpolation", async () => {
  for (const batch of batches(VALUES, 60_000)) {
    const script = sh`set -- ${batch}; printf '%s\\0' "$#"; for a do printf '%s\\0' "$a"; done`;
    const out = split(await exec("/bin/sh", ["-c", script.text]));
    assert.equal(out[0], String(batch.length));
    assert.deepEqual(out.slice(1), batch);
  }
});

Deno.test("round trip: nested sh -c two levels deep (dash, then bash inside)", async () => {
  for (const batch of batches(VALUES, 12_000)) {
    const inner = printAll(batch);
    const middle = sh`sh -c ${inner.text}`;
    const outer = sh`bash -c ${middle.text}`;
    assert.deepEqual(await exec("/bin/sh", ["-c", outer.text]), expectedBytes(batch));
  }
});

Deno.test("round trip: through compose() with a hostile cwd, env and prefix", async () => {
  const base = await Deno.makeTempDir({ prefix: "deployer-rt-" });
  const dir = `${base}/-rt 'q' "d" $(x) \`y\` é漢😀 * ; & |\n\t~\\`;
  await Deno.mkdir(dir);
  try {
    const envValues = VALUES.slice(0, 40);
    for (const batch of batches(VALUES, 40_000)) {
      const cmd = sh`printf '%s\\0' "$PWD" ${
        raw(envValues.map((_, i) => `"$V${i}"`).join(" "))
      } ${batch}`;
      const composed = compose(cmd, {
        cwd: dir,
        term: "it's",
        env: envValues.map((v, i) => [`V${i}`, v] as const),
        prefixes: [sh`test "$PWD" = ${dir}`, sh`test "$TERM" = ${"it's"}`],
        stdinNull: true,
      });
      const out = await exec("/bin/sh", ["-c", composed.text]);
      assert.deepEqual(split(out), [dir, ...envValues, ...batch]);
      assert.deepEqual(composed.masked, composed.text);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test({
  name: "round trip: through compose() with sudo -n as another user",
  ignore: !(await sudoWorks()),
  async fn() {
    for (const batch of batches(VALUES, 30_000)) {
      const composed = compose(printAll(batch), { sudo: { user: "nobody" }, cwd: "/" });
      assert.deepEqual(await exec("/bin/sh", ["-c", composed.text]), expectedBytes(batch));
    }
  },
});

import assert from "node:assert/strict";
import { type DocExample, extractExamples, judge } from "../../tools/check_doc_examples.ts";

const FENCE = "```";

/** A source file with one JSDoc comment holding the given fences (each a list of lines). */
function source(...fences: [info: string, lines: string[]][]): string {
  const body = fences.flatMap(([info, lines]) => [
    ` * ${FENCE}${info}`,
    ...lines.map((l) => ` * ${l}`),
    ` * ${FENCE}`,
    " *",
  ]);
  return ["/**", " * Docs.", " *", ...body, " */", "export const x = 1;", ""].join("\n");
}

function example(code: string[], file = "src/a/b.ts", info = "ts"): DocExample {
  return { file, line: 1, info, code: code.join("\n") };
}

const STRICT = 'import assert from "node:assert/strict";';

Deno.test("extractExamples finds JSDoc fences with their line, info and code", () => {
  const text = source(["ts", ["f();", "  g();"]], ["sh", ["deno run x.ts"]]) +
    "/* ```ts\nnot(jsdoc);\n``` */\n// ```ts\n";
  assert.deepEqual(extractExamples("x.ts", text), [
    { file: "x.ts", line: 4, info: "ts", code: "f();\n  g();" },
    { file: "x.ts", line: 9, info: "sh", code: "deno run x.ts" },
  ]);
});

Deno.test("judge: an example that asserts with node:assert/strict passes", () => {
  const verdict = judge(example([STRICT, 'import { f } from "./b.ts";', "assert.equal(f(), 1);"]));
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.verdict, "asserts");
});

Deno.test("judge: console.assert, no assertion and a loose assert module fail", () => {
  assert.deepEqual(judge(example(["console.assert(f() === 1);"])).problems, [
    "uses console.assert, which does not throw: use assert from node:assert/strict",
    'asserts nothing: add `import assert from "node:assert/strict";` and check a result',
  ]);
  assert.deepEqual(judge(example(["f();"])).problems, [
    'asserts nothing: add `import assert from "node:assert/strict";` and check a result',
  ]);
  assert.deepEqual(
    judge(example(['import assert from "node:assert";', "assert.ok(f());"])).problems,
    [
      'imports another assert module: use `import assert from "node:assert/strict";`',
      'asserts nothing: add `import assert from "node:assert/strict";` and check a result',
    ],
  );
  // An import of assert alone is no assertion.
  assert.equal(judge(example([STRICT, "f();"])).problems.length, 1);
});

Deno.test("judge: checking only that a function exists fails", () => {
  const checks = [
    'assert.equal(typeof f, "function");',
    'assert.ok(typeof f === "function");',
    "assert.equal(f.length, 2);",
    "assert.ok(f);",
  ];
  for (const check of checks) {
    assert.deepEqual(judge(example([STRICT, 'import { f } from "./b.ts";', check])).problems, [
      "only checks that something exists: call it and check what it returns",
    ]);
  }
  assert.deepEqual(
    judge(example([STRICT, 'assert.equal(typeof f, "function");', "assert.equal(f(), 1);"]))
      .problems,
    [],
  );
});

Deno.test("judge: the illustrative opt-out needs a reason and does not excuse console.assert", () => {
  assert.equal(
    judge(example(["// Illustrative: needs a server.", "f();"])).verdict,
    "illustrative",
  );
  assert.deepEqual(judge(example(["// Illustrative: needs a server.", "f();"])).problems, []);
  assert.equal(judge(example(["// Illustrative:", "f();"])).problems.length, 1);
  assert.equal(
    judge(example(["// Illustrative: needs a server.", "console.assert(f());"])).problems.length,
    1,
  );
  // `ts ignore` fences are examples too: without the opt-out they fail.
  assert.equal(judge(example(["f();"], "src/a/b.ts", "ts ignore")).problems.length, 1);
});

Deno.test("judge: examples import from modules, not the package root (except mod.ts itself)", () => {
  const code = [STRICT, 'import { sh } from "../../mod.ts";', 'assert.equal(sh`ls`.text, "ls");'];
  assert.deepEqual(judge(example(code, "src/command/sh.ts")).problems, [
    "imports ../../mod.ts: import from the module's own file instead",
  ]);
  assert.deepEqual(judge(example(code, "src/command/x/y.ts")).problems, []); // src/mod.ts
  const root = [STRICT, 'import { sh } from "./mod.ts";', 'assert.equal(sh`ls`.text, "ls");'];
  assert.deepEqual(judge(example(root, "mod.ts")).problems, []);
});

Deno.test("judge: fences in other languages are not examples", () => {
  assert.deepEqual(judge(example(["console.assert(1)"], "cli.ts", "sh")), {
    example: example(["console.assert(1)"], "cli.ts", "sh"),
    verdict: "not-code",
    problems: [],
  });
});

Deno.test("the command fails with file:line on a planted console.assert and passes once fixed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "check_doc_examples_test_" });
  try {
    await Deno.mkdir(`${dir}/src/a`, { recursive: true });
    const file = `${dir}/src/a/b.ts`;
    await Deno.writeTextFile(
      file,
      source(["ts", ["import { x } from './b.ts';", "console.assert(x === 2);"]]),
    );
    const run = async () => {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          new URL("../../tools/check_doc_examples.ts", import.meta.url).pathname,
          "src",
        ],
        cwd: dir,
      }).output();
      return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
    };
    const bad = await run();
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^src\/a\/b\.ts:4: uses console\.assert/m);
    assert.match(
      bad.out,
      /1 doc examples: 0 assert with node:assert\/strict, 0 illustrative; 1 with problems/,
    );

    await Deno.writeTextFile(
      file,
      source(["ts", [STRICT, "import { x } from './b.ts';", "assert.equal(x, 1);"]]),
    );
    const good = await run();
    assert.equal(good.err, "");
    assert.equal(good.code, 0);
    assert.equal(
      good.out,
      "1 doc examples: 1 assert with node:assert/strict, 0 illustrative; 0 with problems\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

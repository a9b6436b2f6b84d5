import assert from "node:assert/strict";
import { type Edge, graphOf, problems } from "../../tools/check_layers.ts";

Deno.test("problems: downward imports pass; upward, sideways and outside imports fail", () => {
  const ok: Edge[] = [
    { from: "src/exec/env.ts", to: "src/host/handle.ts", kind: "code" },
    { from: "src/host/run.ts", to: "src/command/sh.ts", kind: "code" },
    { from: "src/host/run.ts", to: "src/host/connection.ts", kind: "type" },
    { from: "src/version.ts", to: "deno.json", kind: "code" },
  ];
  assert.deepEqual(problems(ok), []);
  assert.deepEqual(problems([{ from: "src/host/a.ts", to: "src/node/b.ts", kind: "type" }]), [
    "upward import (type): src/host/a.ts [host] imports src/node/b.ts [node]",
  ]);
  assert.deepEqual(problems([{ from: "src/command/a.ts", to: "src/console/b.ts", kind: "code" }]), [
    "sideways import (code): src/command/a.ts [command] imports src/console/b.ts [console]",
  ]);
  assert.deepEqual(problems([{ from: "src/cli/a.ts", to: "examples/b.ts", kind: "code" }]), [
    "outside src/: src/cli/a.ts imports examples/b.ts",
  ]);
  assert.match(
    problems([{ from: "src/new/a.ts", to: "src/host/b.ts", kind: "code" }])[0],
    /no layer/,
  );
});

Deno.test("problems: a cycle inside one unit is found, type-only and dynamic imports too", () => {
  const cycle: Edge[] = [
    { from: "src/host/a.ts", to: "src/host/b.ts", kind: "code" },
    { from: "src/host/b.ts", to: "src/host/c.ts", kind: "type" },
    { from: "src/host/c.ts", to: "src/host/a.ts", kind: "dynamic" },
  ];
  assert.deepEqual(problems(cycle), [
    "import cycle: src/host/a.ts -> src/host/b.ts -> src/host/c.ts -> src/host/a.ts",
  ]);
});

Deno.test("graphOf reads deno info: a planted type-only cycle and an upward import fail", async () => {
  const dir = await Deno.makeTempDir({ prefix: "check_layers_test_" });
  try {
    await Deno.mkdir(`${dir}/src/host`, { recursive: true });
    await Deno.mkdir(`${dir}/src/node`, { recursive: true });
    await Deno.writeTextFile(`${dir}/deno.json`, "{}\n");
    await Deno.writeTextFile(
      `${dir}/src/host/a.ts`,
      'import { b } from "./b.ts";\nexport const a = (): number => b;\n',
    );
    await Deno.writeTextFile(
      `${dir}/src/host/b.ts`,
      'import type { a } from "./a.ts";\nimport type { N } from "../node/n.ts";\n' +
        "export const b = 1;\nexport type B = typeof a | N;\n",
    );
    await Deno.writeTextFile(`${dir}/src/node/n.ts`, "export type N = string;\n");
    const found = problems(await graphOf(dir));
    assert.deepEqual(found.sort(), [
      "import cycle: src/host/a.ts -> src/host/b.ts -> src/host/a.ts",
      "upward import (type): src/host/b.ts [host] imports src/node/n.ts [node]",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the project's own src/ has no cycle and no upward import", async () => {
  assert.deepEqual(problems(await graphOf(new URL("../..", import.meta.url).pathname)), []);
});

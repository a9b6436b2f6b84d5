import assert from "node:assert/strict";
import { scanImports } from "../../src/cli/imports.ts";

const specifiers = (source: string): string[] => scanImports(source).map((r) => r.specifier);

Deno.test("imports: static, re-export, side effect, default + named, multi-line", () => {
  const source = [
    `import a from "./a.ts";`,
    `import * as b from './b.ts';`,
    `import c, { d as e } from "./c.ts"`,
    `import {`,
    `  f,`,
    `  g,`,
    `} from "../f.ts";`,
    `import "./side.ts";`,
    `export { h } from "https://x.org/h.ts";`,
    `export * as i from "./i.ts";`,
    `import data from "./data.json" with { type: "json" };`,
  ].join("\n");
  assert.deepEqual(specifiers(source), [
    "./a.ts",
    "./b.ts",
    "./c.ts",
    "../f.ts",
    "./side.ts",
    "https://x.org/h.ts",
    "./i.ts",
    "./data.json",
  ]);
});

Deno.test("imports: type-only imports are left out; mixed ones are kept", () => {
  const source = [
    `import type { A } from "./types.ts";`,
    `import type B from "./b_types.ts";`,
    `export type { C } from "./c_types.ts";`,
    `import { type D, e } from "./mixed.ts";`,
    `import type from "./named_type.ts";`,
  ].join("\n");
  assert.deepEqual(specifiers(source), ["./mixed.ts", "./named_type.ts"]);
});

Deno.test("imports: comments, strings, templates and regexes that look like imports are skipped", () => {
  const source = [
    `// import "./line_comment.ts";`,
    `/* import x from "./block_comment.ts"; */`,
    'const t = `import y from "./template.ts" ${`nested ${1} import("./n.ts")`} done`;',
    `const s = 'from "./string.ts"';`,
    `const r = /import "\\.\\/regex.ts"/g;`,
    `const half = 10 / 2; const again = half / 5; // from "./division.ts"`,
    `const o = { f() { return 1; } };`,
    `import z from "./real.ts";`,
    'const u = `${o.f()}`; import("./lazy.ts");',
  ].join("\n");
  assert.deepEqual(specifiers(source), ["./real.ts", "./lazy.ts"]);
});

Deno.test("imports: dynamic imports with a plain string only; import.meta is not an import", () => {
  const source = [
    `const a = await import("./a.ts");`,
    `const b = await import("./b.json", { with: { type: "json" } });`,
    `const c = await import("./c_" + name + ".ts");`,
    `const d = import.meta.resolve("./d.ts");`,
    "const e = await import(`./e_${name}.ts`);",
    `obj.import("./f.ts");`,
  ].join("\n");
  assert.deepEqual(specifiers(source), ["./a.ts", "./b.json"]);
});

Deno.test("imports: positions point inside the quotes", () => {
  const source = `import { x } from "./x.ts";\nimport("./y.ts");\n`;
  const refs = scanImports(source);
  assert.deepEqual(refs.map((r) => source.slice(r.start, r.end)), ["./x.ts", "./y.ts"]);
});

/**
 * Checks the code examples in JSDoc comments (the ones `deno test --doc` type-checks and
 * runs): each must assert with `node:assert/strict`, because `console.assert` only prints
 * and a false check would still pass. An example that cannot assert anything (it needs a
 * real remote host, say) opts out with a comment line `// Illustrative: <why>`.
 *
 * Usage: `deno run --allow-read tools/check_doc_examples.ts [files or directories...]`
 * (default: mod.ts, cli.ts and src/). Prints `file:line: problem` for every bad example
 * and exits with 1 if there is any; `--list` also prints every example found.
 *
 * @module
 */

/** One fenced code block found in a JSDoc comment. */
export interface DocExample {
  /** The file, as given or found under a given directory. */
  file: string;
  /** The 1-based line of the opening fence. */
  line: number;
  /** The fence's info string (`ts`, `ts ignore`, ...). */
  info: string;
  /** The code, without the comment's leading `*`. */
  code: string;
}

/** How an example was judged. */
export type Verdict = "asserts" | "illustrative" | "not-code";

/** The verdict on one example, with the problems found (none when it is fine). */
export interface Judgement {
  /** The example judged. */
  example: DocExample;
  /** What kind of example it is. */
  verdict: Verdict;
  /** What is wrong with it, if anything. */
  problems: string[];
}

const DOC_TEST_LANGUAGES = new Set([
  "",
  "js",
  "javascript",
  "mjs",
  "cjs",
  "jsx",
  "ts",
  "typescript",
  "mts",
  "cts",
  "tsx",
]);
const OPT_OUT = /^\s*\/\/ Illustrative: \S/m;
const STRICT_IMPORT = /^\s*import\s+assert\s+from\s+["']node:assert\/strict["'];?\s*$/m;
const LOOSE_IMPORT = /from\s+["']node:assert["']|from\s+["']@std\/assert|jsr:@std\/assert/;
const ASSERT_CALL = /\bassert(?:\.\w+)?\s*\(/;
const IMPORT_FROM = /\bfrom\s+["']([^"']+)["']/g;
const TYPEOF_FUNCTION =
  /^\s*assert(?:\.\w+)?\s*\(\s*typeof\s+[\w.$]+\s*(?:===|,)\s*["']function["']/;
const NAMED_IMPORTS = /^\s*import\s+(?:type\s+)?(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s/gm;

/** The local names an example imports (besides `assert`). */
function importedNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const [, first, list] of code.matchAll(NAMED_IMPORTS)) {
    if (first && first !== "assert") names.add(first);
    for (const item of (list ?? "").split(",")) {
      const name = item.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop();
      if (name) names.add(name);
    }
  }
  return names;
}

/**
 * Whether an assertion only checks that an imported thing exists: `typeof f === "function"`,
 * its arity (`f.length`), or its truthiness (`assert.ok(f)`).
 */
function existenceOnly(line: string, imported: Set<string>): boolean {
  if (TYPEOF_FUNCTION.test(line)) return true;
  const arity = /^\s*assert\.equal\(\s*(\w+)\.length\s*,\s*\d+\s*\);?\s*$/.exec(line);
  const truthy = /^\s*assert(?:\.ok)?\(\s*(\w+)\s*\);?\s*$/.exec(line);
  const name = arity?.[1] ?? truthy?.[1];
  return name !== undefined && imported.has(name);
}

/**
 * Finds the fenced code blocks of the JSDoc comments (`/** ... *\/`) in a source text.
 * Comments are recognised by a line starting with `/**`, as `deno fmt` lays them out.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractExamples } from "./check_doc_examples.ts";
 * const fence = "\u0060".repeat(3); // a literal fence would end this example
 * const source = ["/**", ` * ${fence}ts`, " * f();", ` * ${fence}`, " *\/", "export const f = 1;"]
 *   .join("\n");
 * const [example] = extractExamples("f.ts", source);
 * assert.deepEqual(example, { file: "f.ts", line: 2, info: "ts", code: "f();" });
 * ```
 */
export function extractExamples(file: string, text: string): DocExample[] {
  const lines = text.split("\n");
  const examples: DocExample[] = [];
  let inComment = false;
  let fence: { line: number; info: string; ticks: string; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (!inComment) {
      if (!raw.trimStart().startsWith("/**")) continue;
      inComment = true;
    }
    const ends = raw.includes("*/");
    const content = raw.replace(/^\s*(?:\/\*\*|\*(?!\/))? ?/, "").replace(/\s*\*\/\s*$/, "");
    const marker = /^(`{3,}|~{3,})\s*(.*)$/.exec(content.trim());
    if (fence) {
      if (marker && marker[1].startsWith(fence.ticks) && marker[2] === "") {
        examples.push({ file, line: fence.line, info: fence.info, code: fence.body.join("\n") });
        fence = undefined;
      } else {
        fence.body.push(content);
      }
    } else if (marker) {
      fence = { line: i + 1, info: marker[2].trim(), ticks: marker[1], body: [] };
    }
    if (ends) {
      inComment = false;
      fence = undefined; // an unclosed fence ends with its comment
    }
  }
  return examples;
}

/**
 * Whether an import specifier of an example in `file` names the package root `mod.ts`
 * (paths relative to the working directory, as the files are given).
 */
function importsRoot(file: string, specifier: string): boolean {
  if (!specifier.startsWith(".")) return false;
  const parts = file.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") {
      if (parts.length === 0 || parts[parts.length - 1] === "..") parts.push("..");
      else parts.pop();
    } else if (part !== ".") parts.push(part);
  }
  return parts.join("/") === "mod.ts" && file !== "mod.ts";
}

/**
 * Judges one example: code blocks must assert with `node:assert/strict` (or carry the
 * `// Illustrative: <why>` opt-out), never use `console.assert`, check more than that
 * a function exists, and (outside `mod.ts`) import from modules, not the package root.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { judge } from "./check_doc_examples.ts";
 * const code = "console" + ".assert(f() === 1);"; // split so that this checker passes itself
 * const { verdict, problems } = judge({ file: "f.ts", line: 1, info: "ts", code });
 * assert.equal(verdict, "asserts");
 * assert.equal(problems.length, 2);
 * assert.match(problems[0], /uses console\.assert/);
 * assert.match(problems[1], /asserts nothing/);
 * ```
 */
export function judge(example: DocExample): Judgement {
  const language = example.info.split(/[\s,{]/)[0].toLowerCase();
  if (!DOC_TEST_LANGUAGES.has(language)) return { example, verdict: "not-code", problems: [] };
  const code = example.code;
  const problems: string[] = [];
  if (/\bconsole\.assert\b/.test(code)) {
    problems.push("uses console.assert, which does not throw: use assert from node:assert/strict");
  }
  for (const [, specifier] of code.matchAll(IMPORT_FROM)) {
    if (importsRoot(example.file, specifier)) {
      problems.push(`imports ${specifier}: import from the module's own file instead`);
    }
  }
  if (LOOSE_IMPORT.test(code)) {
    problems.push('imports another assert module: use `import assert from "node:assert/strict";`');
  }
  if (OPT_OUT.test(code)) return { example, verdict: "illustrative", problems };
  const calls = code.split("\n").filter((line) =>
    ASSERT_CALL.test(line.replace(/^\s*import.*$/, ""))
  );
  if (!STRICT_IMPORT.test(code) || calls.length === 0) {
    problems.push(
      'asserts nothing: add `import assert from "node:assert/strict";` and check a result',
    );
  } else if (calls.every((line) => existenceOnly(line, importedNames(code)))) {
    problems.push("only checks that something exists: call it and check what it returns");
  }
  return { example, verdict: "asserts", problems };
}

async function* sourceFiles(path: string): AsyncGenerator<string> {
  const info = await Deno.stat(path);
  if (info.isFile) {
    if (/\.(?:[mc]?ts|tsx|[mc]?js|jsx)$/.test(path)) yield path;
    return;
  }
  const entries: string[] = [];
  for await (const entry of Deno.readDir(path)) entries.push(entry.name);
  for (const name of entries.sort()) yield* sourceFiles(`${path.replace(/\/$/, "")}/${name}`);
}

async function main(args: string[]): Promise<number> {
  const list = args.includes("--list");
  const roots = args.filter((a) => a !== "--list");
  const judgements: Judgement[] = [];
  for (const root of roots.length > 0 ? roots : ["mod.ts", "cli.ts", "src"]) {
    for await (const file of sourceFiles(root)) {
      const text = await Deno.readTextFile(file);
      judgements.push(...extractExamples(file, text).map(judge));
    }
  }
  let bad = 0;
  for (const { example, verdict, problems } of judgements) {
    if (list) console.log(`${example.file}:${example.line}: ${verdict} (${example.info})`);
    for (const problem of problems) console.error(`${example.file}:${example.line}: ${problem}`);
    if (problems.length > 0) bad++;
  }
  const code = judgements.filter((j) => j.verdict !== "not-code");
  const count = (v: Verdict) =>
    code.filter((j) => j.verdict === v && j.problems.length === 0).length;
  console.log(
    `${code.length} doc examples: ${count("asserts")} assert with node:assert/strict, ` +
      `${count("illustrative")} illustrative; ${bad} with problems`,
  );
  return bad > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * Checks the module graph of `src/`: no import cycle (value, type or dynamic import) and no
 * import that points up the layer order. Reads the graph from `deno info --json`.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run tools/check_layers.ts [project-dir]
 * ```
 *
 * The layers, lowest first. A module may import modules of its own unit and of units in a
 * lower layer, never a unit of its own layer or of a higher one:
 *
 * | layer | units                              | what lives there                                  |
 * | ----- | ---------------------------------- | ------------------------------------------------- |
 * | 0     | `brands.ts`, `version.ts`          | the cross-copy `Symbol.for` brands, the version   |
 * | 1     | `errors.ts`                        | the error classes                                 |
 * | 2     | `command/`, `console/`, `outcome.ts` | the `sh` tag; prompts and progress; per-host outcomes |
 * | 3     | `host/`                            | hosts, connections, `HostSet`                     |
 * | 4     | `node/`                            | the node tree (nodes hold hosts, so it sits on host/) |
 * | 5     | `exec/`                            | `Env`, loggers, parallel actions                  |
 * | 6     | `shell/`                           | the interactive shell                             |
 * | 7     | `cli/`                             | the command line                                  |
 * | 8     | `contrib/`, `testing/`             | reusable nodes; test hosts                        |
 *
 * Nothing in `src/` may import a file outside it, except `deno.json` (the version).
 *
 * @module
 */

/** The layers, lowest first: each entry lists the units of one layer. */
export const LAYERS: readonly (readonly string[])[] = [
  ["brands.ts", "version.ts"],
  ["errors.ts"],
  ["command", "console", "outcome.ts"],
  ["host"],
  ["node"],
  ["exec"],
  ["shell"],
  ["cli"],
  ["contrib", "testing"],
];

/** Files outside `src/` that `src/` may import. */
const ALLOWED_OUTSIDE = new Set(["deno.json"]);

/** One import between two files, both given relative to the project directory. */
export interface Edge {
  /** The importing file, e.g. `src/host/files.ts`. */
  from: string;
  /** The imported file. */
  to: string;
  /** `code`, `type` (type-only) or `dynamic`. */
  kind: "code" | "type" | "dynamic";
}

/** The unit of a file in `src/`: its first directory, or the file name for a top-level file. */
export function unitOf(path: string): string {
  const parts = path.split("/");
  return parts[1];
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((units) => units.includes(unit));
}

/**
 * Every problem in a graph of `src/` imports: cycles (as paths), imports outside `src/`,
 * modules in no layer, and imports that do not point down.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { problems } from "./check_layers.ts";
 * assert.deepEqual(problems([{ from: "src/exec/a.ts", to: "src/host/b.ts", kind: "code" }]), []);
 * assert.equal(problems([{ from: "src/host/b.ts", to: "src/exec/a.ts", kind: "type" }]).length, 1);
 * ```
 */
export function problems(edges: readonly Edge[]): string[] {
  const found: string[] = [];
  const inSrc = edges.filter((e) => e.from.startsWith("src/"));
  for (const e of inSrc) {
    if (!e.to.startsWith("src/")) {
      if (!ALLOWED_OUTSIDE.has(e.to)) found.push(`outside src/: ${e.from} imports ${e.to}`);
      continue;
    }
    const [a, b] = [unitOf(e.from), unitOf(e.to)];
    if (a === b) continue;
    const [la, lb] = [layerOf(a), layerOf(b)];
    if (la < 0) found.push(`no layer: ${a} (${e.from}); add it to LAYERS in tools/check_layers.ts`);
    else if (lb < 0) {
      found.push(`no layer: ${b} (${e.to}); add it to LAYERS in tools/check_layers.ts`);
    } else if (lb >= la) {
      const how = lb === la ? "sideways" : "upward";
      found.push(`${how} import (${e.kind}): ${e.from} [${a}] imports ${e.to} [${b}]`);
    }
  }
  for (const cycle of cycles(inSrc.filter((e) => e.to.startsWith("src/")))) {
    found.push(`import cycle: ${cycle.join(" -> ")}`);
  }
  return found;
}

/** One cycle (as a path that returns to its start) per strongly connected component. */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, []);
    next.get(e.from)!.push(e.to);
  }
  // Tarjan's algorithm, iterative enough for a few hundred modules.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (next.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => pathThrough(component, next));
}

/** A shortest cycle through the first (sorted) module of a strongly connected component. */
function pathThrough(component: string[], next: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = cameFrom.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

interface InfoDependency {
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/**
 * Reads the import graph of every `.ts` file below `<dir>/src` with `deno info --json`.
 *
 * @example Usage
 * ```ts ignore
 * const edges = await graphOf(Deno.cwd());
 * ```
 */
export async function graphOf(dir: string): Promise<Edge[]> {
  const root = new URL(`file://${await Deno.realPath(dir)}/`);
  const files: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    for await (const entry of Deno.readDir(new URL(sub, root))) {
      const path = `${sub}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (entry.isFile && path.endsWith(".ts")) files.push(path);
    }
  };
  await walk("src/");
  // One `deno info` over a throwaway module that imports every file of src/.
  const tmp = await Deno.makeTempDir({ prefix: "check_layers_" });
  try {
    const entry = `${tmp}/all.ts`;
    await Deno.writeTextFile(entry, files.map((f) => `import "${new URL(f, root)}";\n`).join(""));
    const config = new URL("deno.json", root).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--no-lock", `--config=${config}`, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr)}`);
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: InfoModule[] };
    const edges: Edge[] = [];
    const local = (specifier: string): string | undefined =>
      specifier.startsWith(root.href) ? specifier.slice(root.href.length) : undefined;
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (from === undefined) continue;
      for (const dep of module.dependencies ?? []) {
        const to = local(dep.code?.specifier ?? dep.type?.specifier ?? "");
        if (to === undefined) continue;
        const kind = dep.isDynamic ? "dynamic" : dep.code ? "code" : "type";
        edges.push({ from, to, kind });
      }
    }
    return edges;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? ".";
  const edges = await graphOf(dir);
  const found = problems(edges);
  const modules = new Set(edges.flatMap((e) => [e.from, e.to]).filter((p) => p.startsWith("src/")));
  for (const line of found) console.error(line);
  console.log(
    `check_layers: ${modules.size} modules, ${edges.length} imports in src/, ` +
      `${found.filter((l) => l.startsWith("import cycle")).length} cycles, ` +
      `${found.filter((l) => !l.startsWith("import cycle")).length} layer violations`,
  );
  if (found.length > 0) Deno.exit(1);
}

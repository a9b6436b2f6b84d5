/**
 * The commands of the SCP shell: remote `cd pwd ls stat view edit connect`, local
 * `lcd lpwd lls lstat lview`, transfers `put get`, and `help clear exit`.
 *
 * @module
 */
import { posix } from "node:path";
import type { Stat } from "../../host/connection.ts";
import type { ArgumentKind } from "./complete.ts";
import { remotePath, resolveIn, type ScpState, shown } from "./state.ts";
import { edit, get, put } from "./transfer.ts";

/** One command of the SCP shell. */
export interface ScpCommand {
  /** The word that runs it. */
  readonly name: string;
  /** Its argument as `help` shows it. */
  readonly usage: string;
  /** One line of help. */
  readonly help: string;
  /** What its argument is, for completion. */
  readonly kind: ArgumentKind;
  /** Whether the argument is required. */
  readonly needsArgument?: boolean;
  /** Runs it; resolves to `"exit"` to leave the shell. */
  run(state: ScpState, arg: string | undefined): Promise<"exit" | void>;
}

async function localStat(path: string): Promise<Stat> {
  const info = await Deno.stat(path);
  return {
    filename: posix.basename(path),
    size: info.size,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    mode: info.mode ?? 0,
    isDir: info.isDirectory,
    isFile: info.isFile,
    isSymlink: false,
    mtime: info.mtime ?? new Date(0),
  };
}

async function localList(path: string): Promise<{ filename: string; isDir: boolean }[]> {
  const out: { filename: string; isDir: boolean }[] = [];
  for await (const e of Deno.readDir(path)) {
    let isDir = e.isDirectory;
    if (e.isSymlink) {
      isDir = await Deno.stat(`${path}/${e.name}`).then((s) => s.isDirectory, () => false);
    }
    out.push({ filename: e.name, isDir });
  }
  return out.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

function listing(state: ScpState, entries: { filename: string; isDir: boolean }[]): void {
  const names = entries.filter((e) => !e.filename.startsWith("."))
    .map((e) => shown(e.filename) + (e.isDir ? "/" : ""));
  if (names.length) {
    state.write(state.console.inColumns(names, { marginLeft: 2 }).map((l) => `${l}\n`).join(""));
  }
}

function statText(path: string, s: Stat): string {
  return [
    `Path:         ${shown(path)}`,
    `Is file:      ${s.isFile}`,
    `Is directory: ${s.isDir}`,
    `Size:         ${s.size} bytes`,
    `st_uid:       ${s.uid}`,
    `st_gid:       ${s.gid}`,
    `st_mode:      ${s.mode.toString(8)}`,
    "",
  ].join("\n");
}

async function page(state: ScpState, bytes: Uint8Array): Promise<void> {
  const text = new TextDecoder().decode(bytes).replace(/\n$/, "");
  await state.console.lesspipe(text.split("\n").map((l) => shown(l)));
}

async function remoteStat(state: ScpState, path: string): Promise<Stat> {
  return await state.host.stat(await remotePath(state, path));
}

const REMOTE_DIR = { side: "remote", dirsOnly: true } as const;
const REMOTE = { side: "remote" } as const;
const LOCAL_DIR = { side: "local", dirsOnly: true } as const;
const LOCAL = { side: "local" } as const;

/**
 * Every command of the SCP shell, in the order `help` lists them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCP_COMMANDS } from "./commands.ts";
 * assert.ok(SCP_COMMANDS.some((c) => c.name === "put" && c.kind.side === "local"));
 * ```
 */
export const SCP_COMMANDS: readonly ScpCommand[] = [
  {
    name: "ls",
    usage: "[dir]",
    help: "list a remote directory",
    kind: REMOTE_DIR,
    run: async (state, arg) => {
      listing(state, await state.host.listdirStat(await remotePath(state, arg ?? ".")));
    },
  },
  {
    name: "cd",
    usage: "[dir]",
    help: "change the remote directory (home without argument)",
    kind: REMOTE_DIR,
    run: async (state, arg) => {
      const target = arg === undefined
        ? await state.host.getHomeDirectory()
        : await remotePath(state, arg);
      const s = await state.host.stat(target);
      if (!s.isDir) return void state.write(`Not a directory: ${shown(target)}\n`);
      state.remote = target;
      state.write(`${shown(target)}\n`);
    },
  },
  {
    name: "pwd",
    usage: "",
    help: "print the remote directory",
    kind: {},
    run: async (state) => void state.write(`${shown(state.remote)}\n`),
  },
  {
    name: "stat",
    usage: "<path>",
    help: "show a remote file's metadata",
    kind: REMOTE,
    needsArgument: true,
    run: async (state, arg) =>
      void state.write(statText(await remotePath(state, arg!), await remoteStat(state, arg!))),
  },
  {
    name: "view",
    usage: "<file>",
    help: "show a remote file, a page at a time",
    kind: REMOTE,
    needsArgument: true,
    run: async (state, arg) =>
      void await page(state, await state.host.readFile(await remotePath(state, arg!))),
  },
  {
    name: "edit",
    usage: "<file>",
    help: "edit a remote file in $EDITOR (written back only when changed)",
    kind: REMOTE,
    needsArgument: true,
    run: async (state, arg) => void await edit(state, arg!),
  },
  {
    name: "connect",
    usage: "",
    help: "open an interactive shell on the host in the remote directory",
    kind: {},
    run: async (state) => {
      const handle = state.host.copy();
      using _ = handle.cd(state.remote);
      await handle.startInteractiveShell();
    },
  },
  {
    name: "put",
    usage: "<local path>",
    help: "upload a local file or directory into the remote directory",
    kind: LOCAL,
    needsArgument: true,
    run: async (state, arg) => await put(state, arg!),
  },
  {
    name: "get",
    usage: "<remote path>",
    help: "download a remote file or directory into the local directory",
    kind: REMOTE,
    needsArgument: true,
    run: async (state, arg) => await get(state, arg!),
  },
  {
    name: "lls",
    usage: "[dir]",
    help: "list a local directory",
    kind: LOCAL_DIR,
    run: async (state, arg) => listing(state, await localList(resolveIn(state.local, arg ?? "."))),
  },
  {
    name: "lcd",
    usage: "[dir]",
    help: "change the local directory (home without argument)",
    kind: LOCAL_DIR,
    run: async (state, arg) => {
      const home = Deno.env.get("HOME") ?? "/";
      const target = arg === undefined ? home : resolveIn(state.local, arg, home);
      if (!(await Deno.stat(target)).isDirectory) {
        return void state.write(`Not a directory: ${shown(target)}\n`);
      }
      state.local = target;
      state.write(`${shown(target)}\n`);
    },
  },
  {
    name: "lpwd",
    usage: "",
    help: "print the local directory",
    kind: {},
    run: async (state) => void state.write(`${shown(state.local)}\n`),
  },
  {
    name: "lstat",
    usage: "<path>",
    help: "show a local file's metadata",
    kind: LOCAL,
    needsArgument: true,
    run: async (state, arg) => {
      const path = resolveIn(state.local, arg!);
      state.write(statText(path, await localStat(path)));
    },
  },
  {
    name: "lview",
    usage: "<file>",
    help: "show a local file, a page at a time",
    kind: LOCAL,
    needsArgument: true,
    run: async (state, arg) =>
      void await page(state, await Deno.readFile(resolveIn(state.local, arg!))),
  },
  {
    name: "help",
    usage: "",
    help: "list the commands",
    kind: {},
    run: async (state) => {
      const width = Math.max(...SCP_COMMANDS.map((c) => `${c.name} ${c.usage}`.length));
      for (const c of SCP_COMMANDS) {
        state.write(`  ${`${c.name} ${c.usage}`.padEnd(width)}  ${c.help}\n`);
      }
    },
  },
  {
    name: "clear",
    usage: "",
    help: "clear the screen",
    kind: {},
    run: async (state) => void state.write("\x1b[2J\x1b[0;0H"),
  },
  {
    name: "exit",
    usage: "",
    help: "leave the SCP shell",
    kind: {},
    run: async () => "exit",
  },
];

/**
 * The commands by name with their argument kinds, for the completer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCP_COMPLETION } from "./commands.ts";
 * assert.deepEqual(SCP_COMPLETION.get("cd"), { side: "remote", dirsOnly: true });
 * ```
 */
export const SCP_COMPLETION: ReadonlyMap<string, ArgumentKind> = new Map(
  SCP_COMMANDS.map((c) => [c.name, c.kind]),
);

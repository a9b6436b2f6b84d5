/**
 * `Config`: a configuration file on every host, with its current content, a unified diff
 * against the new content, an atomic `setup()` and a timestamped backup.
 *
 * @module
 */
import { createTwoFilesPatch, structuredPatch } from "npm:diff@9.0.0";
import { sh } from "../command/sh.ts";
import { action } from "../node/action.ts";
import { required } from "../node/markers.ts";
import { ParallelNode } from "../node/node.ts";

/**
 * A remote configuration file (python-deployer's `contrib.nodes.config.Config`). Subclass
 * it (or use `child(Config, { set: { ... } })`) and give it `remotePath` and `content`.
 * In sandbox mode `setup()` writes nothing: the write is recorded in the plan.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { child, Node } from "../node/node.ts";
 * import { Config } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   class Root extends Node {
 *     static override hosts = { host: new LocalHost() };
 *     motd = child(Config, {
 *       set: { remotePath: `${dir}/motd`, content: "hello\n", useSudo: false },
 *     });
 *   }
 *   await using env = new Env({ interactive: false });
 *   await env.bind(Root).motd.setup();
 *   assert.equal(await Deno.readTextFile(`${dir}/motd`), "hello\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class Config extends ParallelNode {
  /** Where the file lives on the host (`~` is expanded). */
  remotePath: string = required<string>("path of the configuration file on the host");
  /** What the file should contain. */
  content: string = required<string>("the content of the configuration file");
  /** Read and write the file as root. */
  useSudo = true;
  /** Make the file executable (`chmod a+x`) after writing it. */
  makeExecutable = false;
  /** Back the existing file up (see `backup()`) before every `setup()`. */
  alwaysBackupExistingConfig = false;

  /** The content of the file on the host now. */
  async currentContent(): Promise<string> {
    return await this.host.readText(this.remotePath, { useSudo: this.useSudo });
  }

  /** Whether the file exists on the host; says so on the console. */
  @action({ suppressResult: true })
  async exists(): Promise<boolean> {
    const found = await this.host.exists(this.remotePath, { useSudo: this.useSudo });
    this.console.write(
      found ? "Yes, config exists already.\n" : "Config doesn't exist yet.\n",
    );
    return found;
  }

  /** Whether `setup()` would change the file (true when it does not exist yet). */
  async changed(): Promise<boolean> {
    if (!(await this.exists())) return true;
    return (await this.currentContent()) !== this.content;
  }

  /**
   * The unified diff from the current file (empty when missing) to the new content,
   * both named after `remotePath`; printed and returned ("" when nothing changes).
   */
  @action({ suppressResult: true })
  async diff(): Promise<string> {
    const path = this.remotePath;
    const exists = await this.host.exists(path, { useSudo: this.useSudo });
    const current = exists ? await this.currentContent() : "";
    const patch = unifiedDiff(path, current, this.content);
    this.console.write(patch || `No changes in ${path}\n`);
    return patch;
  }

  /** Prints the content of the file on the host now. */
  async show(): Promise<void> {
    this.console.write(ensureNewline(await this.currentContent()));
  }

  /** Prints the content `setup()` would write. */
  showNewConfig(): void {
    this.console.write(ensureNewline(this.content));
  }

  /** Writes the file atomically (backing it up first when asked; `chmod a+x` when asked). */
  async setup(): Promise<void> {
    if (this.alwaysBackupExistingConfig) await this.backup();
    await this.host.writeFile(this.remotePath, this.content, { useSudo: this.useSudo });
    if (this.makeExecutable) {
      const chmod = sh`chmod a+x ${await this.host.expandPath(this.remotePath)}`;
      await (this.useSudo ? this.host.sudo(chmod) : this.host.run(chmod));
    }
  }

  /**
   * Copies the existing file to `<remotePath>.<YYYY-mm-dd--HH-MM-SS>` (`cp --archive`,
   * with sudo when `useSudo`); returns the backup path, or `undefined` when there is no
   * file.
   */
  async backup(): Promise<string | undefined> {
    const path = await this.host.expandPath(this.remotePath);
    if (!(await this.host.exists(path, { useSudo: this.useSudo }))) return undefined;
    const target = `${path}.${timestamp(new Date())}`;
    const copy = sh`cp --archive ${path} ${target}`;
    await (this.useSudo ? this.host.sudo(copy) : this.host.run(copy));
    return target;
  }
}

/**
 * A unified diff from `before` to `after`, both files named `path`; "" when they are equal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unifiedDiff } from "./config.ts";
 * const patch = unifiedDiff("/etc/motd", "a\n", "b\n");
 * assert.ok(patch.startsWith("--- /etc/motd\n+++ /etc/motd\n"));
 * assert.ok(patch.includes("-a\n+b\n"));
 * assert.equal(unifiedDiff("/etc/motd", "a\n", "a\n"), "");
 * ```
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (structuredPatch(path, path, before, after).hunks.length === 0) return "";
  const patch = createTwoFilesPatch(path, path, before, after);
  // Drop jsdiff's "Index:" / "====" preamble: start at the "---" header.
  return patch.slice(patch.indexOf("--- "));
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") || text === "" ? text : `${text}\n`;
}

function timestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}--` +
    `${two(date.getHours())}-${two(date.getMinutes())}-${two(date.getSeconds())}`;
}

/**
 * `AptGet`: Debian/Ubuntu packages on every host: extra sources and keys, `apt-get
 * update`, and non-interactive installs with every package name quoted.
 *
 * @module
 */
import { posix } from "node:path";
import { sh, type ShellCommand } from "../command/sh.ts";
import { ParallelNode } from "../node/node.ts";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Installs packages with `apt-get` (python-deployer's `contrib.nodes.apt_get.AptGet`).
 * Every command runs with sudo and `DEBIAN_FRONTEND=noninteractive`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { child, Node } from "../node/node.ts";
 * import { Env } from "../exec/env.ts";
 * import { LocalHost } from "../host/local.ts";
 * import { AptGet } from "./apt_get.ts";
 * class Root extends Node {
 *   static override hosts = { host: new LocalHost() };
 *   packages = child(AptGet, { set: { packages: ["git", "python3-venv"] } });
 * }
 * await using env = new Env({ interactive: false, sandbox: true });
 * await env.bind(Root).packages.install();
 * assert.ok(env.plan().some((e) => e.command.includes("apt-get install -yq 'git'")));
 * ```
 */
export class AptGet extends ParallelNode {
  /** Packages to install (all at once). */
  packages: string[] = [];
  /** Packages installed one by one where possible; a failure is only a warning. */
  packagesIfAvailable: string[] = [];
  /** URLs of `.deb` files to download and install with `dpkg -i`. */
  dpkgPackages: string[] = [];
  /** Extra sources: `{ slug: lines }` becomes `/etc/apt/sources.list.d/<slug>.list`. */
  extraSources: Record<string, string[]> = {};
  /** URLs of repository signing keys to add (`apt-key add`). */
  extraKeyUrls: string[] = [];

  /** Runs `command` with sudo and `DEBIAN_FRONTEND=noninteractive`. */
  async #apt(command: ShellCommand): Promise<void> {
    using _ = this.host.env("DEBIAN_FRONTEND", "noninteractive");
    await this.host.sudo(command);
  }

  /** Sources and keys (`setupExtra()`), then the packages (`install()`). */
  async setup(): Promise<void> {
    await this.setupExtra();
    await this.install();
  }

  /** Adds the extra keys and sources, then runs `apt-get update`. */
  async setupExtra(): Promise<void> {
    for (const url of this.extraKeyUrls) await this.addKeyUrl(url);
    for (const [slug, lines] of Object.entries(this.extraSources)) {
      await this.addSources(slug, lines);
    }
    await this.update();
  }

  /**
   * Installs `packages` (`apt-get install -yq`), then each of `packagesIfAvailable`
   * (warning on failure), then the `dpkgPackages`. Runs `update()` first unless
   * `skipUpdate`.
   */
  async install(skipUpdate: boolean | string = true): Promise<void> {
    if (skipUpdate === false || skipUpdate === "false") await this.update();
    if (this.packages.length) await this.#apt(sh`apt-get install -yq ${this.packages}`);
    for (const name of this.packagesIfAvailable) {
      try {
        await this.#apt(sh`apt-get install -yq ${name}`);
      } catch {
        this.console.warning(`Failed to install ${name} on ${this.host.slug}, ignoring...`);
      }
    }
    for (const url of this.dpkgPackages) {
      const file = `/tmp/${posix.basename(new URL(url).pathname)}`;
      await this.host.sudo(sh`wget ${url} --output-document ${file}`);
      await this.#apt(sh`dpkg -i ${file}`);
    }
  }

  /** `apt-get update`. */
  async update(): Promise<void> {
    await this.#apt(sh`apt-get update`);
  }

  /** Adds a repository signing key from a URL (`wget -O - <url> | apt-key add -`). */
  async addKeyUrl(url: string): Promise<void> {
    await this.host.sudo(sh`wget ${url} -O - | apt-key add -`);
  }

  /**
   * Writes `/etc/apt/sources.list.d/<slug>.list` from `lines` (one string is one line), unless it exists and
   * `overwrite` is false. `{distroCodename}` (or python's `%(distro_codename)s`) in a
   * line becomes the release codename of the host (`lsb_release -cs`).
   */
  async addSources(
    slug: string,
    lines: string | readonly string[],
    overwrite: boolean | string = false,
  ): Promise<void> {
    if (typeof lines === "string") lines = [lines];
    if (!SLUG.test(slug)) {
      throw new TypeError(`Invalid sources slug ${JSON.stringify(slug)}: use letters, digits, .-_`);
    }
    const path = `/etc/apt/sources.list.d/${slug}.list`;
    const force = overwrite === true || overwrite === "true";
    if (!force && (await this.host.exists(path))) return;
    const codename = lines.some((l) => /\{distroCodename\}|%\(distro_codename\)s/.test(l))
      ? await this.#codename()
      : "";
    const text = lines
      .map((l) => l.replaceAll("{distroCodename}", codename))
      .map((l) => l.replaceAll("%(distro_codename)s", codename))
      .join("\n") + "\n";
    await this.host.writeFile(path, text, { useSudo: true });
  }

  async #codename(): Promise<string> {
    const result = await this.host.run(
      'lsb_release -cs 2>/dev/null || (. /etc/os-release && echo "$VERSION_CODENAME")',
      { sandbox: false, silent: true, noThrow: true },
    );
    return result.stdout.trim();
  }

  /** Whether the package can be installed from the configured sources (`apt-cache madison`). */
  async isPackageAvailable(name: string): Promise<boolean> {
    const result = await this.host.run(sh`apt-cache madison ${name}`, {
      sandbox: false,
      noThrow: true,
    });
    return result.code === 0 && result.stdout.trim() !== "";
  }
}

/**
 * A Debian 12 ("bookworm") root filesystem for test machines: built once with
 * `debootstrap --variant=minbase` from the apt mirror this machine is configured with, plus
 * the server packages the examples need, and cached under a directory named after the hash
 * of everything that goes into it. Needs root and `debootstrap`.
 *
 * @module
 */
import { mustRun, runTool } from "./_process.ts";
import { exists } from "../host/_fs.ts";

/**
 * The packages every test machine has (what the examples deploy onto).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MACHINE_PACKAGES } from "./debian_rootfs.ts";
 * assert.ok(DEFAULT_MACHINE_PACKAGES.includes("openssh-server"));
 * ```
 */
export const DEFAULT_MACHINE_PACKAGES: readonly string[] = [
  "openssh-server",
  "sudo",
  "git",
  "python3-venv",
  "python3-django",
  "gunicorn",
  "supervisor",
  "nginx",
  "curl",
  "procps",
  "iproute2",
  "ca-certificates",
];

/**
 * The login user of every machine; key login, `sudo` asks for {@linkcode MACHINE_PASSWORD}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MACHINE_USER } from "./debian_rootfs.ts";
 * assert.equal(MACHINE_USER, "deploy");
 * ```
 */
export const MACHINE_USER = "deploy";
/**
 * The password of {@linkcode MACHINE_USER} (asked by `sudo`; ssh takes keys only).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MACHINE_PASSWORD } from "./debian_rootfs.ts";
 * assert.ok(MACHINE_PASSWORD.length > 8);
 * ```
 */
export const MACHINE_PASSWORD = "deploy-sudo-pw";

/** Bump when the way the root filesystem is prepared changes (part of the cache key). */
const LAYOUT_VERSION = "3";

/** Options of {@linkcode ensureDebianRootfs}. */
export interface DebianRootfsOptions {
  /** Packages installed on top of minbase (default {@linkcode DEFAULT_MACHINE_PACKAGES}). */
  packages?: readonly string[];
  /** Where built root filesystems are kept (default `/var/cache/deployer-test`). */
  cacheDir?: string;
  /** Called with progress lines (default: nothing). */
  log?: (line: string) => void;
}

/** A built root filesystem. */
export interface DebianRootfs {
  /** The directory holding it (read-only lower layer of every machine). */
  path: string;
  /** Whether this call built it (false: it was in the cache). */
  built: boolean;
  /** Milliseconds this call spent (building or finding it). */
  ms: number;
}

/**
 * The apt sources this machine uses for bookworm (deb822 or one-line format), as text, and
 * the mirror debootstrap takes.
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { hostAptSources } from "./debian_rootfs.ts";
 * const { mirror } = await hostAptSources(); // e.g. http://deb.debian.org/debian
 * ```
 */
export async function hostAptSources(): Promise<{ mirror: string; sources: string }> {
  const texts: string[] = [];
  for (const dir of ["/etc/apt/sources.list.d"]) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && /\.(sources|list)$/.test(entry.name)) {
          texts.push(await Deno.readTextFile(`${dir}/${entry.name}`));
        }
      }
    } catch { /* no such directory */ }
  }
  try {
    texts.push(await Deno.readTextFile("/etc/apt/sources.list"));
  } catch { /* none */ }
  const deb822 = texts.join("\n").split(/\n\s*\n/).filter((stanza) =>
    /^Suites:.*\bbookworm\b/m.test(stanza) && /^Types:.*\bdeb\b/m.test(stanza)
  );
  const oneLine = texts.join("\n").split("\n").filter((line) =>
    /^deb\s/.test(line) && /\sbookworm(-updates|-security|\/updates)?\s/.test(line)
  );
  const uris = [
    ...deb822.flatMap((s) => (s.match(/^URIs:\s*(\S+)/m)?.[1] ?? "").split(/\s+/)),
    ...oneLine.map((l) => l.replace(/\[[^\]]*\]/, "").split(/\s+/)[1]),
  ].filter((uri) => uri && !/security/.test(uri));
  if (!uris.length) {
    throw new Error("No bookworm apt source found in /etc/apt (sources.list or sources.list.d)");
  }
  const sources = [
    ...deb822.map((s) => s.trim() + "\n"),
    oneLine.length ? oneLine.join("\n") + "\n" : "",
  ].filter(Boolean).join("\n");
  return { mirror: uris[0], sources };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The sshd settings of every machine (key login only, no DNS lookups). */
const SSHD_CONFIG = [
  "PasswordAuthentication no",
  "KbdInteractiveAuthentication no",
  "PermitRootLogin no",
  "UseDNS no",
  "",
].join("\n");

/**
 * Returns the cached root filesystem for `packages`, building it first when it is missing
 * (about 1–1.5 min). The build goes to a temporary directory renamed into place, so a killed
 * build never leaves a half-built cache entry behind (its leftovers are removed next time).
 *
 * @example Usage
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { ensureDebianRootfs } from "./debian_rootfs.ts";
 * const rootfs = await ensureDebianRootfs();
 * assert.ok(rootfs.path.startsWith("/var/cache/deployer-test/"));
 * ```
 */
export async function ensureDebianRootfs(options: DebianRootfsOptions = {}): Promise<DebianRootfs> {
  const started = Date.now();
  const packages = [...(options.packages ?? DEFAULT_MACHINE_PACKAGES)].sort();
  const cacheDir = options.cacheDir ?? "/var/cache/deployer-test";
  const log = options.log ?? (() => {});
  const { mirror, sources } = await hostAptSources();
  const key = (await sha256(JSON.stringify({ LAYOUT_VERSION, packages, mirror, SSHD_CONFIG })))
    .slice(0, 16);
  const path = `${cacheDir}/bookworm-${key}`;
  if (await exists(`${path}/.deployer-complete`)) {
    return { path, built: false, ms: Date.now() - started };
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  for await (const entry of Deno.readDir(cacheDir)) {
    if (entry.name.includes(".building-")) {
      const pid = Number(entry.name.split(".building-")[1]);
      if (!(await exists(`/proc/${pid}`))) {
        await Deno.remove(`${cacheDir}/${entry.name}`, { recursive: true });
      }
    }
  }
  const tmp = `${path}.building-${Deno.pid}`;
  try {
    log(`debootstrap --variant=minbase bookworm from ${mirror}`);
    await mustRun("debootstrap", ["--variant=minbase", "bookworm", tmp, mirror]);
    await Deno.writeTextFile(`${tmp}/etc/apt/sources.list`, "");
    await Deno.writeTextFile(`${tmp}/etc/apt/sources.list.d/debian.sources`, sources);
    // Packages must not start their services in this machine's namespaces.
    await Deno.writeTextFile(`${tmp}/usr/sbin/policy-rc.d`, "#!/bin/sh\nexit 101\n", {
      mode: 0o755,
    });
    log(`apt-get install ${packages.join(" ")}`);
    const chrootApt = (args: string[]) =>
      mustRun("chroot", [tmp, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args]);
    await chrootApt(["update", "-q"]);
    await chrootApt(["install", "-y", "-q", "--no-install-recommends", ...packages]);
    await chrootApt(["clean"]);
    await Deno.remove(`${tmp}/usr/sbin/policy-rc.d`);
    // Every machine makes its own host keys on first boot.
    for await (const entry of Deno.readDir(`${tmp}/etc/ssh`)) {
      if (entry.name.startsWith("ssh_host_")) await Deno.remove(`${tmp}/etc/ssh/${entry.name}`);
    }
    await Deno.writeTextFile(`${tmp}/etc/ssh/sshd_config.d/deployer-test.conf`, SSHD_CONFIG);
    await mustRun("chroot", [
      tmp,
      "useradd",
      "--create-home",
      "--shell",
      "/bin/bash",
      MACHINE_USER,
    ]);
    const chpasswd = await runTool(
      "chroot",
      [tmp, "chpasswd"],
      `${MACHINE_USER}:${MACHINE_PASSWORD}\n`,
    );
    if (chpasswd.code !== 0) throw new Error(`chpasswd failed: ${chpasswd.stderr}`);
    await Deno.writeTextFile(`${tmp}/etc/sudoers.d/deploy`, `${MACHINE_USER} ALL=(ALL:ALL) ALL\n`, {
      mode: 0o440,
    });
    await Deno.writeTextFile(`${tmp}/etc/resolv.conf`, "# no name server: nothing leaves\n");
    await Deno.writeTextFile(`${tmp}/.deployer-complete`, `${packages.join("\n")}\n`);
    await Deno.rename(tmp, path);
    log(`root filesystem ready: ${path}`);
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    if (await exists(`${path}/.deployer-complete`)) {
      return { path, built: false, ms: Date.now() - started }; // another process won
    }
    throw error;
  }
  return { path, built: true, ms: Date.now() - started };
}

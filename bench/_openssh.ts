/**
 * The OpenSSH baseline of the SSH benchmark (private): `ssh`, `scp` and `sftp` processes,
 * with a ControlMaster connection where one applies.
 *
 * @module
 */

/** Where and how the OpenSSH client connects. */
export interface OpenSshTarget {
  /** The TCP port on 127.0.0.1. */
  port: number;
  /** The login user. */
  username: string;
  /** The private key file. */
  keyFile: string;
  /** The known_hosts file with the servers' keys. */
  knownHostsFile: string;
  /** Directory for ControlMaster sockets (`<dir>/cm-%C`); omit for no multiplexing. */
  controlDir?: string;
}

/**
 * The options every OpenSSH tool gets: no config files (`-F /dev/null`), batch mode, the
 * key only, strict host key checking against the given file, and ControlMaster when
 * `controlDir` is set (else `ControlMaster=no`, `ControlPath=none`).
 *
 * @example Usage
 * ```ts
 * import { commonOptions } from "./_openssh.ts";
 * const o = commonOptions({ port: 2222, username: "u", keyFile: "k", knownHostsFile: "kh" });
 * console.assert(o.includes("ControlPath=none"));
 * ```
 */
export function commonOptions(target: OpenSshTarget): string[] {
  const control = target.controlDir
    ? [
      "-o",
      "ControlMaster=auto",
      "-o",
      `ControlPath=${target.controlDir}/cm-%C`,
      "-o",
      "ControlPersist=60",
    ]
    : ["-o", "ControlMaster=no", "-o", "ControlPath=none"];
  return [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    `UserKnownHostsFile=${target.knownHostsFile}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-i",
    target.keyFile,
    ...control,
  ];
}

async function run(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${program} failed with exit code ${out.code}: ${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Runs `ssh ... <user>@127.0.0.1 <command>`; resolves to its stdout.
 *
 * @example Usage
 * ```ts ignore
 * import { sshRun } from "./_openssh.ts";
 * console.log(await sshRun(target, "echo hi"));
 * ```
 */
export function sshRun(target: OpenSshTarget, command: string): Promise<string> {
  return run("ssh", [
    ...commonOptions(target),
    "-p",
    String(target.port),
    `${target.username}@127.0.0.1`,
    command,
  ]);
}

/**
 * Stops the ControlMaster of `target` (`ssh -O exit`), if one runs.
 *
 * @example Usage
 * ```ts ignore
 * import { sshExitMaster } from "./_openssh.ts";
 * await sshExitMaster(target);
 * ```
 */
export async function sshExitMaster(target: OpenSshTarget): Promise<void> {
  await run("ssh", [
    ...commonOptions(target),
    "-O",
    "exit",
    "-p",
    String(target.port),
    `${target.username}@127.0.0.1`,
  ]).catch(() => {});
}

/**
 * `scp [-r] <local> <user>@127.0.0.1:<remote>` (OpenSSH 9 uses the SFTP protocol).
 *
 * @example Usage
 * ```ts ignore
 * import { scp } from "./_openssh.ts";
 * await scp(target, "/tmp/big", "/tmp/remote-big");
 * ```
 */
export async function scp(
  target: OpenSshTarget,
  local: string,
  remote: string,
  options: { recursive?: boolean } = {},
): Promise<void> {
  await run("scp", [
    "-q",
    ...(options.recursive ? ["-r"] : []),
    ...commonOptions(target),
    "-P",
    String(target.port),
    local,
    `${target.username}@127.0.0.1:${remote}`,
  ]);
}

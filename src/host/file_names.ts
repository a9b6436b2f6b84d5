/**
 * Names of the files the hosts write: paths with a NUL byte are refused before anything
 * is sent, temporary names stay within `NAME_MAX` (255 bytes) and are recognisable, so
 * that a temporary file an interrupted upload left behind can be found and removed later.
 *
 * @module
 */
import { DeployerError } from "../errors.ts";

/** Temporary files untouched for this long are left-overs of an interrupted write. */
export const STALE_TEMP_MS: number = 60 * 60 * 1000;

const NAME_MAX = 255;
const MARK = ".deployer-tmp-";
const RANDOM_LENGTH = 8;
const TEMP_PATTERN = /^\.(?:.*\.)?deployer-tmp-[A-Za-z0-9]{8}$/s;

/**
 * Throws a {@linkcode DeployerError} naming the operation, the path and the host when
 * `path` contains a NUL byte (no file name can, and SFTP servers end the session on one).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseNul } from "./file_names.ts";
 * assert.throws(() => refuseNul("web1", "write", "/tmp/a\0b"), /NUL byte/);
 * refuseNul("web1", "write", "/tmp/ab");
 * ```
 */
export function refuseNul(host: string, op: string, path: string): void {
  if (!path.includes("\0")) return;
  throw new DeployerError(
    `Cannot ${op} "${path.replaceAll("\0", "\\0")}" on host "${host}": ` +
      "the path contains a NUL byte",
  );
}

function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = "";
  let bytes = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

function randomPart(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, RANDOM_LENGTH);
}

/**
 * The temporary file an atomic write of `path` goes through: `.<name>.deployer-tmp-<8
 * random>` in the same directory, the name cut (at a character boundary) so that the
 * whole stays within 255 bytes.
 *
 * @param path The target path (absolute or relative).
 * @returns The path of the temporary file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTempName, tempPath } from "./file_names.ts";
 * const temp = tempPath("/etc/app.conf");
 * assert.match(temp, /^\/etc\/\.app\.conf\.deployer-tmp-[0-9a-f]{8}$/);
 * assert.ok(isTempName(temp.slice(5)));
 * const long = tempPath(`/srv/${"é".repeat(125)}`);
 * assert.ok(new TextEncoder().encode(long.slice(5)).length <= 255);
 * ```
 */
export function tempPath(path: string): string {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const room = NAME_MAX - 1 - MARK.length - RANDOM_LENGTH;
  return `${dir}.${truncateUtf8(path.slice(slash + 1), room)}${MARK}${randomPart()}`;
}

/**
 * A recognisable name for a private upload in the login directory (a `useSudo` write),
 * `.deployer-upload.deployer-tmp-<8 random>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTempName, uploadName } from "./file_names.ts";
 * assert.ok(isTempName(uploadName()));
 * ```
 */
export function uploadName(): string {
  return `.deployer-upload${MARK}${randomPart()}`;
}

/**
 * Whether a file name (no directory) is one of deployer's temporary names.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTempName } from "./file_names.ts";
 * assert.ok(isTempName(".app.conf.deployer-tmp-1a2b3c4d"));
 * assert.ok(!isTempName("app.conf"));
 * ```
 */
export function isTempName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

/**
 * Whether a directory entry is a temporary file an interrupted write left behind: a
 * temporary name, a regular file, not modified for {@linkcode STALE_TEMP_MS}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStaleTemp } from "./file_names.ts";
 * const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
 * assert.ok(isStaleTemp({ filename: ".a.deployer-tmp-1a2b3c4d", isFile: true, mtime: old }));
 * assert.ok(!isStaleTemp({ filename: ".a.deployer-tmp-1a2b3c4d", isFile: true, mtime: new Date() }));
 * ```
 */
export function isStaleTemp(
  entry: { filename: string; isFile: boolean; mtime: Date },
  now: number = Date.now(),
): boolean {
  return entry.isFile && isTempName(entry.filename) &&
    now - entry.mtime.getTime() > STALE_TEMP_MS;
}

/**
 * The directory part of a path, for listing (`.` for a bare name).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirOf } from "./file_names.ts";
 * assert.equal(dirOf("/etc/x"), "/etc/");
 * assert.equal(dirOf("x"), ".");
 * ```
 */
export function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash >= 0 ? path.slice(0, slash + 1) : ".";
}

/**
 * Parsing of `ifconfig` and `ip -o -4 addr` output into interfaces and addresses.
 *
 * @module
 */

/** One network interface with an IPv4 address. */
export interface NetworkInterface {
  /** Interface name (`eth0`). */
  readonly name: string;
  /** IPv4 address, when it has one. */
  readonly ip: string | undefined;
}

/**
 * Parses `ifconfig` output (Linux `inet addr:x` and BSD/macOS `inet x` forms) or
 * `ip -o -4 addr show` output. By default only interfaces with an address are kept.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIfconfig } from "./ifconfig.ts";
 * const text = "eth0: flags=4163<UP>\n        inet 10.0.3.15  netmask 255.255.255.0\n" +
 *   "lo: flags=73\n        inet 127.0.0.1\n";
 * assert.equal(parseIfconfig(text).map((i) => i.ip).join(), "10.0.3.15,127.0.0.1");
 * ```
 */
export function parseIfconfig(output: string, onlyActive = true): NetworkInterface[] {
  const found: { name: string; ip: string | undefined }[] = [];
  for (const line of output.split("\n")) {
    if (!line.trim()) continue;
    const ipo = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (ipo) {
      found.push({ name: ipo[1], ip: ipo[2] });
      continue;
    }
    if (!/^\s/.test(line)) {
      found.push({ name: line.split(/\s+/)[0].replace(/:$/, ""), ip: undefined });
    }
    const current = found.at(-1);
    for (const m of line.matchAll(/inet (?:addr:)?((?:\d*\.){3}\d*)/g)) {
      if (current) current.ip = m[1];
    }
  }
  return onlyActive ? found.filter((i) => i.ip) : found;
}

/**
 * The network of test machines, in the loopback range only: a client network namespace
 * with a bridge (`127.1.0.1/16`) and one veth link per machine namespace (`127.1.0.N`).
 * `route_localnet` is on and the `127.0.0.0/8` local route is gone in every namespace
 * involved, so 127.1.x addresses travel over the links; `lo` keeps `127.0.0.1`. Nothing
 * here touches the namespace of the machine's own (host) network. Needs root and `ip`.
 *
 * @module
 */
import { mustRun, runTool } from "./_process.ts";

/**
 * The name of the client network namespace `deno task e2e` runs its tests in.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLIENT_NETNS, NETNS_PREFIX } from "./machine_network.ts";
 * assert.ok(CLIENT_NETNS.startsWith(NETNS_PREFIX));
 * ```
 */
export const CLIENT_NETNS = "dpl-client";
/**
 * The bridge inside the client namespace.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLIENT_BRIDGE } from "./machine_network.ts";
 * assert.ok(CLIENT_BRIDGE.length <= 15); // a Linux interface name
 * ```
 */
export const CLIENT_BRIDGE = "dplbr0";
/**
 * The address of the client on the bridge (git daemon, curl, ssh come from here).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLIENT_ADDRESS } from "./machine_network.ts";
 * assert.match(CLIENT_ADDRESS, /^127\./); // loopback range only
 * ```
 */
export const CLIENT_ADDRESS = "127.1.0.1";
/**
 * Prefix of every namespace the fixture creates (swept when left over).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { NETNS_PREFIX } from "./machine_network.ts";
 * assert.equal(NETNS_PREFIX, "dpl-");
 * ```
 */
export const NETNS_PREFIX = "dpl-";

/**
 * Runs `ip` (in namespace `netns` when given); throws with its stderr when it fails.
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { ip } from "./machine_network.ts";
 * console.log(await ip(["route", "show"], "dpl-m2")); // a machine's routes
 * ```
 */
export async function ip(args: string[], netns?: string): Promise<string> {
  return netns
    ? await mustRun("ip", ["netns", "exec", netns, "ip", ...args])
    : await mustRun("ip", args);
}

async function sysctl(setting: string, netns?: string): Promise<void> {
  const args = ["sysctl", "-q", "-w", setting];
  if (netns) await mustRun("ip", ["netns", "exec", netns, ...args]);
  else await mustRun(args[0], args.slice(1));
}

/**
 * Lets 127.x addresses other than 127.0.0.1 leave through links in namespace `netns` (the
 * current one when not given): `route_localnet` on `all`, `default` and the named links,
 * and the `local 127.0.0.0/8` route dropped (`lo` keeps `local 127.0.0.1`).
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { routeLoopbackRange } from "./machine_network.ts";
 * await routeLoopbackRange("dpl-m2", ["eth0"]); // never on the host's own namespace
 * ```
 */
export async function routeLoopbackRange(netns?: string, links: string[] = []): Promise<void> {
  for (const link of ["all", "default", ...links]) {
    await sysctl(`net.ipv4.conf.${link}.route_localnet=1`, netns);
  }
  const routes = await ip(["route", "show", "table", "local"], netns);
  if (/^local 127\.0\.0\.0\/8 dev lo/m.test(routes)) {
    await ip(["route", "del", "table", "local", "127.0.0.0/8", "dev", "lo"], netns);
  }
}

/** Names of the network namespaces that exist (as this mount namespace sees them). *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { listNetns } from "./machine_network.ts";
 * console.log(await listNetns()); // e.g. ["dpl-client", "dpl-m2"]
 * ```
 */
export async function listNetns(): Promise<string[]> {
  const out = await mustRun("ip", ["netns", "list"]);
  return out.split("\n").map((line) => line.split(" ")[0]).filter(Boolean);
}

/**
 * Removes every namespace named `dpl-*`: kills the processes inside (SIGKILL), then deletes
 * it. A killed test run leaves its namespaces behind; the next run sweeps them first.
 * Resolves to the names removed.
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { sweepNetns } from "./machine_network.ts";
 * console.log(await sweepNetns()); // what a killed run left behind
 * ```
 */
export async function sweepNetns(prefix: string = NETNS_PREFIX): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listNetns()) {
    if (!name.startsWith(prefix)) continue;
    const pids = (await runTool("ip", ["netns", "pids", name])).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        Deno.kill(Number(pid), "SIGKILL");
      } catch { /* gone */ }
    }
    await runTool("ip", ["netns", "del", name]);
    removed.push(name);
  }
  return removed;
}

/**
 * Creates the client namespace with its bridge at {@linkcode CLIENT_ADDRESS}/16 and the
 * loopback routing. Fails when it exists (sweep first).
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { createClientNetns, sweepNetns } from "./machine_network.ts";
 * await sweepNetns();
 * await createClientNetns(); // then: ip netns exec dpl-client deno test ...
 * ```
 */
export async function createClientNetns(name: string = CLIENT_NETNS): Promise<void> {
  await ip(["netns", "add", name]);
  await ip(["link", "set", "lo", "up"], name);
  await ip(["link", "add", CLIENT_BRIDGE, "type", "bridge"], name);
  await ip(["addr", "add", `${CLIENT_ADDRESS}/16`, "dev", CLIENT_BRIDGE], name);
  await ip(["link", "set", CLIENT_BRIDGE, "up"], name);
  await routeLoopbackRange(name, [CLIENT_BRIDGE]);
}

/** Whether this process runs in a namespace with the client bridge. *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { inClientNetwork } from "./machine_network.ts";
 * assert.equal(typeof await inClientNetwork(), "boolean");
 * ```
 */
export async function inClientNetwork(): Promise<boolean> {
  const out = await runTool("ip", ["-o", "addr", "show", "dev", CLIENT_BRIDGE]);
  return out.code === 0 && out.stdout.includes(`inet ${CLIENT_ADDRESS}/`);
}

/**
 * Creates machine namespace `netns` linked to the client bridge of the current namespace,
 * with `eth0` at `address`/16, and no other route. Fails when `netns` exists.
 *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { createMachineNetns, deleteMachineNetns } from "./machine_network.ts";
 * await createMachineNetns("dpl-m9", "127.1.0.9"); // from inside the client namespace
 * await deleteMachineNetns("dpl-m9");
 * ```
 */
export async function createMachineNetns(netns: string, address: string): Promise<void> {
  await ip(["netns", "add", netns]);
  const veth = `v${netns}`.slice(0, 15);
  try {
    await ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns]);
    await ip(["link", "set", veth, "master", CLIENT_BRIDGE, "up"]);
    await sysctl(`net.ipv4.conf.${veth}.route_localnet=1`);
    await ip(["link", "set", "lo", "up"], netns);
    await ip(["addr", "add", `${address}/16`, "dev", "eth0"], netns);
    await ip(["link", "set", "eth0", "up"], netns);
    await routeLoopbackRange(netns, ["eth0"]);
  } catch (error) {
    await deleteMachineNetns(netns);
    throw error;
  }
}

/** Deletes machine namespace `netns` and its link (the veth pair goes with the namespace). *
 * @example Usage
 * ```ts ignore
 * // Illustrative: needs root, namespaces and test machines (deno task e2e).
 * import { deleteMachineNetns } from "./machine_network.ts";
 * await deleteMachineNetns("dpl-m9"); // nothing happens when it is gone already
 * ```
 */
export async function deleteMachineNetns(netns: string): Promise<void> {
  await runTool("ip", ["link", "del", `v${netns}`.slice(0, 15)]);
  await runTool("ip", ["netns", "del", netns]);
}

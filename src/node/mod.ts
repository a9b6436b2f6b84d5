/**
 * The node model in full (the `./node` export): the classes and markers a deploy script
 * uses (also exported by the root), plus the types their signatures use, every predefined
 * group, the inspector's filters and what a parallel run returns.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { beta, Group } from "./mod.ts";
 * assert.ok(beta instanceof Group);
 * assert.equal(beta.name, "beta");
 * ```
 *
 * @module
 */
export { NODE_BRAND, PARALLEL_BRAND } from "../brands.ts";
export { action, type ActionInfo, type ActionOptions } from "./action.ts";
export {
  ALL_HOSTS,
  type ChildOptions,
  type HostsDefinition,
  type NodeClass,
  q,
  required,
  type RoleSource,
} from "./markers.ts";
export { child, Node, ParallelNode } from "./node.ts";
export type {
  ActionCall,
  ActionFlags,
  ActionName,
  NodeEnv,
  NodeMemberName,
  Parallel,
  ParallelView,
  RoleMap,
  RootOptions,
} from "./runtime.ts";
export type { Member, MemberKind } from "./state.ts";
export {
  beta,
  Group,
  type GroupColor,
  local,
  other,
  production,
  staging,
  utility,
} from "./groups.ts";
export { Inspector, type ListOptions } from "./inspect.ts";
export {
  Filter,
  groupOf,
  hasAction,
  inGroup,
  isInstance,
  privateOnly,
  publicOnly,
} from "./filters.ts";
export { type ParallelEntry, ParallelResult, settleEach } from "../outcome.ts";

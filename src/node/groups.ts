/**
 * Groups: labels such as production or staging, with a colour, that a node (and its
 * children) belongs to. They colour the shell prompt and can be filtered on.
 *
 * @module
 */

/** Colour names a group may use. */
export type GroupColor = "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "white";

/**
 * A named group with an optional colour.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Group } from "./groups.ts";
 * const canary = new Group("canary", "magenta");
 * assert.equal(canary.name, "canary");
 * ```
 */
export class Group {
  /** The group's name. */
  readonly name: string;
  /** The colour used for the group in the shell, if any. */
  readonly color: GroupColor | undefined;
  /** Creates a group. */
  constructor(name: string, color?: GroupColor) {
    this.name = name;
    this.color = color;
  }
  /** The group's name. */
  toString(): string {
    return this.name;
  }
}

/** Production systems (red). */
export const production: Group = new Group("production", "red");
/** Staging systems (yellow). */
export const staging: Group = new Group("staging", "yellow");
/** Beta systems (green). */
export const beta: Group = new Group("beta", "green");
/** Local systems (green). */
export const local: Group = new Group("local", "green");
/** Other systems (white). */
export const other: Group = new Group("other", "white");
/** Utilities (magenta). */
export const utility: Group = new Group("utility", "magenta");

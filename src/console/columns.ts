/**
 * Laying out words in columns, like `ls` (python-deployer's `Console.in_columns`).
 *
 * @module
 */
import { stripAnsi } from "./colors.ts";

/** Options of {@linkcode inColumns}. */
export interface ColumnsOptions {
  /** The width of the terminal in characters. */
  columns: number;
  /** Spaces in front of every line (default 0). */
  marginLeft?: number;
}

/**
 * Lays items out in columns as wide as the longest item plus one space, as many per
 * line as fit. The last item of a line is not padded, so no line ends with spaces.
 * Escape sequences do not count towards the width. Unlike python's generator, no empty
 * trailing line is produced.
 *
 * @param items The texts to lay out (they may be coloured).
 * @param options The terminal width and the left margin.
 * @returns The lines, without line breaks.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { inColumns } from "./columns.ts";
 * const lines = inColumns(["a", "bb", "c"], { columns: 6 });
 * assert.deepEqual(lines, ["a  bb", "c"]);
 * ```
 */
export function inColumns(items: readonly string[], options: ColumnsOptions): string[] {
  if (items.length === 0) return [];
  const margin = Math.max(0, options.marginLeft ?? 0);
  const lengths = items.map((item) => stripAnsi(item).length);
  const width = Math.max(...lengths) + 1;
  const perLine = Math.max(Math.floor((options.columns - margin) / width), 1);
  const lines: string[] = [];
  for (let start = 0; start < items.length; start += perLine) {
    const end = Math.min(start + perLine, items.length);
    let line = " ".repeat(margin);
    for (let i = start; i < end; i++) {
      line += i < end - 1 ? items[i] + " ".repeat(width - lengths[i]) : items[i];
    }
    lines.push(line);
  }
  return lines;
}

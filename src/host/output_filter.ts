/**
 * Filters a command's output as it streams: removes the sudo prompt marker (reporting
 * each one) and masks secrets, also when they are split across chunks.
 *
 * @module
 */

/**
 * A streaming filter for one output stream. Text that could be the start of a marker or
 * secret is held back until the next chunk (or `flush()`), so nothing leaks when a
 * secret arrives in pieces; everything else passes at once.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputFilter } from "./output_filter.ts";
 * const filter = new OutputFilter(["hunter2"]);
 * const shown = filter.push("pw: hun") + filter.push("ter2\n") + filter.flush();
 * assert.equal(shown, "pw: ***\n");
 * ```
 */
export class OutputFilter {
  readonly #secrets: string[];
  readonly #marker: string | undefined;
  readonly #onMarker: () => void;
  #carry = "";

  /** Masks `secrets`; removes `marker` and calls `onMarker` for each one found. */
  constructor(secrets: readonly string[], marker?: string, onMarker: () => void = () => {}) {
    // Longest first, so a secret that starts another one does not leave a part visible.
    this.#secrets = [...new Set(secrets.filter((s) => s.length > 0))]
      .sort((a, b) => b.length - a.length);
    this.#marker = marker || undefined;
    this.#onMarker = onMarker;
  }

  /** Filters a chunk; returns the text that is safe to show now. */
  push(text: string): string {
    let buffer = this.#carry + text;
    if (this.#marker) {
      for (let at = buffer.indexOf(this.#marker); at >= 0; at = buffer.indexOf(this.#marker)) {
        buffer = buffer.slice(0, at) + buffer.slice(at + this.#marker.length);
        this.#onMarker();
      }
    }
    for (const secret of this.#secrets) buffer = buffer.split(secret).join("***");
    const hold = this.#partialLength(buffer);
    this.#carry = buffer.slice(buffer.length - hold);
    return buffer.slice(0, buffer.length - hold);
  }

  /** Whatever was held back (masked), at the end of the stream. */
  flush(): string {
    let rest = this.#carry;
    this.#carry = "";
    for (const secret of this.#secrets) rest = rest.split(secret).join("***");
    return rest;
  }

  /** The length of the longest end of `text` that starts a marker or a secret. */
  #partialLength(text: string): number {
    const patterns = this.#marker ? [this.#marker, ...this.#secrets] : this.#secrets;
    const longest = Math.max(0, ...patterns.map((p) => p.length - 1));
    for (let k = Math.min(longest, text.length); k > 0; k--) {
      const end = text.slice(text.length - k);
      if (patterns.some((p) => p.startsWith(end))) return k;
    }
    return 0;
  }
}

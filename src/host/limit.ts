/**
 * A counting semaphore: at most `n` tasks at a time, the rest wait in order.
 *
 * @module
 */

/**
 * Creates a limiter that runs at most `concurrency` tasks at once.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { limiter } from "./limit.ts";
 * const limit = limiter(2);
 * const results = await Promise.all([1, 2, 3].map((n) => limit(async () => n * 2)));
 * assert.equal(results.join(), "2,4,6");
 * ```
 */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Concurrency must be a positive integer, got ${concurrency}`);
  }
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * A counting semaphore: at most `n` tasks at a time, the rest wait in order. A finished task
 * hands its slot straight to the first waiter.
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
  const acquire = (): Promise<void> | undefined => {
    if (running < concurrency) {
      running++;
      return undefined;
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    // Hand the slot straight to the next waiter: `running` stays as it is, so a caller that
    // arrives before the waiter wakes up cannot take the slot as well.
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  };
}

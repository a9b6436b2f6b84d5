import assert from "node:assert/strict";
import { limiter } from "../../src/host/limit.ts";

/** Resolves after `ticks` microtask turns. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

Deno.test("limiter(1) never runs two tasks when a caller arrives while a slot is released", async () => {
  // A caller that arrives between the release of a slot and the wake-up of the waiter must
  // queue behind that waiter. Try every arrival point in the first few microtask turns.
  for (let delay = 0; delay < 6; delay++) {
    const limit = limiter(1);
    let active = 0;
    let most = 0;
    const first = Promise.withResolvers<void>();
    const hold = Promise.withResolvers<void>();
    const tracked = async (): Promise<void> => {
      active++;
      most = Math.max(most, active);
      await hold.promise;
      active--;
    };
    const runs = [limit(() => first.promise), limit(tracked)];
    first.resolve();
    await ticks(delay);
    runs.push(limit(tracked));
    await ticks(10);
    hold.resolve();
    await Promise.all(runs);
    assert.equal(most, 1, `two tasks ran at once with a caller arriving after ${delay} ticks`);
  }
});

Deno.test("limiter(n) holds n under a stream of contending tasks, in call order", async () => {
  for (const n of [1, 2, 3]) {
    const limit = limiter(n);
    const total = 50;
    let active = 0;
    let most = 0;
    const called: number[] = [];
    const started: number[] = [];
    const done = Promise.withResolvers<void>();
    let finished = 0;
    const start = (i: number): void => {
      called.push(i);
      limit(async () => {
        active++;
        most = Math.max(most, active);
        started.push(i);
        await ticks(i % 3);
        active--;
        // Each finished task calls the limiter again at once: new callers keep arriving while
        // slots are being handed over.
        if (i + 10 < total) start(i + 10);
      }).then(() => {
        if (++finished === total) done.resolve();
      }, done.reject);
    };
    for (let i = 0; i < 10; i++) start(i);
    await done.promise;
    assert.equal(most, n, `limiter(${n}) ran ${most} tasks at once`);
    assert.deepEqual(started, called, `limiter(${n}) started tasks out of call order`);
  }
});

Deno.test("limiter releases its slot when a task fails", async () => {
  const limit = limiter(1);
  await assert.rejects(limit(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await limit(async () => 7), 7);
});

Deno.test("limiter rejects a concurrency that is not a positive integer", () => {
  assert.throws(() => limiter(0), RangeError);
  assert.throws(() => limiter(1.5), RangeError);
});

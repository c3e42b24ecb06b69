import { describe, expect, it } from 'vitest';
import { Batcher, type Settled } from '../../src/runtime/Batcher.ts';

function recorder(fail?: (item: number) => boolean) {
  const batches: number[][] = [];
  const run = async (items: readonly number[]): Promise<Settled<number>[]> => {
    batches.push([...items]);
    return items.map((item) => (fail?.(item) ? { ok: false, error: new Error(`bad ${item}`) } : { ok: true, value: item * 10 }));
  };
  return { batches, run };
}

describe('Batcher', () => {
  it('groups concurrent requests into one batch and answers each caller with its own result', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 64, maxWaitMs: 5 });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('splits at maxSize, keeping call order', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 3, maxWaitMs: 50 });
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.add(i)));
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('counts size per item (records per request), and sends an oversized request alone', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 4, maxWaitMs: 5 }, (n) => n);
    await Promise.all([1, 2, 9, 1].map((n) => batcher.add(n)));
    expect(batches).toEqual([[1, 2], [9], [1]]);
  });

  it('fails only the request the run reports as failed', async () => {
    const { run } = recorder((n) => n === 2);
    const batcher = new Batcher(run, { maxSize: 8, maxWaitMs: 1 });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects every request of a batch whose run throws', async () => {
    const batcher = new Batcher<number, number>(async () => Promise.reject(new Error('worker gone')), { maxSize: 8, maxWaitMs: 1 });
    const results = await Promise.allSettled([1, 2].map((n) => batcher.add(n)));
    expect(results.every((r) => r.status === 'rejected' && /worker gone/.test(String(r.reason)))).toBe(true);
  });

  it('does not wait for company longer than maxWaitMs', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 1 });
    await batcher.add(1);
    await batcher.add(2);
    expect(batches).toEqual([[1], [2]]);
  });
});

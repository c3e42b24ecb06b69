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
    const batcher = new Batcher(run, { maxSize: 64, maxWaitMs: 5, maxInFlight: 2 });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('splits at maxSize, keeping call order', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 3, maxWaitMs: 50, maxInFlight: 2 });
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.add(i)));
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('counts size per item (records per request), and sends an oversized request alone', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 4, maxWaitMs: 5, maxInFlight: 2 }, (n) => n);
    await Promise.all([1, 2, 9, 1].map((n) => batcher.add(n)));
    expect(batches).toEqual([[1, 2], [9], [1]]);
  });

  it('fails only the request the run reports as failed', async () => {
    const { run } = recorder((n) => n === 2);
    const batcher = new Batcher(run, { maxSize: 8, maxWaitMs: 1, maxInFlight: 2 });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects every request of a batch whose run throws', async () => {
    const batcher = new Batcher<number, number>(async () => Promise.reject(new Error('worker gone')), { maxSize: 8, maxWaitMs: 1, maxInFlight: 2 });
    const results = await Promise.allSettled([1, 2].map((n) => batcher.add(n)));
    expect(results.every((r) => r.status === 'rejected' && /worker gone/.test(String(r.reason)))).toBe(true);
  });

  it('sends a lone request at once: sequential callers pay no batching delay', async () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 10_000, maxInFlight: 2 });
    const started = Date.now();
    await batcher.add(1);
    await batcher.add(2);
    expect(batches).toEqual([[1], [2]]);
    expect(Date.now() - started).toBeLessThan(5_000); // far below maxWaitMs: no timer was waited on
  });

  it('while batches are in flight, collects new requests and sends them together when one returns', async () => {
    const batches: number[][] = [];
    const gates: (() => void)[] = [];
    const run = (items: readonly number[]) =>
      new Promise<Settled<number>[]>((resolve) => {
        batches.push([...items]);
        gates.push(() => resolve(items.map((value) => ({ ok: true as const, value }))));
      });
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 10_000, maxInFlight: 1 });
    const first = batcher.add(1);
    await Promise.resolve();
    const later = [2, 3, 4].map((n) => batcher.add(n));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([[1]]); // 2, 3, 4 wait: the one slot is busy
    gates[0]();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1]();
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
  });

  it('does not wait longer than maxWaitMs when the pipeline stays busy', async () => {
    const batches: number[][] = [];
    const run = (items: readonly number[]) => {
      batches.push([...items]);
      // The first batch never returns: the second must still leave after maxWaitMs.
      return batches.length === 1 ? new Promise<Settled<number>[]>(() => undefined) : Promise.resolve(items.map((value) => ({ ok: true as const, value })));
    };
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 5, maxInFlight: 1 });
    void batcher.add(1);
    await Promise.resolve();
    await expect(batcher.add(2)).resolves.toBe(2);
    expect(batches).toEqual([[1], [2]]);
  });
});

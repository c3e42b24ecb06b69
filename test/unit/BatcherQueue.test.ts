import { describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../src/errors.ts';
import { Batcher, type Settled } from '../../src/runtime/Batcher.ts';

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: EdgewatchError) => ({ ok: false as const, error }),
  );

describe('Batcher back-pressure (maxQueued)', () => {
  it('refuses what would queue past maxQueued with QUEUE_FULL; what was taken is answered; room comes back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = async (items: readonly number[]): Promise<Settled<number>[]> => {
      await gate;
      return items.map((item) => ({ ok: true, value: item }));
    };
    // 2 items per batch, at most 5 items outstanding.
    const batcher = new Batcher(run, { maxSize: 2, maxWaitMs: 1000, maxInFlight: 1, maxQueued: 5 });
    const calls = Array.from({ length: 20 }, (_, i) => settle(batcher.add(i)));
    release();
    const answers = await Promise.all(calls);
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      if (a.ok) continue;
      expect(a.error).toBeInstanceOf(EdgewatchError);
      expect(a.error.code).toBe('QUEUE_FULL');
      expect(a.error.details.maxQueued).toBe(5);
    }
    // Every call taken is answered with its own value, in order.
    const taken = answers.flatMap((a, i) => (a.ok ? [[i, a.value]] : []));
    expect(taken.every(([i, v]) => i === v)).toBe(true);
    expect(taken.length + refused.length).toBe(20);
    expect(taken.length).toBe(5); // nothing came back before the 20 calls were made: 5 outstanding at most
    await expect(batcher.add(99)).resolves.toBe(99);
  });

  it('a single request larger than maxQueued is taken when the queue is empty', async () => {
    const run = async (items: readonly number[]): Promise<Settled<number>[]> => items.map((item) => ({ ok: true, value: item }));
    const batcher = new Batcher(run, { maxSize: 64, maxWaitMs: 1, maxInFlight: 1, maxQueued: 3 }, (n) => n);
    await expect(batcher.add(10)).resolves.toBe(10);
  });

  it('without maxQueued nothing is refused', async () => {
    const run = async (items: readonly number[]): Promise<Settled<number>[]> => items.map((item) => ({ ok: true, value: item }));
    const batcher = new Batcher(run, { maxSize: 2, maxWaitMs: 1, maxInFlight: 1 });
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => batcher.add(i)));
    expect(answers).toHaveLength(500);
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelSession } from '../../../workers/session.ts';
import { trialBatch } from '../../../workers/threadTrials.ts';

/** Just what `trialBatch` reads of a session: the feature width and transform, the goldens. */
function session(width: number, goldens: number): ModelSession {
  return {
    features: { width, transform: (records: readonly { i: number }[]) => records.flatMap((r) => Array.from({ length: width }, () => r.i + 1)) },
    entry: { goldens: Array.from({ length: goldens }, (_, i) => ({ record: { i } })) },
  } as unknown as ModelSession;
}

describe('trialBatch (what backend, thread and engine trials time)', () => {
  it('takes 32 rows of a narrow model, its goldens repeated in order', () => {
    const { batch, rows } = trialBatch(session(8, 3));
    expect(rows).toBe(32);
    expect(batch.length).toBe(32 * 8);
    // Row r is golden r % 3 (values i + 1, so a zero would mean an unfilled row).
    expect([0, 1, 2, 3, 31].map((r) => batch[r * 8])).toEqual([1, 2, 3, 1, 2]);
  });

  it('caps a wide model at 64 Ki floats: one 224×224×3 image, a step of an engine trial holds predictions back that long', () => {
    const image = 224 * 224 * 3;
    expect(trialBatch(session(image, 1)).rows).toBe(1);
    expect(trialBatch(session(4096, 1)).rows).toBe(16);
  });

  it('zeros without goldens; maxRows lowers the count', () => {
    const { batch, rows } = trialBatch(session(4, 0), 5);
    expect(rows).toBe(5);
    expect(Array.from(batch)).toEqual(new Array(20).fill(0));
  });
});

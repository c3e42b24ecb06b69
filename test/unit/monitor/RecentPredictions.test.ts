import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchIdPrefix, predictionIdParts, RecentPredictions } from '../../../src/monitor/RecentPredictions.ts';

/** Scores whose every value says which batch and float it is, so a wrong or stale read cannot pass. */
function scoresOf(seq: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => seq * 1000 + i);
}

describe('RecentPredictions', () => {
  it('returns exactly the kept scores, never a stale or overwritten one, within the row and age bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.record({ rows: fc.integer({ min: 1, max: 12 }), width: fc.constantFrom(1, 2, 5), dt: fc.integer({ min: 0, max: 400 }) }), {
          minLength: 1,
          maxLength: 120,
        }),
        (maxRows, batches) => {
          const maxAgeMs = 1000;
          const recent = new RecentPredictions<string>(maxRows, maxAgeMs);
          let at = 0;
          const added: { seq: number; rows: number; width: number; at: number }[] = [];
          batches.forEach(({ rows, width, dt }, seq) => {
            at += dt;
            recent.add(seq, `v${width}`, at - (at % 100), at, scoresOf(seq, rows * width), rows, width);
            added.push({ seq, rows, width, at });
            expect(recent.size).toBeLessThanOrEqual(maxRows);
            let kept = 0;
            for (const b of added) {
              const found = recent.get(b.seq, 0);
              if (!found) continue;
              kept += b.rows;
              // never older than the bound at the last add
              expect(at - b.at).toBeLessThanOrEqual(maxAgeMs);
              for (let row = 0; row < b.rows; row++) {
                const p = recent.get(b.seq, row);
                expect(p?.version).toBe(`v${b.width}`);
                expect(p?.windowStart).toBe(b.at - (b.at % 100));
                expect(Array.from(p?.scores ?? [])).toEqual(Array.from(scoresOf(b.seq, b.rows * b.width).subarray(row * b.width, (row + 1) * b.width)));
              }
              expect(recent.get(b.seq, b.rows)).toBeUndefined();
            }
            expect(kept).toBe(recent.size);
            // the newest batch is always kept when it fits the bound
            if (rows <= maxRows) expect(recent.get(seq, rows - 1)).toBeDefined();
          });
        },
      ),
      {
        numRuns: 400,
        // found by a random run: a wrap that skipped a tail still holding the oldest batch overwrote newer ones
        examples: [
          [
            20,
            [
              { rows: 11, width: 2, dt: 0 },
              { rows: 8, width: 2, dt: 0 },
              { rows: 1, width: 1, dt: 0 },
              { rows: 1, width: 2, dt: 0 },
              { rows: 6, width: 5, dt: 0 },
              { rows: 5, width: 2, dt: 0 },
            ],
          ],
        ],
      },
    );
  });

  it('keeps the last maxRows rows of a steady stream (one model): no row is dropped early going round', () => {
    const recent = new RecentPredictions<string>(640, 1e12);
    for (let seq = 0; seq < 1000; seq++) recent.add(seq, 'v', 0, seq, scoresOf(seq, 64 * 5), 64, 5);
    expect(recent.size).toBe(640);
    for (let seq = 990; seq < 1000; seq++) expect(recent.get(seq, 63)?.scores[4]).toBe(seq * 1000 + 63 * 5 + 4);
    expect(recent.get(989, 0)).toBeUndefined();
  });

  it('makes and reads prediction ids, and reads nothing from any other id', () => {
    const prefix = batchIdPrefix('w1a2', 12345);
    expect(prefix).toBe('w1a2-9ix');
    expect(predictionIdParts(`${prefix}:7`)).toEqual({ base: 'w1a2', seq: 12345, row: 7 });
    // A worker base with dashes of its own (the last dash before the colon is the batch's).
    expect(predictionIdParts(`${batchIdPrefix('a-b', 3)}:0`)).toEqual({ base: 'a-b', seq: 3, row: 0 });
    for (const bad of ['', 'w1a2', 'w1a2-:1', 'w1a2-zz', 'w1a2-1:-1', 'w1a2-1:x', 'nope:0', 'w1a2-1_:0', 'w1a2-1A:0', 'w1a2-1:0.5', 'w1a2-1:1e3', '-1:0'])
      expect(predictionIdParts(bad)).toBeUndefined();
  });

  it('lists every kept batch oldest first, with exactly its scores, for a worker taking over', () => {
    const recent = new RecentPredictions<string>(10, 1e12);
    for (let seq = 0; seq < 6; seq++) recent.add(seq, `v${seq % 2}`, seq * 10, seq, scoresOf(seq, 3 * 2), 3, 2);
    const { seqs, windowStarts, ats, rows, widths, versions, scores } = recent.snapshot();
    // 10 rows kept at most: the three newest batches of 3
    expect(Array.from(seqs)).toEqual([3, 4, 5]);
    expect(versions).toEqual(['v1', 'v0', 'v1']);
    expect([windowStarts[0], ats[0], rows[0], widths[0]]).toEqual([30, 3, 3, 2]);
    expect(Array.from(scores)).toEqual([3, 4, 5].flatMap((seq) => Array.from(scoresOf(seq, 6))));
    const empty = new RecentPredictions<string>().snapshot();
    expect([empty.seqs.length, empty.versions.length, empty.scores.length]).toEqual([0, 0, 0]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKGROUND_GAP_RATIO, MAX_BACKGROUND_GAP_MS, paced, takeTurns } from '../../../workers/takeTurns.ts';

// A clock only the steps and the gaps move: what is checked is the order and length of the gaps, not real time.
let now = 0;
let journal: string[] = [];
beforeEach(() => {
  now = 0;
  journal = [];
  vi.spyOn(performance, 'now').mockImplementation(() => now);
});
afterEach(() => vi.restoreAllMocks());

const pause = async (ms: number) => {
  journal.push(`idle ${ms}`);
  now += ms;
};
/** A side that keeps the clock busy for `busy` ms per step and answers `name` + its step number. */
const side = (name: string, busy: number) => {
  let n = 0;
  return async () => {
    journal.push(name);
    now += busy;
    return `${name}${n++}`;
  };
};

describe('takeTurns: background trials at a duty cycle', () => {
  it('runs the sides A B A B, each step followed by an idle gap as long as it was busy', async () => {
    expect(BACKGROUND_GAP_RATIO).toBe(1);
    const kept = await takeTurns([side('A', 7), side('B', 20)], { rounds: 2, pause });
    expect(kept).toEqual([
      ['A0', 'A1'],
      ['B0', 'B1'],
    ]);
    // Both sides under the same rule: the gap after a step is that step's own time.
    expect(journal).toEqual(['A', 'idle 7', 'B', 'idle 20', 'A', 'idle 7', 'B', 'idle 20']);
  });

  it('counts only busy time against the budget: the gaps do not cut the rounds short', async () => {
    // 200 ms busy per round; wall time (gaps included) passes the 450 ms budget in round 2, busy time in round 3.
    const kept = await takeTurns([side('A', 100), side('B', 100)], { rounds: 10, budgetMs: 450, pause });
    expect(kept[0]).toEqual(['A0', 'A1', 'A2']);
    expect(kept[1]).toEqual(['B0', 'B1', 'B2']);
    expect(now).toBe(1200);
  });

  it('caps one gap at MAX_BACKGROUND_GAP_MS (a slow load does not stall the trials as long again)', async () => {
    const { value, busyMs } = await paced(async () => {
      now += MAX_BACKGROUND_GAP_MS * 3;
      return 'loaded';
    }, pause);
    expect(value).toBe('loaded');
    expect(busyMs).toBe(MAX_BACKGROUND_GAP_MS * 3);
    expect(journal).toEqual([`idle ${MAX_BACKGROUND_GAP_MS}`]);
  });

  it('runs warm-up rounds without keeping them, and stops when asked after a kept round', async () => {
    const kept = await takeTurns([side('A', 1), side('B', 5)], {
      rounds: 5,
      warmup: 1,
      pause,
      stop: ([, b]) => b.length === 2,
    });
    // Round -1 (A0, B0) is the warm-up; rounds 0 and 1 are kept, then the stop rule ends it.
    expect(kept).toEqual([
      ['A1', 'A2'],
      ['B1', 'B2'],
    ]);
    expect(journal.filter((e) => !e.startsWith('idle'))).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
  });

  it('a step that fails stops the turns with its error (the trial is then rejected, nothing else runs)', async () => {
    const failing = async () => {
      journal.push('B');
      throw new Error('child died');
    };
    await expect(takeTurns([side('A', 1), failing], { rounds: 3, pause })).rejects.toThrow('child died');
    expect(journal).toEqual(['A', 'idle 1', 'B']);
  });
});

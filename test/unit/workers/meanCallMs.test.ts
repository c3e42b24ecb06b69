import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_CALLS_PER_TIMING, MIN_TIMING_MS, meanCallMs } from '../../../workers/meanCallMs.ts';

// A clock only the calls move: what is checked is how many calls one timing makes and what it reports.
let now = 0;
beforeEach(() => {
  now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
});
afterEach(() => vi.restoreAllMocks());

/** A call that keeps the clock busy for the next of `costs` (the last one repeating), counting itself. */
function calls(...costs: number[]) {
  const run = async () => {
    now += costs[Math.min(run.count, costs.length - 1)];
    run.count++;
  };
  run.count = 0;
  return run;
}

describe('meanCallMs: one timing of a trial', () => {
  it('repeats a short call until the span is covered and reports the mean per call', async () => {
    const run = calls(0.1);
    expect(await meanCallMs(run)).toBeCloseTo(0.1, 9);
    expect(run.count).toBe(Math.ceil(MIN_TIMING_MS / 0.1));
  });

  it('one slow call (a thread woken late) is averaged with the rest instead of being the timing', async () => {
    const run = calls(0.5, 0.1);
    const mean = await meanCallMs(run);
    expect(run.count).toBe(16); // 0.5 + 15 × 0.1 = 2 ms
    expect(mean).toBeCloseTo(2 / 16, 9);
  });

  it('a call that covers the span runs once; a bound caps the calls whatever the clock says', async () => {
    const slow = calls(50);
    expect(await meanCallMs(slow)).toBe(50);
    expect(slow.count).toBe(1);
    const free = calls(0);
    expect(await meanCallMs(free)).toBe(0);
    expect(free.count).toBe(MAX_CALLS_PER_TIMING);
  });

  it('minMs 0 and maxCalls 1: a single call, as the warm-up and plain timings take it', async () => {
    const run = calls(0.1);
    expect(await meanCallMs(run, 0, 1)).toBeCloseTo(0.1, 9);
    expect(run.count).toBe(1);
  });
});

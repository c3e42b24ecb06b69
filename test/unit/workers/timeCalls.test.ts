import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_CALLS_PER_TIMING, MIN_TIMING_MS, timeCalls } from '../../../workers/timeCalls.ts';

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
    return ++run.count;
  };
  run.count = 0;
  return run;
}

describe('timeCalls: one timing of a trial', () => {
  it('repeats a short call until the span is covered and reports the mean per call', async () => {
    const run = calls(0.1);
    expect(await timeCalls(run)).toEqual({ ms: expect.closeTo(0.1, 9), last: Math.ceil(MIN_TIMING_MS / 0.1) });
    expect(run.count).toBe(Math.ceil(MIN_TIMING_MS / 0.1));
  });

  it('one slow call (a thread woken late) is averaged with the rest instead of being the timing', async () => {
    const run = calls(0.5, 0.1);
    const { ms: mean, last } = await timeCalls(run);
    expect(last).toBe(16);
    expect(run.count).toBe(16); // 0.5 + 15 × 0.1 = 2 ms
    expect(mean).toBeCloseTo(2 / 16, 9);
  });

  it('a call that covers the span runs once; a bound caps the calls whatever the clock says', async () => {
    const slow = calls(50);
    expect(await timeCalls(slow)).toEqual({ ms: 50, last: 1 });
    expect(slow.count).toBe(1);
    const free = calls(0);
    expect((await timeCalls(free)).ms).toBe(0);
    expect(free.count).toBe(MAX_CALLS_PER_TIMING);
  });

  it('minMs 0 and maxCalls 1: a single call, as the warm-up and plain timings take it', async () => {
    const run = calls(0.1);
    expect((await timeCalls(run, 0, 1)).ms).toBeCloseTo(0.1, 9);
    expect(run.count).toBe(1);
  });
});

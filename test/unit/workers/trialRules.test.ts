import { describe, expect, it } from 'vitest';
import type { BackendTrialReport } from '../../../workers/protocol.ts';
import {
  DEFAULT_SWAP_SPEEDUP,
  maxAbsDiff,
  median,
  pickFaster,
  beatsWithoutLoss,
  pickFasterOnBoth,
  pickThreads,
  threadCountsToTime,
  trialCandidates,
} from '../../../workers/trialRules.ts';

const ORDER = ['wasm', 'webgl', 'webgpu', 'cpu'] as const;

describe('trialCandidates', () => {
  it('times every other backend, less cpu once wasm serves and software GPU adapters', () => {
    expect(trialCandidates('wasm', ORDER, { webgpuFallback: true, webglSoftware: true })).toEqual([
      { name: 'webgl', skipped: 'software WebGL renderer' },
      { name: 'webgpu', skipped: 'software WebGPU adapter' },
      { name: 'cpu', skipped: 'cpu is not timed once wasm runs' },
    ]);
    expect(trialCandidates('wasm', ORDER, { webgpuFallback: false, webglSoftware: false })).toEqual([
      { name: 'webgl' },
      { name: 'webgpu' },
      { name: 'cpu', skipped: 'cpu is not timed once wasm runs' },
    ]);
  });

  it('times cpu when cpu is not what serves, e.g. wasm did not start', () => {
    expect(trialCandidates('cpu', ORDER, {}).map((c) => c.name)).toEqual(['wasm', 'webgl', 'webgpu']);
    expect(trialCandidates('cpu', ORDER, {}).every((c) => c.skipped === undefined)).toBe(true);
  });

  it('times exactly what backendTrials names, skips or not', () => {
    expect(trialCandidates('wasm', ORDER, { webgpuFallback: true }, ['cpu', 'webgpu'])).toEqual([
      { name: 'webgl', skipped: 'not in backendTrials' },
      { name: 'webgpu' },
      { name: 'cpu' },
    ]);
  });
});

const trial = (backend: BackendTrialReport['backend'], medianMs: number, servingMs: number, extra: Partial<BackendTrialReport> = {}): BackendTrialReport => ({
  type: 'trial',
  name: 'm',
  version: '1',
  backend,
  serving: 'wasm',
  medianMs,
  servingMs,
  maxAbsDiff: 0,
  ...extra,
});

describe('pickFaster', () => {
  it('needs at least 10 % by default', () => {
    expect(DEFAULT_SWAP_SPEEDUP).toBe(1.1);
    expect(pickFaster([trial('webgl', 9.2, 10)], 1.1)).toBeUndefined();
    expect(pickFaster([trial('webgl', 9, 10)], 1.1)?.backend).toBe('webgl');
  });

  it('takes the fastest correct candidate; rejected, skipped and untimed ones never win', () => {
    const picked = pickFaster(
      [
        trial('webgl', 5, 10),
        trial('webgpu', 1, 10, { rejected: 'outputs differ from wasm by 0.5' }),
        trial('cpu', 0.5, 10, { skipped: 'cpu is not timed once wasm runs' }),
        { type: 'trial', name: 'm', version: '1', backend: 'cpu', serving: 'wasm', rejected: 'failed' },
        trial('webgpu', 4, 10),
      ],
      1.1,
    );
    expect(picked?.backend).toBe('webgpu');
    expect(picked?.medianMs).toBe(4);
  });

  it('0 takes any correct candidate, even a slower one', () => {
    expect(pickFaster([trial('cpu', 30, 10)], 0)?.backend).toBe('cpu');
    expect(pickFaster([trial('cpu', 30, 10)], 1.1)).toBeUndefined();
  });
});

describe('answers and timings compared', () => {
  it('maxAbsDiff: the largest difference; Infinity for other lengths or a NaN', () => {
    expect(maxAbsDiff(Float32Array.of(1, 2, 3), Float32Array.of(1, 2.5, 2))).toBeCloseTo(1, 6);
    expect(maxAbsDiff(Float32Array.of(1, 2), Float32Array.of(1))).toBe(Infinity);
    expect(maxAbsDiff(Float32Array.of(1, Number.NaN), Float32Array.of(1, 2))).toBe(Infinity);
    expect(maxAbsDiff(new Float32Array(0), new Float32Array(0))).toBe(0);
  });

  it('median: the middle timing, the upper one of an even count, input untouched', () => {
    const times = [5, 1, 3];
    expect(median(times)).toBe(3);
    expect(times).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(3);
  });
});

describe('pickThreads', () => {
  it('a count must be 10 % faster than the running one on the batch and on one row', () => {
    // The weather MLP here: 2 threads won 32 rows and made one-row calls 1.83× slower.
    expect(pickThreads({ 1: 1.3, 2: 1.0 }, { 1: 0.3, 2: 0.55 }, 1.1)).toBe(1);
    // Silero VAD here: 24.8 vs 14.9 ms, and faster on one row too.
    expect(pickThreads({ 1: 24.8, 2: 14.9 }, { 1: 24.8, 2: 14.9 }, 1.1)).toBe(2);
    // 5 % is noise.
    expect(pickThreads({ 1: 10, 2: 9.5 }, { 1: 10, 2: 9.5 }, 1.1)).toBe(1);
  });

  it('the fastest winner on the batch, against the running count', () => {
    expect(pickThreads({ 1: 40, 2: 20, 4: 12 }, { 1: 4, 2: 3, 4: 3 }, 1.1)).toBe(4);
    // Running 4 (ORT's default on 8 cores): 1 and 2 must beat 4, not 1.
    expect(pickThreads({ 1: 40, 2: 20, 4: 12 }, { 1: 4, 2: 3, 4: 3 }, 1.1, 4)).toBe(4);
    expect(pickThreads({ 1: 10, 2: 12, 4: 14 }, { 1: 1, 2: 1.2, 4: 1.5 }, 1.1, 4)).toBe(1);
  });

  it('counts without a timing, or a running count without one, change nothing', () => {
    expect(pickThreads({ 1: 10, 2: 5 }, { 1: 10 }, 1.1)).toBe(1);
    expect(pickThreads({ 2: 5 }, { 2: 5 }, 1.1)).toBe(1);
    expect(pickThreads({ 1: Number.NaN, 2: 5 }, { 1: 1, 2: 0.5 }, 1.1)).toBe(1);
    expect(pickThreads({}, {}, 1.1, 3)).toBe(3);
  });
});

describe('pickFasterOnBoth', () => {
  it('ORT candidates by label: WebGPU replaces wasm only when faster on the batch and on one row', () => {
    expect(pickFasterOnBoth({ 'wasm×1': 20, webgpu: 5 }, { 'wasm×1': 1, webgpu: 3 }, 1.1, 'wasm×1')).toBe('wasm×1');
    expect(pickFasterOnBoth({ 'wasm×1': 20, 'wasm×2': 12, webgpu: 5 }, { 'wasm×1': 3, 'wasm×2': 2, webgpu: 1 }, 1.1, 'wasm×1')).toBe('webgpu');
    expect(pickFasterOnBoth({ 'wasm×1': 20, 'wasm×2': 12, webgpu: 25 }, { 'wasm×1': 3, 'wasm×2': 2, webgpu: 1 }, 1.1, 'wasm×1')).toBe('wasm×2');
  });

  it('a win on one row alone does not move a thread count (the MLP: 2 threads 1.09× on 32 rows, by chance faster on one)', () => {
    expect(pickFasterOnBoth({ 'wasm×1': 0.495, 'wasm×2': 0.455 }, { 'wasm×1': 0.2, 'wasm×2': 0.15 }, 1.1, 'wasm×1')).toBe('wasm×1');
  });
});

describe('beatsWithoutLoss (engine trials)', () => {
  it('a tie on the batch and a win on one row is a win (the weather MLP: ORT ties tfjs-wasm on 32 rows, 2.2× faster on one)', () => {
    expect(beatsWithoutLoss(0.205 / 0.205, 0.09 / 0.04, 1.1)).toBe(true);
    // The other way round: a win on the batch and a tie on one row.
    expect(beatsWithoutLoss(2, 1 / 1.05, 1.1)).toBe(true);
  });

  it('a win on one size does not buy a loss beyond noise (more than 1.1× slower) on the other', () => {
    expect(beatsWithoutLoss(0.92, 2.6, 1.1)).toBe(true);
    expect(beatsWithoutLoss(0.9, 2.6, 1.1)).toBe(false);
    expect(beatsWithoutLoss(2.6, 0.9, 1.1)).toBe(false);
    // Neither 1.1× faster anywhere: noise.
    expect(beatsWithoutLoss(1.09, 1.09, 1.1)).toBe(false);
  });

  it('backendSwapSpeedup 0 forces the swap, Infinity never swaps', () => {
    expect(beatsWithoutLoss(0.5, 0.5, 0)).toBe(true);
    expect(beatsWithoutLoss(100, 100, Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe('threadCountsToTime', () => {
  const counts = [1, 2, 3, 4];
  it('times the counts when wasm serves next: it serves now, or it won the backend trials (cpu → wasm)', () => {
    expect(threadCountsToTime('wasm', 'auto', counts)).toEqual([1, 2, 3, 4]);
    expect(threadCountsToTime('wasm', undefined, [1, 2])).toEqual([1, 2]);
  });

  it('times none when another backend serves next, the caller asked for a count, or fewer than two counts can run', () => {
    expect(threadCountsToTime('cpu', 'auto', counts)).toEqual([]);
    expect(threadCountsToTime('webgpu', 'auto', counts)).toEqual([]);
    expect(threadCountsToTime('wasm', 2, counts)).toEqual([]);
    expect(threadCountsToTime('wasm', 'auto', [1])).toEqual([]);
    expect(threadCountsToTime('wasm', 'auto', [])).toEqual([]);
  });
});

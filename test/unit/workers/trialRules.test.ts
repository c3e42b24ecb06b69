import { describe, expect, it } from 'vitest';
import type { BackendTrialReport } from '../../../workers/protocol.ts';
import { DEFAULT_SWAP_SPEEDUP, maxAbsDiff, median, pickFaster, trialCandidates } from '../../../workers/trialRules.ts';

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

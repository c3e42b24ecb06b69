/**
 * The rules of the background backend trials, apart from TF.js so they are tested anywhere: which
 * backends are timed, and which result replaces the serving backend.
 */
import { BackendName, type BackendTrialReport } from './protocol.ts';

/** Speedup a candidate needs over the serving backend to replace it (10 %): less is noise. */
export const DEFAULT_SWAP_SPEEDUP = 1.1;

/** A candidate and why it is not timed, if it is not. */
export interface TrialCandidate {
  readonly name: BackendName;
  readonly skipped?: string;
}

/**
 * Which backends to time against `serving`, in order. `asked` (the `backendTrials` option) overrides
 * the skips; the facts about the device are passed in so the rule is testable anywhere.
 */
export function trialCandidates(
  serving: BackendName,
  order: readonly BackendName[],
  device: { readonly webgpuFallback?: boolean; readonly webglSoftware?: boolean },
  asked?: readonly BackendName[],
): TrialCandidate[] {
  return order
    .filter((name) => name !== serving)
    .map((name): TrialCandidate => {
      if (asked) return asked.includes(name) ? { name } : { name, skipped: 'not in backendTrials' };
      if (name === BackendName.cpu && serving === BackendName.wasm) return { name, skipped: 'cpu is not timed once wasm runs' };
      if (name === BackendName.webgpu && device.webgpuFallback) return { name, skipped: 'software WebGPU adapter' };
      if (name === BackendName.webgl && device.webglSoftware) return { name, skipped: 'software WebGL renderer' };
      return { name };
    });
}

/** The fastest candidate that is correct and at least `speedup` times faster than the serving backend. */
export function pickFaster(trials: readonly BackendTrialReport[], speedup: number): BackendTrialReport | undefined {
  let best: BackendTrialReport | undefined;
  for (const trial of trials) {
    if (trial.skipped || trial.rejected || trial.medianMs === undefined || trial.servingMs === undefined) continue;
    if (trial.servingMs / trial.medianMs < speedup) continue;
    if (!best || trial.medianMs < (best.medianMs as number)) best = trial;
  }
  return best;
}

/** Largest absolute difference of two answers; Infinity when their lengths differ or either has a NaN. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    if (Number.isNaN(diff)) return Infinity;
    if (diff > max) max = diff;
  }
  return max;
}

/** The median of timings (the upper one of an even count). */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * Whether an engine trial's candidate with these gains (serving median / candidate median) on the trial
 * batch and on one row may replace what serves: at least `speedup` faster on one of the two and not slower
 * beyond noise on the other (at most `speedup` times slower: the same 10 % that counts as a gain). ONNX
 * Runtime can tie TF.js on 32 rows and answer one row 2.2× faster: taken. Engines are timed back to back in
 * one worker; thread counts and ORT's backends, timed in workers of their own, are noisier and must win on
 * both ({@link pickFasterOnBoth}: a 2-thread MLP that came out 1.1× faster on one row there, by chance, ran
 * 1.4× slower). With `speedup` ≤ 1 both gains must reach it (0: always).
 */
export function beatsWithoutLoss(batchGain: number, singleGain: number, speedup: number): boolean {
  return Math.max(batchGain, singleGain) >= speedup && Math.min(batchGain, singleGain) >= Math.min(speedup, 1 / speedup);
}

/**
 * The candidate to run, from medians per candidate on the trial batch (`batch`) and on one row
 * (`single`): a candidate replaces `baseline` (what runs now) only when it is at least `speedup` times
 * faster on both — on a small model more threads can speed up 32 rows and slow down the single-row
 * calls most pages make — and the fastest such candidate on the batch wins. Candidates not timed are ignored.
 */
export function pickFasterOnBoth(batch: Readonly<Record<string, number>>, single: Readonly<Record<string, number>>, speedup: number, baseline: string): string {
  let best = baseline;
  const base = batch[baseline];
  const baseSingle = single[baseline];
  if (!(base > 0) || !(baseSingle > 0)) return baseline;
  for (const [key, ms] of Object.entries(batch)) {
    const one = single[key];
    if (key === baseline || !(ms > 0) || !(one > 0)) continue;
    if (base / ms >= speedup && baseSingle / one >= speedup && ms < batch[best]) best = key;
  }
  return best;
}

/** {@link pickFasterOnBoth} over thread counts (1 thread runs first unless `baseline` says otherwise). */
export const pickThreads = (batch: Readonly<Record<number, number>>, single: Readonly<Record<number, number>>, speedup: number, baseline = 1): number =>
  Number(pickFasterOnBoth(batch, single, speedup, String(baseline)));

/**
 * The wasm thread counts to time once the backend trials are over: `counts` (what the device can run,
 * `threadCounts()`) when wasm serves next — it serves now, or it won and is handed over, so its count is
 * part of that one handoff — and the thread count is the library's to choose (`wasmThreads: 'auto'`);
 * none otherwise, or where fewer than two counts can run.
 */
export function threadCountsToTime(next: BackendName, wasmThreads: number | 'auto' | undefined, counts: readonly number[]): readonly number[] {
  if (next !== BackendName.wasm || (wasmThreads ?? 'auto') !== 'auto' || counts.length < 2) return [];
  return counts;
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { EdgewatchError, ErrorCode } from '../../../src/errors.ts';
import type { FeatureStats } from '../../../src/features/FeatureStats.ts';
import { ModelMonitor, type ModelMonitorOptions, type MonitoredVersion } from '../../../src/monitor/ModelMonitor.ts';
import { MonitorBudget } from '../../../src/monitor/MonitorBudget.ts';
import { sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';

const layout = sketchLayout(['x'], { kind: 'classification', labels: ['a', 'b'] }, undefined, { scores: true });
const v: MonitoredVersion = { model: 'm', version: '1', layout };
const noStorage = async () => {
  throw new Error('storage down');
};

/** A feature pipeline with no repairs, or with `stats` to hand over once. */
function source(stats?: FeatureStats) {
  let issues = stats ? 1 : 0;
  return {
    width: 1,
    get issues() {
      return issues;
    },
    takeStats() {
      issues = 0;
      return stats as FeatureStats;
    },
  };
}

/** `rows` rows: feature r = r, scores [r/100, 1 − r/100] (class a from row 51 on), classes as the worker sends them. */
function batchOf(rows: number) {
  const x = Float32Array.from({ length: rows }, (_, r) => r);
  const scores = new Float32Array(rows * 2);
  const classes = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    scores[2 * r] = r / 100;
    scores[2 * r + 1] = 1 - r / 100;
    classes[r] = r / 100 > 1 - r / 100 ? 0 : 1;
  }
  return { x, scores, classes };
}

/** One batch through the seam, as the worker drives it. */
function answer(monitor: ModelMonitor, rows: number, seq = 0, reuse = true) {
  const { x, scores, classes } = batchOf(rows);
  const batch = monitor.beginBatch(v, source());
  batch.onFeatures(x, rows);
  // the pipeline reuses its buffer for the next batch before this one is sketched
  if (reuse) x.fill(-1);
  const t = performance.now();
  const answeredAt = batch.answered({ seq, rows, scores, outputWidth: 2, classes, backend: 'wasm', startedAt: t - 2, inferredAt: t });
  return { answeredAt, t, scores, classes };
}

function monitorWith(options: ModelMonitorOptions = {}) {
  return new ModelMonitor(noStorage as never, { budget: { share: Infinity }, ...options });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ModelMonitor.beginBatch (the worker's one entry per batch)", () => {
  it('counts every row before the answer and sketches the copied rows once the queue runs', () => {
    const monitor = monitorWith();
    const { answeredAt, t } = answer(monitor, 40);
    expect(answeredAt).toBeGreaterThanOrEqual(t);
    const before = monitor.window(v).toJSON();
    expect(before).toMatchObject({ predictions: 40, sketched: 0 });
    expect(before.health.batches).toBe(1);
    expect(before.health.backends).toEqual({ wasm: 1 });
    if (before.outputs.kind !== 'classification') throw new Error('classification expected');
    // rows 0..50 are b (1 − r/100 ≥ r/100): all 40 here
    expect(before.outputs.classes.counts).toEqual([0, 40]);
    monitor.runPending();
    const after = monitor.window(v).toJSON();
    expect(after.sketched).toBe(40);
    // the features as they were, not the reused buffer's -1s: mean of 0..39
    expect(after.features.x.count).toBe(40);
    expect(after.features.x.moments.mean).toBeCloseTo(19.5, 6);
    expect(after.features.x.moments.min).toBe(0);
    if (after.outputs.kind !== 'classification') throw new Error('classification expected');
    expect(after.outputs.confidence.count).toBe(40);
    expect(after.outputs.confidence.moments.mean).toBeCloseTo(1 - 0.195, 5);
  });

  it('sketches a sampled batch exactly like its sampled rows gathered by hand, features and scores row for row', () => {
    const monitor = new ModelMonitor(noStorage as never);
    // teach the budget 1 ms per sketched row with a full 20 ms bucket: a 32-row batch gets 20 rows
    monitor.budget(v).account(0, 0, 1, 1);
    answer(monitor, 32);
    monitor.runPending();
    const sampled = monitor.window(v).toJSON();
    expect(sampled).toMatchObject({ predictions: 32, sketched: 20 });
    // a fresh budget draws the same systematic sample (its phase starts at 0)
    const rows = new MonitorBudget().sample(32, 20, new Int32Array(20));
    const { x, scores } = batchOf(32);
    const expected = new WindowSketch(layout, 'm', '1', 0, 1);
    expected.count(scores, 32);
    expected.sketch(
      Float32Array.from(rows, (r) => x[r]),
      Float32Array.from({ length: 40 }, (_, i) => scores[2 * rows[i >> 1] + (i & 1)]),
      20,
    );
    const e = expected.toJSON();
    expect(sampled.features).toEqual(e.features);
    expect(sampled.outputs).toEqual(e.outputs);
  });

  it('keeps the scores for feedback and counts the repairs the pipeline reports', () => {
    const monitor = monitorWith();
    const stats: FeatureStats = { rows: 2, inputs: { x: { missing: 2, invalid: 0, outOfRange: 0, unseen: 0, repaired: 1 } }, oov: {} };
    const { x, scores, classes } = batchOf(2);
    const batch = monitor.beginBatch(v, source(stats));
    batch.onFeatures(x, 2);
    const t = performance.now();
    batch.answered({ seq: 7, rows: 2, scores, outputWidth: 2, classes, backend: 'cpu', startedAt: t, inferredAt: t });
    expect(monitor.window(v).toJSON().health.repairedByInput).toEqual({ x: 3 });
    // row 1 scored [0.01, 0.99]: b
    expect(monitor.feedback(`${monitor.batchId(7)}:1`, 'b', v)).toMatchObject({ matched: true, correct: true });
  });

  it('counts a refused record by its field, and a failed batch sketches nothing', () => {
    const monitor = monitorWith();
    monitor.beginBatch(v, source()).failed(new EdgewatchError(ErrorCode.INPUT_INVALID, 'bad', { field: 'x', reason: 'not-a-number' }));
    const failed = monitor.beginBatch(v, source());
    failed.onFeatures(Float32Array.of(1, 2), 2);
    failed.failed(new Error('model failed'));
    monitor.runPending();
    const w = monitor.window(v).toJSON();
    expect(w.health.invalidRecords).toBe(1);
    expect(w.health.invalidByField).toEqual({ x: 1 });
    expect(w).toMatchObject({ predictions: 0, sketched: 0 });
  });

  it('gives the budget back what a failed batch set aside', () => {
    const monitor = new ModelMonitor(noStorage as never);
    const budget = monitor.budget(v);
    budget.account(0, 0, 1, 1); // 1 ms a row, 20 ms in the bucket
    const failed = monitor.beginBatch(v, source());
    failed.onFeatures(new Float32Array(20), 20); // reserves all 20 ms
    expect(budget.rowsToSketch(20)).toBe(0); // nothing left meanwhile
    failed.failed(new Error('model failed'));
    expect(budget.rowsToSketch(20)).toBe(20);
  });

  it('with sketches off, windows hold counts only and nothing is kept for feedback', () => {
    const monitor = monitorWith({ sketches: false });
    answer(monitor, 10);
    monitor.runPending();
    const w = monitor.window(v).toJSON();
    expect(w).toMatchObject({ predictions: 10, sketched: 0, features: {} });
    if (w.outputs.kind !== 'classification') throw new Error('classification expected');
    expect(w.outputs.classes.counts).toEqual([0, 10]);
    expect(w.outputs.scores).toEqual({});
    expect(w.outputs.confidence.count).toBe(0);
    expect(monitor.feedback(`${monitor.batchId(0)}:0`, 'b', v)).toEqual({ matched: false, drift: [] });
    expect(monitor.window(v).quality.toJSON().unmatched).toBe(0);
  });

  it('runs the queued sketches a millisecond after sketchSoon, or at once from the 64th batch', () => {
    vi.useFakeTimers();
    const monitor = monitorWith();
    answer(monitor, 1, 0);
    monitor.sketchSoon();
    expect(monitor.window(v).sketched).toBe(0);
    vi.advanceTimersByTime(1);
    expect(monitor.window(v).sketched).toBe(1);
    for (let i = 1; i < 64; i++) {
      answer(monitor, 1, i);
      monitor.sketchSoon();
    }
    expect(monitor.window(v).sketched).toBe(1);
    answer(monitor, 1, 64);
    monitor.sketchSoon();
    expect(monitor.window(v).sketched).toBe(65);
  });

  it('runs what is queued before a flush, feedback or windows read the state', async () => {
    const monitor = monitorWith();
    answer(monitor, 3);
    await expect(monitor.flush()).rejects.toThrow('storage down');
    // the failed flush put its window back, sketched
    expect(monitor.window(v).toJSON()).toMatchObject({ predictions: 3, sketched: 3 });
    answer(monitor, 2, 1);
    monitor.feedback('nonsense', 'a', v);
    expect(monitor.window(v).sketched).toBe(5);
  });
});

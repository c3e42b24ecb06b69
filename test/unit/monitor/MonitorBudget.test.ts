import { describe, expect, it } from 'vitest';
import { MonitorBudget } from '../../../src/monitor/MonitorBudget.ts';
import { sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';

/**
 * Drives a budget through `batches` batches of `rows` rows whose inference takes `inferMsPerRow` per row and
 * whose sketching costs `sketchMsPerRow` per sketched row plus `fixedMs` per batch: the costs are given, not
 * timed, so the arithmetic of the bound is what is tested.
 */
function simulate(budget: MonitorBudget, batches: number, rows: number, inferMsPerRow: number, sketchMsPerRow: number, fixedMs = 0) {
  let inference = 0;
  let monitoring = 0;
  let sketched = 0;
  for (let b = 0; b < batches; b++) {
    const k = budget.rowsToSketch(rows);
    const cost = fixedMs + k * sketchMsPerRow;
    budget.account(rows * inferMsPerRow, cost, k);
    inference += rows * inferMsPerRow;
    monitoring += cost;
    sketched += k;
  }
  return { overhead: monitoring / inference, sketchedRate: sketched / (batches * rows) };
}

describe('MonitorBudget', () => {
  it('sketches everything while the burst lasts, so sporadic traffic is never sampled', () => {
    // 300 batches whose full sketching (64 × 0.2 µs) costs 12.8 µs each: 3.8 ms, inside the 20 ms burst
    expect(simulate(new MonitorBudget(), 300, 64, 0.0075, 0.0002).sketchedRate).toBe(1);
  });

  it('holds sustained monitoring to its share of inference time, sampling rows when sketching costs more', () => {
    // a tiny model: a row costs 7.5 µs to predict and 0.2 µs to sketch (2.7 %): over the 2 % share
    const long = simulate(new MonitorBudget({ share: 0.02, burstMs: 20 }), 200_000, 64, 0.0075, 0.0002);
    expect(long.overhead).toBeLessThanOrEqual(0.02 + 20 / (200_000 * 64 * 0.0075));
    expect(long.sketchedRate).toBeGreaterThan(0.7);
    expect(long.sketchedRate).toBeLessThan(0.76);
    // a model whose rows are cheap to sketch relative to inference is never sampled
    expect(simulate(new MonitorBudget(), 200_000, 16, 50, 0.001).sketchedRate).toBe(1);
    // Infinity: every row, whatever it costs
    expect(simulate(new MonitorBudget({ share: Infinity }), 10_000, 64, 0.0075, 0.01).sketchedRate).toBe(1);
  });

  it('charges fixed per-batch costs too: with nothing left, no row is sketched', () => {
    const starved = simulate(new MonitorBudget({ share: 0.001, burstMs: 0 }), 1000, 64, 0.0075, 0.0002, 0.01);
    expect(starved.sketchedRate).toBeLessThan(0.01);
  });

  it('samples rows evenly: increasing, in range, every position over successive batches', () => {
    const budget = new MonitorBudget();
    const hits = new Array(64).fill(0);
    for (let b = 0; b < 1000; b++) {
      const sample = budget.sample(64, 16, new Int32Array(16));
      for (let i = 0; i < 16; i++) {
        expect(sample[i]).toBeGreaterThanOrEqual(i === 0 ? 0 : sample[i - 1] + 1);
        expect(sample[i]).toBeLessThan(64);
        hits[sample[i]]++;
      }
    }
    // 16,000 picks over 64 positions: 250 each if even
    expect(Math.min(...hits)).toBeGreaterThan(200);
    expect(Math.max(...hits)).toBeLessThan(300);
  });
});

describe('WindowSketch.countOutputs + sketchOutputs (a sampled batch)', () => {
  it('counts every prediction, class and NaN, and sketches the confidence of the sampled rows only', () => {
    const w = new WindowSketch(sketchLayout(['x'], { kind: 'classification', labels: ['a', 'b'] }), 'm', '1', 0, 1);
    // rows 0..5; row 1 is NaN (not sampled), row 4 is NaN (sampled)
    const scores = Float32Array.of(0.9, 0.1, Number.NaN, 0, 0.2, 0.8, 0.3, 0.7, Number.NaN, 1, 0.6, 0.4);
    w.countOutputs(scores, 6);
    w.sketchOutputs(scores, Int32Array.of(0, 3, 4), 3);
    const json = w.toJSON();
    expect(json.predictions).toBe(6);
    expect(json.sketched).toBe(3);
    expect(json.health.nanPredictions).toBe(2);
    // every finite row's class: rows 0 and 5 are a, rows 2 and 3 are b; confidence of sampled rows 0 and 3
    if (json.outputs.kind !== 'classification') throw new Error('classification expected');
    expect(json.outputs.classes.counts).toEqual([2, 2]);
    expect(json.outputs.confidence.count).toBe(2);
    expect(json.outputs.confidence.moments.mean).toBeCloseTo((0.9 + 0.7) / 2, 6);
    // merge keeps both counts; rows from before `sketched` existed count as all sketched
    const merged = WindowSketch.fromJSON(json).merge({ ...json, sketched: undefined }).toJSON();
    expect(merged).toMatchObject({ predictions: 12, sketched: 9 });
  });
});

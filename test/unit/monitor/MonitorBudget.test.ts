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
  const sizes = new Set<number>();
  for (let b = 0; b < batches; b++) {
    const k = budget.rowsToSketch(rows);
    const cost = fixedMs + k * sketchMsPerRow;
    budget.account(rows * inferMsPerRow, cost, k, k * sketchMsPerRow, budget.reservedMs);
    inference += rows * inferMsPerRow;
    monitoring += cost;
    sketched += k;
    sizes.add(k);
  }
  return { overhead: monitoring / inference, sketchedRate: sketched / (batches * rows), sizes };
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

  it('charges the bookkeeping every batch gets: sketching gets what is left of the share, in samples of 16+ rows', () => {
    // 64 rows inferred in 0.2 ms (a 2 % share: 4 µs); bookkeeping 2 µs a batch; sketching 0.3 µs a row
    // (the bucket must hold a sample's cost to save up for it: a 50 µs burst)
    const run = simulate(new MonitorBudget({ share: 0.02, burstMs: 0.05 }), 100_000, 64, 0.2 / 64, 0.0003, 0.002);
    expect(run.overhead).toBeLessThanOrEqual(0.02 + 0.05 / (100_000 * 0.2));
    expect(run.overhead).toBeGreaterThan(0.019);
    // what is left (2 µs a batch) buys a 16-row sample (4.8 µs) every few batches, never 1–15 rows
    for (const k of run.sizes) expect(k === 0 || k >= 16).toBe(true);
    expect(run.sketchedRate).toBeGreaterThan(0.08);
    expect(run.sketchedRate).toBeLessThan(0.12);
    // a batch smaller than the minimum sample is sketched whole or not at all
    const small = simulate(new MonitorBudget({ share: 0.02, burstMs: 0.05 }), 10_000, 8, 0.2 / 64, 0.0003, 0.0002);
    expect([...small.sizes].sort()).toEqual([0, 8]);
    expect(small.sketchedRate).toBeGreaterThan(0.05);
    expect(small.sketchedRate).toBeLessThan(0.5);
  });

  it('does not let a load whose bookkeeping outruns the share starve sketching long after it ended', () => {
    const budget = new MonitorBudget({ share: 0.02, burstMs: 20 });
    // bookkeeping 10 µs on 0.2 ms of inference: 5 %, more than the share, for 100,000 batches
    simulate(budget, 100_000, 64, 0.2 / 64, 0.0003, 0.01);
    // then a model that takes 10 ms a batch: the debt is at most the burst, repaid within ~100 batches
    const after = simulate(budget, 300, 64, 10 / 64, 0.0003, 0.01);
    expect(after.sketchedRate).toBeGreaterThan(0.5);
  });

  it('gets over one sample that took far longer than its estimate (a GC pause in it) within a few hundred batches', () => {
    const budget = new MonitorBudget({ share: 0.02, burstMs: 0.05 });
    simulate(budget, 10_000, 64, 0.2 / 64, 0.0003, 0.002);
    // the next sample is charged 5 ms: 25 s of a 2 % share of inference, were it all a debt to repay
    let slow = false;
    while (!slow) {
      const k = budget.rowsToSketch(64);
      budget.account(0.2, 0.002 + (k > 0 ? 5 : 0), k, k > 0 ? 5 : 0, budget.reservedMs);
      slow = k > 0;
    }
    const after = simulate(budget, 500, 64, 0.2 / 64, 0.0003, 0.002);
    expect(after.sketchedRate).toBeGreaterThan(0.04);
  });

  it("takes a sample's cost when it decides, so batches decided before the sketches run do not spend it twice", () => {
    // a bucket that holds one 20-row sample (6 µs at 0.3 µs a row, learnt from a first batch), full
    const budget = new MonitorBudget({ share: 0.02, burstMs: 0.006 });
    budget.account(0.2, 0.002 + budget.rowsToSketch(64) * 0.0003, 64, 64 * 0.0003, budget.reservedMs);
    for (let i = 0; i < 20; i++) budget.account(0.2, 0.002, 0);
    // eight batches decided before any of their sketches is accounted (the worker sketches after answering)
    const decided = Array.from({ length: 8 }, () => ({ k: budget.rowsToSketch(64), reserved: budget.reservedMs }));
    const sampled = decided.filter((d) => d.k > 0).length;
    expect(sampled).toBe(1);
    let spent = 0;
    for (const d of decided) {
      budget.account(0.2, 0.002 + d.k * 0.0003, d.k, d.k * 0.0003, d.reserved);
      spent += 0.002 + d.k * 0.0003;
    }
    expect(spent).toBeLessThanOrEqual(8 * 0.2 * 0.02 + 0.006 + 1e-12);
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

describe('WindowSketch.count + sketch (a sampled batch)', () => {
  it('counts a row with ±Infinity or NaN anywhere as a NaN prediction, and huge finite scores by their argmax', () => {
    const w = new WindowSketch(sketchLayout(['x'], { kind: 'classification', labels: ['a', 'b', 'c'] }), 'm', '1', 0, 1);
    const max = Number.MAX_VALUE;
    const scores = [0, Infinity, 1, -Infinity, 0, 1, 0.2, 0.3, Number.NaN, max, max, 0, 0.1, 0.7, 0.2];
    w.count(scores, 5);
    const json = w.toJSON();
    if (json.outputs.kind !== 'classification') throw new Error('classification expected');
    expect(json.health.nanPredictions).toBe(3);
    // the two finite rows: MAX_VALUE twice (their sum overflows; still a, the first of the tie) and b
    expect(json.outputs.classes.counts).toEqual([1, 1, 0]);
  });

  it('counts every prediction, class and NaN, and sketches the confidence of the sampled rows only', () => {
    const w = new WindowSketch(sketchLayout(['x'], { kind: 'classification', labels: ['a', 'b'] }), 'm', '1', 0, 1);
    // rows 0..5; row 1 is NaN (not sampled), row 4 is NaN (sampled)
    const scores = Float32Array.of(0.9, 0.1, Number.NaN, 0, 0.2, 0.8, 0.3, 0.7, Number.NaN, 1, 0.6, 0.4);
    w.count(scores, 6);
    // rows 0, 3 and 4, gathered
    w.sketch(Float32Array.of(0, 0, 0), Float32Array.of(0.9, 0.1, 0.3, 0.7, Number.NaN, 1), 3);
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
    const merged = WindowSketch.fromJSON(json)
      .merge({ ...json, sketched: undefined })
      .toJSON();
    expect(merged).toMatchObject({ predictions: 12, sketched: 9 });
  });
});

/**
 * Sketch update cost, shared by the Node run and the Chromium page of `npm run bench:monitor`.
 * Medians of several runs over a million values; values are real-looking (standardised normal).
 */
import { BinnedHistogram } from '../src/monitor/sketches/BinnedHistogram.ts';
import { DDSketch } from '../src/monitor/sketches/DDSketch.ts';
import { FeatureSketch } from '../src/monitor/sketches/FeatureSketch.ts';
import { Moments } from '../src/monitor/sketches/Moments.ts';
import { sketchLayout, WindowSketch } from '../src/monitor/WindowSketch.ts';

/** ns per value of each update path. */
export interface SketchBenchResult {
  readonly values: number;
  readonly nsPerValue: Readonly<Record<string, number>>;
}

function normals(n: number): Float64Array {
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Times `fn(values)` `runs` times after a warm-up; returns median ns per value. */
function time(values: Float64Array, runs: number, fn: (values: Float64Array) => void): number {
  fn(values.subarray(0, 100_000));
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn(values);
    samples.push(((performance.now() - t0) * 1e6) / values.length);
  }
  return median(samples);
}

/** Runs every micro-benchmark. */
export function sketchBench(n = 1_000_000, runs = 7): SketchBenchResult {
  const values = normals(n);
  const edges = BinnedHistogram.edgesFromSorted(Float64Array.from(values.subarray(0, 10_000)).sort());
  const nsPerValue: Record<string, number> = {};
  nsPerValue['Moments.add'] = time(values, runs, (v) => {
    const m = new Moments();
    for (let i = 0; i < v.length; i++) m.add(v[i]);
  });
  nsPerValue['BinnedHistogram.add (10 quantile bins + under/overflow)'] = time(values, runs, (v) => {
    const h = new BinnedHistogram(edges);
    for (let i = 0; i < v.length; i++) h.add(v[i]);
  });
  nsPerValue['DDSketch.add (α = 1 %)'] = time(values, runs, (v) => {
    const s = new DDSketch();
    for (let i = 0; i < v.length; i++) s.add(v[i]);
  });
  nsPerValue['FeatureSketch.add (all of the above + missing/invalid)'] = time(values, runs, (v) => {
    const s = new FeatureSketch({ edges });
    for (let i = 0; i < v.length; i++) s.add(v[i]);
  });
  // The worker's real path: a row-major batch of 64 rows × 6 features, plus the class and confidence
  // read from 5 scores (per-class score sketches are off by default on devices).
  const columns = ['a', 'b', 'c', 'd', 'e', 'f'];
  const labels = ['l0', 'l1', 'l2', 'l3', 'l4'];
  const layout = sketchLayout(columns, { kind: 'classification', labels }, undefined);
  const rows = 64;
  const batch = Float32Array.from(values.subarray(0, rows * columns.length));
  const scores = new Float32Array(rows * labels.length).map((_, i) => ((i * 7919) % 100) / 500);
  nsPerValue['WindowSketch.observe per value (64 rows × 6 features + confidence)'] = time(values.subarray(0, n), runs, (v) => {
    const w = new WindowSketch({ ...layout, edges: { features: Object.fromEntries(columns.map((c) => [c, edges])) } }, 'm', '1', 0, 1);
    const perBatch = rows * (columns.length + 1);
    for (let done = 0; done + perBatch <= v.length; done += perBatch) {
      w.observe(batch, scores, rows);
    }
  });
  return { values: n, nsPerValue };
}

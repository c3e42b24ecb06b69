/**
 * The sketch-side numbers of `npm run bench:drift`: what a device's windows conclude against what exact
 * samples conclude, on real data (vega-datasets), over seeded random splits. Deterministic.
 */
import { readFileSync } from 'node:fs';
import { computeBaseline } from '../src/cli/baseline.ts';
import { mulberry32 } from '../src/demo/random.ts';
import { detectDrift, DriftVerdict } from '../src/monitor/drift/detectDrift.ts';
import { DriftKind } from '../src/monitor/drift/DriftStatistic.ts';
import { ksFromHistograms } from '../src/monitor/drift/histogramDistances.ts';
import { ksFromSketches } from '../src/monitor/drift/ksFromSketches.ts';
import { ksTest } from '../src/monitor/drift/ksTest.ts';
import { BinnedHistogram } from '../src/monitor/sketches/BinnedHistogram.ts';
import { CategorySketch } from '../src/monitor/sketches/CategorySketch.ts';
import { DDSketch } from '../src/monitor/sketches/DDSketch.ts';
import { categoryDrift } from '../src/monitor/summary/categoryDrift.ts';
import { compare } from '../src/monitor/summary/compare.ts';
import { sketchLayout, WindowSketch } from '../src/monitor/WindowSketch.ts';
import { cars, penguins, realColumns } from '../test/support/realColumns.ts';

const data = (file: string) => readFileSync(new URL(`../node_modules/vega-datasets/data/${file}`, import.meta.url), 'utf8');
const weather = data('weather.csv')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const flights = JSON.parse(data('flights-10k.json')) as { date: string; origin: string }[];

function shuffle<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const halves = <T>(values: readonly T[], seed: number): [T[], T[]] => {
  const all = shuffle(values, seed * 104729);
  return [all.slice(0, all.length >> 1), all.slice(all.length >> 1)];
};
const opts = { minSampleSize: 50, smallSampleSize: 1000 };

function categoryWindow(base: CategorySketch, values: readonly unknown[]): CategorySketch {
  const w = new CategorySketch({ categories: base.categories, rare: base.rare });
  for (const v of values) w.add(v);
  return w;
}

/** Random halves of categorical columns: false alarms from exact samples and from category sketches. */
export function categoricalFromSketches(splits = 200) {
  const columns: [string, (string | number | null)[]][] = [
    ...realColumns.filter(([, kind]) => kind === DriftKind.CATEGORICAL).map(([name, , values]) => [name, values] as [string, (string | number | null)[]]),
    ['flights-10k origin', flights.map((f) => f.origin)],
  ];
  const rows = columns.map(([name, values]) => {
    let exact = 0;
    let sketch = 0;
    let statistic = '';
    const n = name.startsWith('flights') ? 40 : splits;
    for (let seed = 1; seed <= n; seed++) {
      const [reference, current] = halves(values, seed);
      const [e] = detectDrift([{ name, kind: DriftKind.CATEGORICAL, reference, current }], { controlFalseDiscoveries: false });
      if (e.verdict === DriftVerdict.DRIFT) exact++;
      const base = CategorySketch.fromValues(reference);
      const s = categoryDrift(name, categoryWindow(base, current).toJSON(), base.toJSON({ rare: true }), opts).drift;
      statistic = s.statistic;
      const drift = s.pValue !== undefined ? s.pValue < s.threshold : (s.value as number) >= s.threshold;
      if (drift) sketch++;
    }
    return { column: name, statistic, splits: n, exactFalseAlarmRate: exact / n, sketchFalseAlarmRate: sketch / n };
  });
  const hour = (f: { date: string }) => Number(f.date.slice(11, 13));
  const morning = flights.filter((f) => hour(f) < 12).map((f) => f.origin);
  const evening = flights.filter((f) => hour(f) >= 17).map((f) => f.origin);
  const [exact] = detectDrift([{ name: 'origin', kind: DriftKind.CATEGORICAL, reference: morning, current: evening }]);
  const base = CategorySketch.fromValues(morning);
  const sketched = categoryDrift('origin', categoryWindow(base, evening).toJSON(), base.toJSON({ rare: true }), opts).drift;
  return {
    halves: rows,
    flightsShift: { case: 'flights-10k origin, departures before 12:00 vs from 17:00', exactJS: exact.value, sketchJS: sketched.value, threshold: 0.1 },
  };
}

const city = (name: string, c: number) => weather.filter((r) => r[0] === name).map((r) => Number(r[c]));
const numbers = (rows: readonly Record<string, unknown>[], key: string) => rows.map((r) => r[key]).filter((x): x is number => typeof x === 'number');

function histogramOf(edges: readonly number[], values: readonly number[]) {
  const h = new BinnedHistogram(edges);
  for (const v of values) h.add(v);
  return h.toJSON();
}
function ddOf(values: readonly number[]) {
  const s = new DDSketch(0.01);
  for (const v of values) s.add(v);
  return s;
}

/** Random halves of numeric columns: KS false alarms exact / baseline-edge histogram / DDSketch, and what +273.15 does. */
export function numericFromSketches(splits = 100) {
  const columns: [string, number[], boolean][] = [
    ['weather Seattle temp_max', city('Seattle', 3), true],
    ['weather New York temp_min', city('New York', 4), true],
    ['weather Seattle wind', city('Seattle', 5), false],
    ['cars Horsepower', numbers(cars, 'Horsepower'), false],
    ['penguins Body Mass', numbers(penguins, 'Body Mass (g)'), false],
  ];
  return columns.map(([name, values, temperature]) => {
    let exact = 0;
    let histogram = 0;
    let dd = 0;
    let ddFlips = 0;
    let histogramFlips = 0;
    let ddMaxShift = 0;
    for (let seed = 1; seed <= splits; seed++) {
      const [reference, current] = halves(values, seed);
      if (ksTest(reference, current).pValue < 0.05) exact++;
      const edges = BinnedHistogram.edgesFromSorted(Float64Array.from(reference).sort(), 10);
      const h = ksFromHistograms(histogramOf(edges, reference), histogramOf(edges, current)).pValue;
      if (h < 0.05) histogram++;
      const d = ksFromSketches(ddOf(reference), ddOf(current)).pValue;
      if (d < 0.05) dd++;
      if (temperature) {
        const kr = reference.map((x) => x + 273.15);
        const kc = current.map((x) => x + 273.15);
        const ke = BinnedHistogram.edgesFromSorted(Float64Array.from(kr).sort(), 10);
        const hk = ksFromHistograms(histogramOf(ke, kr), histogramOf(ke, kc)).pValue;
        const dk = ksFromSketches(ddOf(kr), ddOf(kc)).pValue;
        if (hk < 0.05 !== h < 0.05) histogramFlips++;
        if (dk < 0.05 !== d < 0.05) ddFlips++;
        ddMaxShift = Math.max(ddMaxShift, Math.abs(dk - d));
      }
    }
    return {
      column: name,
      splits,
      exactFalseAlarmRate: exact / splits,
      histogramFalseAlarmRate: histogram / splits,
      ddsketchFalseAlarmRate: dd / splits,
      ...(temperature ? { kelvinVerdictFlips: { histogram: histogramFlips, ddsketch: ddFlips }, ddsketchLargestPValueShift: ddMaxShift } : {}),
    };
  });
}

const regression = { kind: 'regression' as const, names: [] };
const seattleRows = () => weather.filter((r) => r[0] === 'Seattle').map((r) => [Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5])]);

/** temp_min shuffled against the other Seattle columns: multivariate and univariate alarms per chunk, over seeds. */
export function multivariateShuffle(seeds = 20) {
  const columns = ['precipitation', 'temp_max', 'temp_min', 'wind'];
  let shuffledChunks = 0;
  let multivariateAlarms = 0;
  let univariateOnShuffled = 0;
  let plainChunks = 0;
  let plainMultivariateAlarms = 0;
  let plainUnivariateAlarms = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const rows = shuffle(seattleRows(), seed * 31);
    const reference = rows.slice(0, 730);
    const analysis = rows.slice(730);
    const baseline = computeBaseline({ columns, features: reference.flat(), rows: 730, outputs: regression, scores: new Float32Array(730) });
    const minima = shuffle(
      analysis.map((r) => r[2]),
      seed * 97,
    );
    const shuffled = analysis.map((r, i) => [r[0], r[1], minima[i], r[3]]);
    const size = baseline.multivariate?.chunkSize as number;
    const report = (part: number[][]) => {
      const w = new WindowSketch(sketchLayout(columns, regression, baseline), 'm', '1', 0, 1);
      w.observe(part.flat(), new Float32Array(part.length), part.length);
      return compare(w.toJSON(), baseline);
    };
    for (let c = 0; c < 5; c++) {
      const s = report(shuffled.slice(c * size, (c + 1) * size));
      shuffledChunks++;
      if (s.multivariate?.verdict === DriftVerdict.DRIFT) multivariateAlarms++;
      if (s.driftedFeatures.length > 0) univariateOnShuffled++;
      const p = report(analysis.slice(c * size, (c + 1) * size));
      plainChunks++;
      if (p.multivariate?.verdict === DriftVerdict.DRIFT) plainMultivariateAlarms++;
      if (p.driftedFeatures.length > 0) plainUnivariateAlarms++;
    }
  }
  return {
    case: 'weather.csv Seattle, 4 columns; reference 730 days, 5 chunks of 73 of the other days; temp_min shuffled among them',
    seeds,
    shuffledChunks,
    multivariateDetectionRate: multivariateAlarms / shuffledChunks,
    univariateAlarmRateOnShuffled: univariateOnShuffled / shuffledChunks,
    plainChunks,
    multivariateFalseAlarmRate: plainMultivariateAlarms / plainChunks,
    univariateFalseAlarmRate: plainUnivariateAlarms / plainChunks,
  };
}

/** Fixed vs reference-chunk thresholds on chunk-sized windows: same-city false alarms, other-city detection. */
export function referenceThresholds(seeds = 20) {
  const columns = ['temp_max', 'temp_min', 'wind'];
  const three = (name: string) => weather.filter((r) => r[0] === name).map((r) => [Number(r[3]), Number(r[4]), Number(r[5])]);
  const counts = { fixed: { falseAlarms: 0, detected: 0 }, reference: { falseAlarms: 0, detected: 0 } };
  let windows = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const seattle = shuffle(three('Seattle'), seed * 13);
    const newYork = shuffle(three('New York'), seed * 17);
    const reference = seattle.slice(0, 900);
    const rest = seattle.slice(900);
    const baseline = computeBaseline({ columns, features: reference.flat(), rows: 900, outputs: regression, scores: new Float32Array(900) });
    for (let c = 0; c < 6; c++) {
      windows++;
      for (const mode of ['fixed', 'reference'] as const) {
        const report = (part: number[][]) => {
          const w = new WindowSketch(sketchLayout(columns, regression, baseline), 'm', '1', 0, 1);
          w.observe(part.flat(), new Float32Array(part.length), part.length);
          return compare(w.toJSON(), baseline, { thresholds: mode });
        };
        if (report(rest.slice(c * 90, (c + 1) * 90)).driftedFeatures.length > 0) counts[mode].falseAlarms++;
        if (report(newYork.slice(c * 90, (c + 1) * 90)).driftedFeatures.length > 0) counts[mode].detected++;
      }
    }
  }
  return {
    case: 'weather.csv, 3 columns; reference 900 Seattle days (10 chunks of 90); windows of 90 other Seattle days / New York days',
    seeds,
    windows,
    fixed: { falseAlarmRate: counts.fixed.falseAlarms / windows, detectionRate: counts.fixed.detected / windows },
    reference: { falseAlarmRate: counts.reference.falseAlarms / windows, detectionRate: counts.reference.detected / windows },
  };
}

/**
 * `npm run bench:drift`: how often the concept-drift verdict (and each change detector alone) fires on
 * seeded stable error streams of 5,000 label joins, and how long after a seeded abrupt change it fires.
 * Deterministic (seeded streams, no timing), so the numbers are the same on every machine. Writes
 * bench/results/drift.json and bench/results/drift.md. The ≤ 5 % bound is asserted by
 * test/unit/monitor/detectors.test.ts on its own seeded streams.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../src/demo/random.ts';
import { ConceptDrift } from '../src/monitor/detectors/ConceptDrift.ts';
import { chiSquareTest } from '../src/monitor/drift/chiSquareTest.ts';
import { detectDrift, DriftVerdict } from '../src/monitor/drift/detectDrift.ts';
import { categoryCounts } from '../src/monitor/drift/histogram.ts';
import { realColumns } from '../test/support/realColumns.ts';
import { changedStreams, type ErrorStream, stableStreams } from './driftStreams.ts';
import { categoricalFromSketches, multivariateShuffle, numericFromSketches, referenceThresholds } from './driftSketches.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'results');
mkdirSync(out, { recursive: true });

const SEEDS = 40;
const N = 5000;
/** The verdict before issue 15: any one detector firing. */
const ANY = 'any detector';

/** First index (≥ `from`) and number of firings per name, over one stream. */
function run(stream: ErrorStream, from = 0, withScale = false): { first: Record<string, number>; count: Record<string, number>; names: string[] } {
  // the device path: the baseline's error scale, here the sd of 500 errors before any change
  const concept = new ConceptDrift({ kind: stream.kind, ...(withScale ? { errorScale: sd(stream.values.subarray(0, 500)) } : {}) });
  const first: Record<string, number> = {};
  const count: Record<string, number> = {};
  const names = [...concept.detectors.map((d) => d.name), concept.name, ANY];
  stream.values.forEach((v, i) => {
    concept.update(v);
    if (i < from) return;
    const fired = [...concept.fired];
    if (concept.fired.some((f) => f !== concept.name)) fired.push(ANY);
    for (const name of fired) {
      first[name] ??= i - from;
      count[name] = (count[name] ?? 0) + 1;
    }
  });
  return { first, count, names };
}

function sd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) m2 += (values[i] - mean) ** 2;
  return Math.sqrt(m2 / values.length);
}

interface Row {
  kind: string;
  detector: string;
  streams: number;
  falseAlarmStreams?: number;
  falseAlarmRate?: number;
  detected?: number;
  medianDelay?: number;
  p90Delay?: number;
  meanFiringsPerChange?: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const rows: Row[] = [];
for (const [label, kind, withScale] of [
  ['classification', 'classification', false],
  ['regression', 'regression', false],
  ['regression, baseline error scale', 'regression', true],
] as const) {
  const stable = stableStreams(SEEDS, N).filter((s) => s.kind === kind);
  const changed = changedStreams(SEEDS, N).filter((s) => s.kind === kind);
  const stableRuns = stable.map((s) => run(s, 0, withScale));
  const changedRuns = changed.map((s) => run(s, s.change, withScale));
  for (const name of stableRuns[0].names) {
    const alarms = stableRuns.filter((r) => (r.count[name] ?? 0) > 0).length;
    const delays = changedRuns
      .map((r) => r.first[name])
      .filter((d): d is number => d !== undefined)
      .sort((a, b) => a - b);
    const firings = changedRuns.map((r) => r.count[name] ?? 0);
    rows.push({
      kind: label,
      detector: name,
      streams: stable.length,
      falseAlarmStreams: alarms,
      falseAlarmRate: alarms / stable.length,
      detected: delays.length,
      ...(delays.length > 0 ? { medianDelay: quantile(delays, 0.5), p90Delay: quantile(delays, 0.9) } : {}),
      meanFiringsPerChange: firings.reduce((a, b) => a + b, 0) / firings.length,
    });
  }
}

// ---------------------------------------------------------------- categorical: random halves of one period
const columns = realColumns;
const HALVES = 200;
const halves = columns.map(([name, kind, values]) => {
  let twoSample = 0;
  let goodnessOfFit = 0;
  let statistic = '';
  for (let seed = 1; seed <= HALVES; seed++) {
    const random = mulberry32(seed * 104729);
    const all = [...values];
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    const reference = all.slice(0, all.length >> 1);
    const current = all.slice(all.length >> 1);
    const [r] = detectDrift([{ name, kind, reference, current }], { controlFalseDiscoveries: false });
    statistic = r.statistic;
    if (r.verdict === DriftVerdict.DRIFT) twoSample++;
    const counts = categoryCounts(reference, current);
    if (chiSquareTest(counts.current, counts.reference).pValue < 0.05) goodnessOfFit++;
  }
  return { column: name, statistic, splits: HALVES, falseAlarmRate: twoSample / HALVES, goodnessOfFitFalseAlarmRate: goodnessOfFit / HALVES };
});

const categorical = categoricalFromSketches();
const numeric = numericFromSketches();
const multivariate = multivariateShuffle();
const thresholds = referenceThresholds();

const result = {
  run: new Date().toISOString(),
  node: process.version,
  command: 'npm run bench:drift',
  streams: {
    length: N,
    seeds: SEEDS,
    stable: 'classification: 0/1 errors at p ∈ {0.05, 0.1, 0.2, 0.3}; regression: |N(0, σ)| or |t₃|·σ with σ ∈ {0.001, 1, 1000}',
    change: `at ${N / 2}: error rate +0.15 (classification), error spread ×1.5 (regression); delay = values after the change`,
  },
  rows,
  randomHalves: halves,
  sketches: { categorical, numeric, multivariate, thresholds },
};
writeFileSync(join(out, 'drift.json'), `${JSON.stringify(result, null, 2)}\n`);

const pct = (x?: number) => (x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);
const md = [
  '# Concept-drift detectors: false alarms and delays',
  '',
  `Run ${result.run} with \`npm run bench:drift\`; Node ${result.node}. Seeded streams, no timings: the numbers repeat exactly.`,
  '',
  `- Stable streams: ${SEEDS} per kind, ${N} label joins each; ${result.streams.stable}.`,
  `- Changed streams: ${SEEDS} per kind, change ${result.streams.change}.`,
  '- `concept` is the verdict `compare()` reads (2 of DDM/ADWIN/Page-Hinkley within 1000 values; both of ADWIN/Page-Hinkley for a regressor);',
  `  \`${ANY}\` is the verdict before issue 15 (the OR of the detectors).`,
  '',
  '| kind | detector | false-alarm streams | false-alarm rate | changes detected | median delay | p90 delay | firings per change |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.kind} | ${r.detector} | ${r.falseAlarmStreams}/${r.streams} | ${pct(r.falseAlarmRate)} | ${r.detected}/${r.streams} | ${r.medianDelay ?? '–'} | ${r.p90Delay ?? '–'} | ${r.meanFiringsPerChange?.toFixed(2)} |`,
  ),
  '',
  `## Categorical drift on random halves of one period (${HALVES} seeded splits per column, α = 0.05)`,
  '',
  'Both halves come from the same data, so every alarm is false; the nominal rate is 5 %. Before issue 15 the verdict was the goodness-of-fit χ² against the reference proportions.',
  '',
  '| column | statistic | false-alarm rate | goodness-of-fit χ² (before) |',
  '|---|---|---|---|',
  ...halves.map((h) => `| ${h.column} | ${h.statistic} | ${pct(h.falseAlarmRate)} | ${pct(h.goodnessOfFitFalseAlarmRate)} |`),
  '',
  '## Categorical inputs from category sketches (top 64 + other + unseen) vs exact samples, random halves',
  '',
  '| column | statistic (sketch) | splits | exact false-alarm rate | sketch false-alarm rate |',
  '|---|---|---|---|---|',
  ...categorical.halves.map((h) => `| ${h.column} | ${h.statistic} | ${h.splits} | ${pct(h.exactFalseAlarmRate)} | ${pct(h.sketchFalseAlarmRate)} |`),
  '',
  `A real shift, ${categorical.flightsShift.case}: JS ${categorical.flightsShift.exactJS?.toFixed(3)} on the exact samples, ${categorical.flightsShift.sketchJS?.toFixed(3)} from the sketches (threshold ${categorical.flightsShift.threshold}): drift both ways. On random halves of flights the exact JS over ~200 sparse airports itself false-alarms; the sketch's lumped tail does not.`,
  '',
  '## Numeric sketch KS: baseline quantile-edge histogram vs DDSketch vs exact, random halves (α = 0.05)',
  '',
  '| column | splits | exact | histogram (now) | DDSketch (before) | verdict flips in kelvin: histogram / DDSketch | largest DDSketch p shift in kelvin |',
  '|---|---|---|---|---|---|---|',
  ...numeric.map(
    (n) =>
      `| ${n.column} | ${n.splits} | ${pct(n.exactFalseAlarmRate)} | ${pct(n.histogramFalseAlarmRate)} | ${pct(n.ddsketchFalseAlarmRate)} | ${n.kelvinVerdictFlips ? `${n.kelvinVerdictFlips.histogram} / ${n.kelvinVerdictFlips.ddsketch}` : '–'} | ${n.ddsketchLargestPValueShift?.toFixed(3) ?? '–'} |`,
  ),
  '',
  '## Multivariate drift (PCA reconstruction, mean ± 3σ of 10 reference chunks)',
  '',
  `${multivariate.case}; ${multivariate.seeds} seeds.`,
  '',
  '| chunks | multivariate alarms | univariate alarms |',
  '|---|---|---|',
  `| shuffled (${multivariate.shuffledChunks}) | ${pct(multivariate.multivariateDetectionRate)} | ${pct(multivariate.univariateAlarmRateOnShuffled)} |`,
  `| not shuffled (${multivariate.plainChunks}) | ${pct(multivariate.multivariateFalseAlarmRate)} | ${pct(multivariate.univariateFalseAlarmRate)} |`,
  '',
  '## Fixed thresholds vs thresholds from reference chunks',
  '',
  `${thresholds.case}; ${thresholds.seeds} seeds, ${thresholds.windows} windows each way; an alarm is any feature drifting.`,
  '',
  '| thresholds | false-alarm rate (Seattle) | detection rate (New York) |',
  '|---|---|---|',
  `| fixed (p < 0.05, BH) | ${pct(thresholds.fixed.falseAlarmRate)} | ${pct(thresholds.fixed.detectionRate)} |`,
  `| reference (mean + 3σ of chunks) | ${pct(thresholds.reference.falseAlarmRate)} | ${pct(thresholds.reference.detectionRate)} |`,
  '',
];
writeFileSync(join(out, 'drift.md'), md.join('\n'));
console.log(md.join('\n'));

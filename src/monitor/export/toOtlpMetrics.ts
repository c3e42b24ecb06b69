import { DDSketch } from '../sketches/DDSketch.ts';
import type { FeatureSketchJSON } from '../sketches/FeatureSketch.ts';
import type { DriftSummary } from '../summary/DriftSummary.ts';
import type { WindowSketchJSON } from '../WindowSketch.ts';

/** OTLP `AggregationTemporality`: windows are deltas (each event counted in exactly one window). */
const DELTA = 1;
/** Latency bounds (ms) for the exported latency histogram. */
export const LATENCY_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

type AnyValue = { stringValue: string } | { doubleValue: number } | { intValue: string };
type KeyValue = { key: string; value: AnyValue };

function attributes(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** uint64 / fixed64 fields are decimal strings in OTLP/JSON (protobuf's JSON mapping). */
function u64(n: number): string {
  return String(Math.max(0, Math.round(n)));
}

function nanos(ms: number): string {
  return `${Math.round(ms)}000000`;
}

/**
 * One sketch as an OTLP explicit-bucket histogram point. Our histogram's edges become `explicitBounds`
 * and its under/overflow bins the outer OTLP buckets. OTLP buckets are `(b_{i−1}, b_i]` while ours are
 * `[e_{i−1}, e_i)`: only values lying exactly on an edge land one bucket apart.
 */
function histogramPoint(sketch: FeatureSketchJSON, attrs: KeyValue[], start: number, end: number) {
  const edges = sketch.histogram.edges;
  const counts = sketch.histogram.counts;
  // a single edge has three bins (<, =, >): OTLP needs bounds.length + 1, so "=" joins "≤"
  const bucketCounts = edges.length === 1 ? [counts[0] + counts[1], counts[2]] : counts;
  const total = bucketCounts.reduce((a, b) => a + b, 0);
  return {
    attributes: attrs,
    startTimeUnixNano: nanos(start),
    timeUnixNano: nanos(end),
    count: u64(total),
    // sum/min/max describe the full sketch; with k-anonymity applied min = max = mean (withheld)
    sum: sketch.moments.mean * sketch.count,
    bucketCounts: bucketCounts.map(u64),
    explicitBounds: [...edges],
    ...(sketch.count > 0 ? { min: sketch.moments.min, max: sketch.moments.max } : {}),
  };
}

function sumPoint(value: number, attrs: KeyValue[], start: number, end: number) {
  return { attributes: attrs, startTimeUnixNano: nanos(start), timeUnixNano: nanos(end), asInt: u64(value) };
}

function gaugePoint(value: number, attrs: KeyValue[], end: number) {
  return { attributes: attrs, timeUnixNano: nanos(end), asDouble: value };
}

/**
 * Encodes a window (and its report, when given a summary) as an OTLP/HTTP JSON
 * `ExportMetricsServiceRequest` for `POST /v1/metrics`: feature, score and confidence distributions as
 * delta histograms (mergeable in an OpenTelemetry Collector by adding buckets), prediction, class,
 * label and error counts as delta monotonic sums, latency as a histogram, and the report's drift values
 * as gauges. Field names are lowerCamelCase, enums integers, 64-bit integers decimal strings, as the
 * OTLP JSON encoding requires.
 */
export function toOtlpMetrics(input: DriftSummary | WindowSketchJSON, resource: Record<string, string> = {}): Record<string, unknown> {
  const window: WindowSketchJSON = 'window' in input ? input.window : input;
  const report = 'window' in input ? input.report : undefined;
  const { start, end } = window;
  const base = { 'edgewatch.model': window.model, 'edgewatch.model.version': window.version };
  const attrs = (extra: Record<string, string> = {}) => attributes({ ...base, ...extra });
  const histogram = (name: string, unit: string, description: string, dataPoints: unknown[]) => ({
    name,
    unit,
    description,
    histogram: { aggregationTemporality: DELTA, dataPoints },
  });
  const sum = (name: string, unit: string, description: string, dataPoints: unknown[]) => ({
    name,
    unit,
    description,
    sum: { aggregationTemporality: DELTA, isMonotonic: true, dataPoints },
  });
  const metrics: unknown[] = [
    sum('edgewatch.predictions', '{prediction}', 'Predictions made', [sumPoint(window.predictions, attrs(), start, end)]),
    histogram(
      'edgewatch.feature',
      '1',
      'Model feature values on the baseline quantile bins',
      Object.entries(window.features).map(([name, f]) => histogramPoint(f, attrs({ 'edgewatch.feature': name }), start, end)),
    ),
    sum(
      'edgewatch.feature.missing',
      '{value}',
      'Missing (NaN) feature values',
      Object.entries(window.features).map(([name, f]) => sumPoint(f.missing, attrs({ 'edgewatch.feature': name }), start, end)),
    ),
  ];
  const out = window.outputs;
  if (out.kind === 'classification') {
    metrics.push(
      sum(
        'edgewatch.prediction.class',
        '{prediction}',
        'Predicted class counts',
        out.classes.categories.map((c, i) => sumPoint(out.classes.counts[i], attrs({ 'edgewatch.class': c }), start, end)),
      ),
      histogram('edgewatch.prediction.confidence', '1', 'Max class probability per prediction', [histogramPoint(out.confidence, attrs(), start, end)]),
      histogram(
        'edgewatch.prediction.score',
        '1',
        'Class probabilities',
        Object.entries(out.scores).map(([c, s]) => histogramPoint(s, attrs({ 'edgewatch.class': c }), start, end)),
      ),
    );
  } else {
    metrics.push(
      histogram(
        'edgewatch.prediction.value',
        '1',
        'Regression outputs',
        Object.entries(out.values).map(([n, s]) => histogramPoint(s, attrs({ 'edgewatch.output': n }), start, end)),
      ),
    );
  }
  const q = window.quality;
  metrics.push(sum('edgewatch.feedback.labelled', '{label}', 'Labels joined with predictions', [sumPoint(q.labelled, attrs(), start, end)]));
  if (q.kind === 'classification') {
    metrics.push(
      sum('edgewatch.feedback.correct', '{label}', 'Labels that matched the prediction', [sumPoint(q.correct, attrs(), start, end)]),
      sum(
        'edgewatch.feedback.label',
        '{label}',
        'True labels received',
        q.labels.categories.map((c, i) => sumPoint(q.labels.counts[i], attrs({ 'edgewatch.class': c }), start, end)),
      ),
    );
  }
  // Latency: DDSketch cells re-binned onto fixed bounds by their representative value (within 1 %).
  const latency = window.health.latencyMs;
  const bucketCounts = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  for (const cell of latency.count > 0 ? DDSketch.fromJSON(latency).cells() : []) {
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && cell.value > LATENCY_BOUNDS_MS[i]) i++;
    bucketCounts[i] += cell.weight;
  }
  metrics.push(
    histogram('edgewatch.batch.duration', 'ms', 'Worker time per batch: features, inference, readback', [
      {
        attributes: attrs(),
        startTimeUnixNano: nanos(start),
        timeUnixNano: nanos(end),
        count: u64(bucketCounts.reduce((a, b) => a + b, 0)),
        bucketCounts: bucketCounts.map(u64),
        explicitBounds: [...LATENCY_BOUNDS_MS],
      },
    ]),
    sum(
      'edgewatch.input.invalid',
      '{record}',
      'Records refused as INPUT_INVALID',
      Object.entries(window.health.invalidByField).map(([field, n]) => sumPoint(n, attrs({ 'edgewatch.field': field }), start, end)),
    ),
  );
  if (report) {
    const drift = report.features.filter((f) => f.ks !== undefined);
    metrics.push({
      name: 'edgewatch.drift.ks',
      unit: '1',
      description: 'KS D of each feature against the training baseline (from sketches)',
      gauge: { dataPoints: drift.map((f) => gaugePoint(f.ks as number, attrs({ 'edgewatch.feature': f.name, 'edgewatch.verdict': f.verdict }), end)) },
    });
  }
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes({ 'service.name': 'edgewatch', ...resource }) },
        scopeMetrics: [{ scope: { name: 'edgewatch', version: '0.1.0' }, metrics }],
      },
    ],
  };
}

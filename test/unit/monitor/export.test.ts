import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { kAnonymize } from '../../../src/monitor/export/kAnonymize.ts';
import { SummaryExporter } from '../../../src/monitor/export/SummaryExporter.ts';
import { toOtlpMetrics } from '../../../src/monitor/export/toOtlpMetrics.ts';
import { DriftSummary } from '../../../src/monitor/summary/DriftSummary.ts';
import { sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';
import { seattleSlice } from '../drift/scipyFixture.ts';

const LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'];

function summaryOf(slice: string, rows?: number): DriftSummary {
  const temp = seattleSlice('tempMax', slice).slice(0, rows);
  const weather = seattleSlice('weather', slice).slice(0, rows);
  const scores = new Float32Array(temp.length * 5);
  weather.forEach((l, i) => {
    scores[i * 5 + LABELS.indexOf(l)] = 1;
  });
  const baseline = computeBaseline({
    columns: ['temp_max'],
    features: Float32Array.from(temp),
    rows: temp.length,
    outputs: { kind: 'classification', labels: LABELS },
    scores,
  });
  const w = new WindowSketch(sketchLayout(['temp_max'], { kind: 'classification', labels: LABELS }, baseline), 'weather', '1', 0, 3_600_000);
  w.observe(Float32Array.from(temp), scores, temp.length);
  w.observeTiming(3.2, 'wasm', 3.2);
  weather.forEach((l, i) => {
    w.quality.addClassification(scores.subarray(i * 5, i * 5 + 5), LABELS.indexOf(l));
  });
  return DriftSummary.summarize(w.toJSON(), baseline);
}

describe('kAnonymize', () => {
  it('category counts leave like buckets, and an unseen value by name only with at least k events behind it', () => {
    const layout = sketchLayout(['x'], { kind: 'regression', names: [] }, undefined, { categories: [{ name: 'city', vocabulary: ['Oslo', 'Rome'] }] });
    const w = new WindowSketch(layout, 'm', '1', 0, 1);
    const cities = [...Array(20).fill('Oslo'), 'Rome', ...Array(12).fill('Lima'), 'alice@example.com', null];
    w.observe(new Float32Array(cities.length), new Float32Array(cities.length), cities.length);
    w.sketchCategories([cities], cities.length);
    const out = kAnonymize(w.toJSON(), 10)?.window.categories?.city;
    expect(out).toMatchObject({ counts: [20, 0], unseen: 13, missing: 0, unseenNames: ['Lima'], unseenCounts: [12] });
  });

  it('leaves no bucket under k, withholds min/max, and withholds a window under k predictions', () => {
    const summary = summaryOf('y2012');
    const k = 10;
    const result = kAnonymize(summary.window, k);
    const w = result?.window;
    expect(result?.suppression.suppressedBuckets).toBeGreaterThan(0);
    const all: number[] = [];
    JSON.stringify(w, (key, value) => {
      if (key === 'counts' && Array.isArray(value)) all.push(...value);
      return value;
    });
    expect(all.some((n) => n > 0 && n < k)).toBe(false);
    const m = w?.features.temp_max.moments;
    expect(m?.min).toBe(m?.mean);
    expect(m?.max).toBe(m?.mean);
    // fog: 5 days in 2012 ⇒ suppressed in the class counts
    if (w?.outputs.kind !== 'classification' || w.quality.kind !== 'classification') throw new Error('classification expected');
    expect(w.outputs.classes.counts[LABELS.indexOf('fog')]).toBe(0);
    expect(kAnonymize(summaryOf('y2012', 9).window, 10)).toBeUndefined();
    // the quantile sketch leaves without the device's empty frame buckets; pooling keeps its events
    const before = summary.window.features.temp_max.quantiles;
    const after = w.features.temp_max.quantiles;
    expect(before.positive.counts.length).toBeGreaterThan(after.positive.counts.length);
    for (const side of [after.positive.counts, after.negative.counts]) if (side.length > 0) expect(side[0] * side[side.length - 1]).toBeGreaterThan(0);
    // a side of the sketch holding fewer than k events in all is all that may be lost
    const hist = (c: readonly number[]) => c.reduce((x, y) => x + y, 0);
    const kept = (c: readonly number[]) => (hist(c) >= k ? hist(c) : 0);
    expect(hist([...after.positive.counts, ...after.negative.counts])).toBe(kept(before.positive.counts) + kept(before.negative.counts));
    expect(hist(w.features.temp_max.histogram.counts)).toBe(hist(summary.window.features.temp_max.histogram.counts));
  });

  it('pools short ordered bins into their neighbours and short classes into "other", keeping totals', () => {
    const layout = sketchLayout(['x'], { kind: 'classification', labels: ['a', 'b', 'c'] });
    const w = new WindowSketch(layout, 'm', '1', 0, 1);
    const rows = 40;
    const scores = new Float32Array(rows * 3);
    // classes: a × 30, b × 6, c × 4 ⇒ b and c (10 together) leave as "other"
    for (let i = 0; i < rows; i++) scores[i * 3 + (i < 30 ? 0 : i < 36 ? 1 : 2)] = 1;
    w.observe(
      new Float32Array(rows).map((_, i) => i),
      scores,
      rows,
    );
    const out = kAnonymize(w.toJSON(), 10)?.window.outputs;
    if (out?.kind !== 'classification') throw new Error('classification expected');
    expect(out.classes.counts).toEqual([30, 0, 0]);
    expect(out.classes.other).toBe(10);
  });

  it('a k-anonymised summary of the training data itself reads no drift (pooling, not zeroing, the short bins)', () => {
    const temp = seattleSlice('tempMax', 'y2012');
    const weather = seattleSlice('weather', 'y2012');
    const scores = new Float32Array(temp.length * 5);
    weather.forEach((l, i) => {
      scores[i * 5 + LABELS.indexOf(l)] = 1;
    });
    const baseline = computeBaseline({
      columns: ['temp_max'],
      features: Float32Array.from(temp),
      rows: temp.length,
      outputs: { kind: 'classification', labels: LABELS },
      scores,
    });
    // a third of the days, as one device sees them: many histogram bins hold fewer than k of them
    const days = temp.length / 3;
    const w = new WindowSketch(sketchLayout(['temp_max'], { kind: 'classification', labels: LABELS }, baseline), 'weather', '1', 0, 3_600_000);
    const pick = Array.from({ length: Math.floor(days) }, (_, i) => i * 3);
    w.observe(Float32Array.from(pick.map((i) => temp[i])), Float32Array.from(pick.flatMap((i) => Array.from(scores.subarray(i * 5, i * 5 + 5)))), pick.length);
    const anonymised = kAnonymize(w.toJSON(), 5);
    expect(anonymised?.suppression.suppressedBuckets).toBeGreaterThan(0);
    const report = DriftSummary.summarize(anonymised!.window, baseline).report;
    expect(report?.driftedFeatures).toEqual([]);
    expect(report?.features.find((f) => f.name === 'temp_max')?.verdict).toBe('no-drift');
  });
});

describe('toOtlpMetrics', () => {
  it('encodes an ExportMetricsServiceRequest with delta histograms and sums per the OTLP JSON mapping', () => {
    const summary = summaryOf('jul-dec');
    const request = toOtlpMetrics(summary, { 'deployment.environment': 'test' }) as {
      resourceMetrics: { resource: { attributes: { key: string }[] }; scopeMetrics: { metrics: Record<string, any>[] }[] }[];
    };
    const metrics = request.resourceMetrics[0].scopeMetrics[0].metrics;
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    const feature = byName['edgewatch.feature'].histogram;
    expect(feature.aggregationTemporality).toBe(1);
    const point = feature.dataPoints[0];
    expect(point.explicitBounds).toEqual(summary.window.features.temp_max.histogram.edges);
    expect(point.bucketCounts).toHaveLength(point.explicitBounds.length + 1);
    // uint64 fields are decimal strings; the bucket counts add up to count
    expect(typeof point.count).toBe('string');
    expect(point.bucketCounts.reduce((a: number, b: string) => a + Number(b), 0)).toBe(Number(point.count));
    expect(point.count).toBe(String(seattleSlice('tempMax', 'jul-dec').length));
    expect(point.timeUnixNano).toBe('3600000000000');
    expect(point.attributes).toContainEqual({ key: 'edgewatch.feature', value: { stringValue: 'temp_max' } });
    const classes = byName['edgewatch.prediction.class'].sum;
    expect(classes.isMonotonic).toBe(true);
    expect(classes.dataPoints.reduce((a: number, p: { asInt: string }) => a + Number(p.asInt), 0)).toBe(Number(point.count));
    expect(byName['edgewatch.batch.duration'].histogram.dataPoints[0].count).toBe('1');
    expect(byName['edgewatch.drift.ks'].gauge.dataPoints).toHaveLength(1);
    expect(request.resourceMetrics[0].resource.attributes.map((a) => a.key)).toEqual(['service.name', 'deployment.environment']);
  });
});

describe('SummaryExporter', () => {
  const noSleep = async () => undefined;
  function fakeFetch(statuses: (number | 'network')[]) {
    const calls: { url: string; body: string }[] = [];
    const fn = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: String(init.body) });
      const status = statuses.length > 0 ? (statuses.shift() as number | 'network') : 200;
      if (status === 'network') throw new TypeError('Failed to fetch');
      return new Response(null, { status });
    }) as unknown as typeof fetch;
    return { fn, calls };
  }

  it('retries transient failures with backoff, then sends', async () => {
    const waits: number[] = [];
    const { fn, calls } = fakeFetch(['network', 503]);
    const exporter = new SummaryExporter({
      endpoint: 'http://collector/v1/metrics',
      format: 'otlp',
      fetch: fn,
      sleep: async (ms) => void waits.push(ms),
      online: () => true,
    });
    expect(await exporter.export(summaryOf('y2013'))).toBe('sent');
    expect(calls).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThan(waits[0] / 3); // doubling with ±50 % jitter
    expect(JSON.parse(calls[2].body).resourceMetrics).toHaveLength(1);
  });

  it('queues what keeps failing or is made offline, and flushes the queue later in order', async () => {
    const { fn, calls } = fakeFetch(['network', 'network', 'network', 'network']);
    let online = true;
    const exporter = new SummaryExporter({ endpoint: 'http://collector/', fetch: fn, sleep: noSleep, online: () => online });
    expect(await exporter.export(summaryOf('y2012'))).toBe('queued');
    online = false;
    expect(await exporter.export(summaryOf('y2013'))).toBe('queued');
    expect(calls).toHaveLength(4);
    expect(await exporter.pending()).toBe(2);
    online = true;
    expect(await exporter.flushQueue()).toBe(2);
    expect(await exporter.pending()).toBe(0);
    const sent = calls.slice(4).map((c) => JSON.parse(c.body));
    expect(sent.map((s) => s.predictions)).toEqual([366, 365]);
    // only aggregates: k-anonymised sketches, no report, no record
    expect(sent[0].report).toBeUndefined();
    expect(sent[0].anonymity).toMatchObject({ k: 10 });
  });

  it('drops a request the endpoint rejects (4xx), and withholds windows under k', async () => {
    const { fn } = fakeFetch([400]);
    const exporter = new SummaryExporter({ endpoint: 'http://collector/', fetch: fn, sleep: noSleep, online: () => true, k: 5 });
    expect(await exporter.export(summaryOf('y2012'))).toBe('rejected');
    expect(await exporter.export(summaryOf('y2012', 4))).toBe('withheld');
    expect(await exporter.pending()).toBe(0);
  });
});

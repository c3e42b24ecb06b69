import { afterEach, describe, expect, it } from 'vitest';
import { byYears, WEATHER_LABELS } from '../../src/demo/seattleWeather.ts';
import { EdgewatchError } from '../../src/errors.ts';
import { ModelMonitor, type MonitoredVersion } from '../../src/monitor/ModelMonitor.ts';
import { computeBaseline } from '../../src/cli/baseline.ts';
import { addWindows, readWindows, unpackRow } from '../../src/monitor/store/windowStore.ts';
import { compare } from '../../src/monitor/summary/compare.ts';
import { sketchLayout, WindowSketch } from '../../src/monitor/WindowSketch.ts';
import { compile } from '../../src/features/compile.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import { openEdgewatchDB, type DetectorStateRow } from '../../src/storage/db.ts';
import { ConceptDrift, type ConceptDriftState } from '../../src/monitor/detectors/ConceptDrift.ts';
import { writeDetectorStates } from '../../src/monitor/store/detectorStore.ts';
import { REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

const runtimes: EdgeRuntime[] = [];
function runtime(dbName: string, options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  // Every row sketched, so the counts below are exact whatever the machine's speed (the budget that
  // samples under sustained load has its own test).
  const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], dbName, flushIntervalMs: 60_000, monitoringBudget: { share: Infinity }, ...options });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

/**
 * What a stored value weighs in IndexedDB's structured clone: strings by their length, numbers 8 bytes,
 * typed arrays by their bytes (written raw), plus one byte per value for its tag.
 */
function storedBytes(value: unknown): number {
  if (typeof value === 'string') return 1 + value.length;
  if (typeof value === 'number') return 9;
  if (ArrayBuffer.isView(value)) return 1 + value.byteLength;
  if (Array.isArray(value)) return 1 + value.reduce((sum: number, v) => sum + storedBytes(v), 0);
  if (value !== null && typeof value === 'object') return 1 + Object.entries(value).reduce((sum, [k, v]) => sum + k.length + storedBytes(v), 0);
  return 1;
}

async function rows(dbName: string, version = '1') {
  const db = await openEdgewatchDB(dbName);
  try {
    return await readWindows(db, 'weather', version);
  } finally {
    db.close();
  }
}

describe('on-device window sketches', () => {
  it('sketches every model feature, the outputs and health per prediction, and counts bad input', async () => {
    const dbName = uniqueDbName('win');
    const model = runtime(dbName).model('weather');
    const records = byYears(weather, 2014).map(withoutLabel);
    // a few days with the wind sensor down: imputed, and counted as repaired
    const withGaps = records.map((r, i) => (i % 73 === 0 ? { ...r, wind: null } : r));
    const predictions = [...(await model.predict(withGaps.slice(0, 200))), ...(await Promise.all(withGaps.slice(200).map((r) => model.predict(r))))];
    await expect(model.predict({ ...records[0], temp_max: 'hot' })).rejects.toBeInstanceOf(EdgewatchError);
    await runtimes[0].flush();

    const stored = await rows(dbName);
    expect(stored.length).toBeGreaterThanOrEqual(1);
    const summary = await model.driftSummary();
    const w = summary?.window;
    expect(w?.predictions).toBe(365);
    expect(Object.keys(w?.features ?? {})).toEqual(['season.sin', 'season.cos', 'precipitation', 'temp_max', 'temp_min', 'wind']);
    for (const f of Object.values(w?.features ?? {})) expect(f.count).toBe(365);
    if (w?.outputs.kind !== 'classification') throw new Error('classification expected');
    const expected = WEATHER_LABELS.map((l) => predictions.filter((p) => p.label === l).length);
    expect(w.outputs.classes.counts).toEqual(expected);
    expect(w.health.invalidRecords).toBe(1);
    expect(w.health.invalidByField).toEqual({ temp_max: 1 });
    expect(w.health.repairedByInput).toEqual({ wind: Math.ceil(365 / 73) });
    expect(w.health.backends).toEqual({ wasm: w.health.batches });

    const report = summary?.report;
    expect(report?.health.latencyMs.p50).toBeGreaterThan(0);
    expect(report?.health.invalidRate).toBeCloseTo(1 / 366, 12);
    expect(report?.features).toHaveLength(6);
    // a calibrated-looking classifier: expected accuracy from confidence, before any label
    if (report?.prediction.kind !== 'classification') throw new Error('classification expected');
    expect(report.prediction.expectedAccuracy).toBeGreaterThan(0.5);
    expect(report.prediction.baselineExpectedAccuracy).toBeGreaterThan(0.5);
  });

  it('keeps counts across a reload: a new runtime on the same database sees the flushed windows', async () => {
    const dbName = uniqueDbName('reload');
    const first = runtime(dbName);
    await first.model('weather').predict(byYears(weather, 2014).map(withoutLabel));
    await first.dispose(); // flushes, like pagehide
    const second = runtime(dbName);
    await second.model('weather').predict(byYears(weather, 2015).slice(0, 10).map(withoutLabel));
    const summary = await second.model('weather').driftSummary();
    expect(summary?.predictions).toBe(375);
  });

  it('two runtimes (two workers) flushing into one database at once lose nothing', async () => {
    const dbName = uniqueDbName('two');
    const a = runtime(dbName);
    const b = runtime(dbName);
    const records = weather.map(withoutLabel);
    const half = records.length >> 1;
    // many small requests on both sides, and flushes racing each other while predictions continue
    const work = async (rt: EdgeRuntime, slice: typeof records) => {
      for (let i = 0; i < slice.length; i += 50) {
        await rt.model('weather').predict(slice.slice(i, i + 50));
        if (i % 200 === 0) await rt.flush();
      }
      await rt.flush();
    };
    await Promise.all([work(a, records.slice(0, half)), work(b, records.slice(half))]);
    const stored = await rows(dbName);
    const total = stored.reduce((sum, r) => sum + r.window.predictions, 0);
    expect(total).toBe(records.length);
    const perFeature = stored.reduce((sum, r) => sum + r.window.features.temp_max.count, 0);
    expect(perFeature).toBe(records.length);
    const histogram = stored.reduce((sum, r) => sum + r.window.features.temp_max.histogram.counts.reduce((x, y) => x + y, 0), 0);
    expect(histogram).toBe(records.length);
  });
});

describe('monitoring budget', () => {
  it('under sustained load past its share, sketches a sample of rows but counts every prediction', async () => {
    const model = runtime(uniqueDbName('budget'), { monitoringBudget: { share: 1e-6, burstMs: 0 } }).model('weather');
    const records = weather.map(withoutLabel);
    const batches = 100;
    for (let b = 0; b < batches; b++) await model.predict(records.slice((b * 64) % 1380, ((b * 64) % 1380) + 64));
    const summary = await model.driftSummary();
    const w = summary?.window;
    expect(w?.predictions).toBe(batches * 64);
    // the first batch is sketched whole (its cost is not known yet); from then on the budget is spent
    expect(w?.sketched).toBeGreaterThanOrEqual(64);
    expect(w?.sketched).toBeLessThan(batches * 64);
    for (const f of Object.values(w?.features ?? {})) expect(f.count + f.missing + f.invalid).toBe(w?.sketched);
    if (w?.outputs.kind !== 'classification') throw new Error('classification expected');
    // classes are counted for every prediction, the confidence only for the sketched ones
    expect(w.outputs.classes.counts.reduce((a, b) => a + b, 0) + w.health.nanPredictions).toBe(w.predictions);
    expect(w.outputs.confidence.count + w.outputs.confidence.missing + w.outputs.confidence.invalid).toBeLessThanOrEqual(w.sketched as number);
    expect(summary?.report?.health.sketchedRate).toBe((w.sketched as number) / w.predictions);
  });
});

describe('many callers at once', () => {
  for (const monitoring of [true, false]) {
    it(`counts every prediction exactly and answers each caller its own rows (monitoring: ${monitoring})`, async () => {
      const model = await runtime(uniqueDbName(`callers-${monitoring}`), { monitoring })
        .model('weather')
        .ready();
      const records = weather.slice(0, 300).map(withoutLabel);
      // Each record alone first, one call at a time: what every batched answer below must match.
      const alone: Float32Array[] = [];
      for (const r of records.slice(0, 40)) alone.push((await model.predict(r)).scores);
      // 200 callers in one task (single records, arrays of 1–7, one bad record), 100 more while those are in flight.
      const calls: Promise<unknown>[] = [];
      const asked: number[][] = [];
      let sent = 0;
      for (let c = 0; c < 300; c++) {
        if (c === 200) await new Promise((resolve) => setTimeout(resolve, 0));
        const at = c % 40;
        if (c % 3 === 0) {
          calls.push(model.predict(records[at]));
          asked.push([at]);
          sent += 1;
        } else {
          const n = 1 + (c % 7);
          const rows = Array.from({ length: n }, (_, i) => (at + i) % 40);
          calls.push(model.predict(rows.map((i) => records[i])));
          asked.push(rows);
          sent += n;
        }
      }
      const bad = model.predict({ ...records[0], temp_max: 'hot' });
      const settled = await Promise.allSettled(calls);
      await expect(bad).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { field: 'temp_max', row: 0 } });
      settled.forEach((result, c) => {
        if (result.status !== 'fulfilled') throw new Error(`call ${c} failed: ${String(result.reason)}`);
        const answers = Array.isArray(result.value) ? (result.value as { scores: Float32Array }[]) : [result.value as { scores: Float32Array }];
        expect(answers.length).toBe(asked[c].length);
        answers.forEach((a, i) => {
          const expected = alone[asked[c][i]];
          for (let k = 0; k < expected.length; k++) expect(a.scores[k]).toBeCloseTo(expected[k], 5);
        });
      });
      const w = (await model.driftSummary())?.window;
      expect(w?.predictions).toBe(40 + sent);
      expect(w?.health.invalidRecords).toBe(1);
      if (w?.outputs.kind !== 'classification') throw new Error('classification expected');
      expect(w.outputs.classes.counts.reduce((a, b) => a + b, 0) + w.health.nanPredictions).toBe(40 + sent);
    });
  }
});

describe('storage stays bounded', () => {
  it('1M predictions take no more room than 10k: rows are O(bins), packed, framed by the baseline, rolled up hourly → daily', async () => {
    const { manifest } = await fetch(REGISTRY).then(async (r) => ({ manifest: await r.json() }));
    const entry = manifest.models.weather.versions['1'];
    const columns = Object.keys(entry.baseline.features);
    const v: MonitoredVersion = {
      model: 'weather',
      version: '1',
      layout: sketchLayout(columns, entry.outputs, entry.baseline),
    };
    const days = 30;
    const start = Date.UTC(2026, 0, 1);
    const measure = async (predictions: number) => {
      const dbName = uniqueDbName('bounded');
      let now = start;
      const monitor = new ModelMonitor(() => openEdgewatchDB(dbName), { now: () => now, compactEveryMs: 0 });
      // the same 500 moments over 30 days for both sizes; only the rows per batch differ
      const batches = 500;
      const perBatch = predictions / batches;
      const width = columns.length;
      const source = Float32Array.from(compile(entry.features).transform(weather.map(withoutLabel)));
      const features = new Float32Array(perBatch * width);
      const scores = new Float32Array(perBatch * 5);
      for (let b = 0; b < batches; b++) {
        now = start + Math.floor((b / batches) * days * 86_400_000);
        for (let i = 0; i < perBatch; i++) {
          // the model's real features of the 1,461 real days, cycled; softmax-like scores
          const k = b * perBatch + i;
          const day = k % weather.length;
          features.set(source.subarray(day * width, (day + 1) * width), i * width);
          scores.set([0.05, 0.05, (k % 10) / 10, 0.05, 0.85 - (k % 10) / 10], i * 5);
        }
        monitor.window(v).observe(features, scores, perBatch);
        if (b % 10 === 9) await monitor.flush();
      }
      now = start + (days + 3) * 86_400_000;
      await monitor.flush();
      const db = await openEdgewatchDB(dbName);
      const stored = await db.getAll('windows');
      db.close();
      const bytes = stored.reduce((sum, r) => sum + storedBytes(r), 0);
      const windows = stored.map((r) => unpackRow(r).window);
      return { dbName, rows: stored.length, bytes, windows, predictions: windows.reduce((s, w) => s + w.predictions, 0) };
    };
    const small = await measure(10_000);
    const large = await measure(1_000_000);
    expect(small.predictions).toBe(10_000);
    expect(large.predictions).toBe(1_000_000);
    // all hourly rows older than 48 h were rolled into one row per day
    expect(large.rows).toBe(small.rows);
    expect(large.rows).toBeLessThanOrEqual(days + 1);
    // Same rows, same bins, every count 4 bytes, every quantile sketch over its baseline's frame: a row's
    // size is set by its layout, not by how many predictions it counts (in plain JSON the counts' digits
    // and the tail buckets a busy day reaches made 1M take 1.106× the room of 10k)
    expect(large.bytes).toBeLessThanOrEqual(small.bytes);
    // and nothing was lost to get there: every sketch still counts every prediction of its day
    for (const w of large.windows) {
      for (const f of Object.values(w.features)) {
        expect(f.quantiles.count).toBe(f.count);
        expect(f.quantiles.positive.counts.length).toBeLessThanOrEqual(2048);
      }
    }
  });
});

describe('categorical inputs as categories in IndexedDB', () => {
  it('stores category counts in the window rows, reads a row written before them, and names the unseen categories', async () => {
    const columns = ['origin=SEA', 'origin=LAX', 'origin=<oov>'];
    const outputs = { kind: 'regression' as const, names: [] };
    const train = [...Array(300).fill('SEA'), ...Array(300).fill('LAX')];
    const oneHot = (values: readonly string[]) => Float32Array.from(values.flatMap((o) => columns.map((c) => (c === `origin=${o}` ? 1 : 0))));
    const baseline = computeBaseline({
      columns,
      features: oneHot(train),
      rows: train.length,
      outputs,
      scores: new Float32Array(train.length),
      categories: [{ name: 'origin', values: train }],
    });
    const v: MonitoredVersion = { model: 'flights', version: '1', layout: sketchLayout(columns, outputs, baseline, { categories: [{ name: 'origin' }] }) };
    const dbName = uniqueDbName('categories');
    const monitor = new ModelMonitor(() => openEdgewatchDB(dbName), { budget: { share: Infinity } });
    // the batch's window is the hour of its answer (the worker's clock)
    const t = performance.now();
    const start = Math.floor((monitor.timeOrigin + t) / 3_600_000) * 3_600_000;
    // a row of the same hour as an older version of the library wrote it: no categories
    const older = new WindowSketch(sketchLayout(columns, outputs, baseline), 'flights', '1', start, start + 3_600_000);
    older.observe(oneHot(['SEA', 'LAX']), new Float32Array(2), 2);
    const db = await openEdgewatchDB(dbName);
    await addWindows(db, [older.toJSON()], 'hour');
    db.close();
    const origins = [...Array(40).fill('SEA'), ...Array(40).fill('LAX'), ...Array(20).fill('BOS')];
    const observation = monitor.beginBatch(
      v,
      { width: 3, issues: 0, takeStats: () => ({ rows: 0, inputs: {}, oov: {} }) },
      origins.map((origin) => ({ origin })),
    );
    observation.onFeatures(oneHot(origins), origins.length);
    observation.answered({
      seq: 0,
      rows: origins.length,
      scores: new Float32Array(origins.length),
      outputWidth: 1,
      classes: undefined,
      backend: 'wasm',
      startedAt: t - 1,
      inferredAt: t,
    });
    await monitor.flush();
    const again = await openEdgewatchDB(dbName);
    const mine = await readWindows(again, 'flights', '1');
    again.close();
    expect(mine).toHaveLength(1);
    const window = mine[0].window;
    expect(window.predictions).toBe(102);
    expect(window.categories?.origin).toMatchObject({ categories: ['LAX', 'SEA'], counts: [40, 40], unseen: 20, unseenNames: ['BOS'], unseenCounts: [20] });
    const origin = compare(window, baseline).categories?.[0];
    expect(origin).toMatchObject({
      name: 'origin',
      statistic: 'chisquare',
      verdict: 'drift',
      unseen: { count: 20, share: 0.2, names: [{ name: 'BOS', count: 20, share: 0.2 }] },
    });
  });
});

describe('label feedback: concept drift on the real 2014–15 label shift', () => {
  it('joins late labels; 2012–13 labels match the baseline, 2014–15 show label shift and a detector fires', async () => {
    const windowMs = 2000;
    const rt = runtime(uniqueDbName('feedback'), { windowMs });
    const events: { detectors: readonly string[]; version: string }[] = [];
    rt.addEventListener('drift', (event) => events.push(event.detail));
    const model = rt.model('weather');
    const phase = async (years: [number, number]) => {
      const days = byYears(weather, years[0], years[1]);
      const predictions = await model.predict(days.map(withoutLabel));
      const fired: string[] = [];
      for (let i = 0; i < days.length; i++) {
        const result = await model.feedback(predictions[i].predictionId, days[i].weather);
        expect(result.matched).toBe(true);
        fired.push(...result.drift);
      }
      return fired;
    };
    const t0 = Date.now();
    await phase([2012, 2013]);
    // wait for the next bucket so the two phases land in different windows
    const t1 = (Math.floor(Date.now() / windowMs) + 1) * windowMs;
    await new Promise((resolve) => setTimeout(resolve, t1 - Date.now() + 10));
    const fired = await phase([2014, 2015]);

    const before = await model.driftSummary({ window: { from: t0, to: t1 } });
    const after = await model.driftSummary({ window: { from: t1 } });
    const q1 = before?.report?.quality;
    const q2 = after?.report?.quality;
    expect(q1?.labelled).toBe(731);
    expect(q2?.labelled).toBe(730);
    // the training years give back the training labels: no label drift
    expect(q1?.labelDrift?.verdict).toBe('no-drift');
    expect(q1?.accuracy).toBeCloseTo(0.874, 2);
    // 2014–15: fog 21 → 80 days, drizzle 46 → 7 — the labelling changed
    expect(q2?.labelDrift?.verdict).toBe('drift');
    expect(q2?.labelDrift?.pValue).toBeLessThan(1e-10);
    expect(q2?.accuracy).toBeCloseTo(0.842, 2);
    expect(q2?.conceptDrift).toBe(true);
    // the error stream changes too: a detector fires during 2014–15 (measured in Node: DDM at day 1392)
    expect(fired.length).toBeGreaterThan(0);
    expect(Object.values(q2?.detections ?? {}).reduce((a, b) => a + b, 0)).toBe(fired.length);
    // …and the runtime says so with a `drift` event per detecting label
    expect(events.flatMap((e) => e.detectors).length).toBeGreaterThanOrEqual(fired.length);
    expect(events.every((e) => e.version === '1')).toBe(true);
    // an unknown id is counted, not thrown; an unknown label is refused
    expect(await model.feedback('nope:0', 'rain')).toMatchObject({ matched: false });
    const any = (await model.predict(withoutLabel(weather[0]))).predictionId;
    await expect(model.feedback(any, 'hail')).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('change detectors across visits (IndexedDB)', () => {
  // Labels agree with the answer but 1 in 10 times, then, from the 1000th, 1 in 2: the concept changed.
  const wrong = (i: number) => (i < 1000 ? i % 10 === 0 : i % 2 === 0);
  const classes = WEATHER_LABELS as readonly string[];
  /** Predicts rows `from`…`to` of the stream and labels them; the indices whose label gave a `concept` verdict. */
  async function labelled(rt: EdgeRuntime, from: number, to: number): Promise<number[]> {
    const model = rt.model('weather');
    const answers = await model.predict(Array.from({ length: to - from }, (_, k) => withoutLabel(weather[(from + k) % weather.length])));
    const results = await Promise.all(
      answers.map((p, k) => model.feedback(p.predictionId, wrong(from + k) ? (classes.find((c) => c !== p.label) as string) : (p.label as string))),
    );
    expect(results.every((r) => r.matched && !r.duplicate)).toBe(true);
    return results.flatMap((r, k) => (r.drift.includes('concept') ? [from + k] : []));
  }
  /** One page fed the whole stream: DDM, ADWIN and Page-Hinkley voting 2 of 3, as the runtime's. */
  function alone(to: number): number[] {
    const detectors = new ConceptDrift({ kind: 'classification' });
    return Array.from({ length: to }, (_, i) => i).filter((i) => detectors.update(wrong(i) ? 1 : 0).driftDetected);
  }

  it('a change that began in one visit is found in the next, on the label one page would find it', async () => {
    const dbName = uniqueDbName('detectors');
    expect(alone(2000)[0]).toBeGreaterThan(1030);
    const first = runtime(dbName);
    expect(await labelled(first, 0, 1030)).toEqual([]);
    await first.dispose(); // flushes, like pagehide
    const second = runtime(dbName);
    expect(await labelled(second, 1030, 2000)).toEqual(alone(2000));
    // Detectors starting afresh in the second visit meet a steady 50 % error rate: no verdict, ever.
    const fresh = new ConceptDrift({ kind: 'classification' });
    expect(Array.from({ length: 970 }, (_, k) => fresh.update(wrong(1030 + k) ? 1 : 0).driftDetected).includes(true)).toBe(false);
  });

  it('a stored state with fewer values does not replace one with more; a row that does not check out is ignored, and nothing fails', async () => {
    const dbName = uniqueDbName('detectors-rows');
    const first = runtime(dbName);
    await labelled(first, 0, 600);
    await first.flush();
    const db = await openEdgewatchDB(dbName);
    try {
      const row = await db.get('detectors', 'weather@1');
      expect(row).toMatchObject({ model: 'weather', version: '1', values: 600 });
      // an older state (a retiring worker's, another tab's) comes later: the one with more evidence stays
      await writeDetectorStates(db, [{ model: 'weather', version: '1', state: { ...(row?.state as ConceptDriftState), t: 10 } }]);
      expect((await db.get('detectors', 'weather@1'))?.values).toBe(600);
      await first.dispose();
      // Tampered with (or written by a future release): ignored; the next visit starts afresh and writes its own.
      await db.put('detectors', { ...(row as DetectorStateRow), state: { ...(row?.state as object), t: -5 } });
    } finally {
      db.close();
    }
    const second = runtime(dbName);
    expect(await labelled(second, 1030, 1100)).toEqual([]);
    await second.dispose();
    const after = await openEdgewatchDB(dbName);
    try {
      expect((await after.get('detectors', 'weather@1'))?.values).toBe(70);
    } finally {
      after.close();
    }
  });
});

describe('change-detector rows from storage are not trusted', () => {
  it("a row whose values do not match its own state's count does not hold later writes back", async () => {
    const dbName = uniqueDbName('detectors-forged');
    const db = await openEdgewatchDB(dbName);
    try {
      const detectors = new ConceptDrift({ kind: 'classification' });
      for (let i = 0; i < 50; i++) detectors.update(i % 10 === 0 ? 1 : 0);
      const state = detectors.exportState() as ConceptDriftState;
      // forged: claims 10^15 values for a state that read 50
      await db.put('detectors', { key: 'weather@1', model: 'weather', version: '1', state, values: 1e15, updatedAt: Date.now() });
      await writeDetectorStates(db, [{ model: 'weather', version: '1', state: { ...state, t: 60 } }]);
      expect((await db.get('detectors', 'weather@1'))?.values).toBe(60);
      // an honest row with more values still stays
      await writeDetectorStates(db, [{ model: 'weather', version: '1', state: { ...state, t: 55 } }]);
      expect((await db.get('detectors', 'weather@1'))?.values).toBe(60);
    } finally {
      db.close();
    }
  });
});

describe('change-detector rows stay bounded', () => {
  it('a row not written for the daily retention goes at compaction; one written lately stays', async () => {
    const dbName = uniqueDbName('detectors-expiry');
    const db = await openEdgewatchDB(dbName);
    const day = 86_400_000;
    try {
      const row = (version: string, updatedAt: number): DetectorStateRow => ({
        key: `weather@${version}`,
        model: 'weather',
        version,
        state: {},
        values: 1,
        updatedAt,
      });
      await db.put('detectors', row('old', Date.now() - 11 * day));
      await db.put('detectors', row('recent', Date.now() - 9 * day));
      await db.put('detectors', { ...row('garbled', Date.now()), updatedAt: 'yesterday' as unknown as number });
      const monitor = new ModelMonitor(() => openEdgewatchDB(dbName), { compactEveryMs: 0, retention: { dailyMs: 10 * day } });
      await monitor.flush();
      expect((await db.getAllKeys('detectors')).sort()).toEqual(['weather@recent']);
    } finally {
      db.close();
    }
  });
});

describe('export with an offline queue in IndexedDB', () => {
  it('queues exports made offline and sends them after a reload, through an injected fetch', async () => {
    const { IndexedDBExportQueue } = await import('../../src/monitor/export/IndexedDBExportQueue.ts');
    const { SummaryExporter } = await import('../../src/monitor/export/SummaryExporter.ts');
    const dbName = uniqueDbName('export');
    const model = runtime(dbName).model('weather');
    await model.predict(byYears(weather, 2014).map(withoutLabel));
    const summary = await model.driftSummary();
    if (!summary) throw new Error('no summary');
    const received: unknown[] = [];
    const collector = (async (_url: string, init: RequestInit) => {
      received.push(JSON.parse(String(init.body)));
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;

    const db = () => openEdgewatchDB(dbName);
    const offline = new SummaryExporter({ endpoint: '/v1/metrics', format: 'otlp', fetch: failing, online: () => false, queue: new IndexedDBExportQueue(db) });
    expect(await offline.export(summary)).toBe('queued');
    expect(await offline.export(summary)).toBe('queued');
    offline.dispose();
    // "after a reload": a new exporter over the same database
    const later = new SummaryExporter({ endpoint: '/v1/metrics', format: 'otlp', fetch: collector, online: () => true, queue: new IndexedDBExportQueue(db) });
    expect(await later.pending()).toBe(2);
    expect(await later.flushQueue()).toBe(2);
    expect(await later.pending()).toBe(0);
    later.dispose();
    expect(received).toHaveLength(2);
    expect(JSON.stringify(received[0])).toContain('edgewatch.feature');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EdgeDriftReport } from '../../../src/components/EdgeDriftReport.ts';
import { createEdgeRuntime, type EdgeRuntimeOptions } from '../../../src/index.ts';
import { uniqueDbName, weather, withoutLabel } from '../weatherData.ts';
import { buttonOf, cleanUp, mount, next, partText, serve, track, until } from './support.ts';

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanUp();
});

/** A runtime of its own (own database: no other test's predictions) for a model element. */
function ownRuntime(registry: string, options: Partial<EdgeRuntimeOptions> = {}) {
  return track(
    createEdgeRuntime({
      registry,
      backends: ['cpu'],
      dbName: uniqueDbName('report'),
      updateIntervalMs: 0,
      flushIntervalMs: 60_000,
      // every row sketched: the verdicts below must not depend on the budget's sampling
      monitoringBudget: { share: Number.POSITIVE_INFINITY },
      ...options,
    }),
  );
}

const settled = async (report: EdgeDriftReport) => {
  await until(() => report.status !== 'loading' && report.status !== 'idle');
  await report.updateComplete;
};

const summer2014 = weather.filter((r) => r.date >= '2014-06-01' && r.date < '2014-09-01');
/** The baseline's own days (v1 is trained on 2012–2013). */
const trainingYears = weather.filter((r) => r.date >= '2012-01-01' && r.date < '2014-01-01');

describe('<edge-drift-report>', () => {
  it('idle until its model is on the page, then loading, then empty: "No predictions yet"', async () => {
    const registry = await serve();
    const report = mount('edge-drift-report', { for: 'later', window: '24h' });
    await report.updateComplete;
    expect(report.status).toBe('idle');
    expect(report.getAttribute('status')).toBe('idle');
    expect(partText(report, 'message')).toBe('No model with id “later” on this page.');

    const model = mount('edge-model', { id: 'later', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    await until(() => report.status === 'loading');
    await report.updateComplete;
    expect(partText(report, 'message')).toBe('Loading the drift report…');
    expect(report.shadowRoot?.querySelector('[part~=report]')?.getAttribute('aria-busy')).toBe('true');
    await settled(report);
    expect(report.status).toBe('empty');
    expect(partText(report, 'verdict')).toBe('No predictions yet in the last 24 hours.');
    expect(buttonOf(report, 'export-csv').disabled).toBe(true);
    expect(model.version).toBe('1');
  });

  it('error states: a model the registry does not have, and a window that is not one', async () => {
    const registry = await serve();
    mount('edge-model', { id: 'missing', name: 'no-such-model' }, { runtime: ownRuntime(registry.url) });
    const report = mount('edge-drift-report', { for: 'missing' });
    await settled(report);
    expect(report.status).toBe('error');
    expect(partText(report, 'error')).toContain('UNKNOWN_MODEL');
    expect(report.shadowRoot?.querySelector('[role=alert]')).not.toBeNull();

    mount('edge-model', { id: 'ok', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    const badWindow = mount('edge-drift-report', { for: 'ok', window: 'soon' });
    await settled(badWindow);
    expect(badWindow.status).toBe('error');
    expect(partText(badWindow, 'error')).toContain('INPUT_INVALID');
    badWindow.setAttribute('window', '7d');
    await until(() => badWindow.status === 'empty');
  });

  it('after drifted records (summer 2014 vs the 2012–13 baseline): verdict in words, rows with statistic, value, threshold, verdict and a chart; classes; exports', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    const report = mount('edge-drift-report', { for: 'm', window: '24h' });
    await settled(report);
    expect(report.status).toBe('empty');

    const predictions = await model.predict(summer2014.map(withoutLabel));
    expect(predictions).toHaveLength(summer2014.length);
    await report.refresh();
    await report.updateComplete;
    expect(report.status).toBe('ready');
    const verdict = partText(report, 'verdict');
    expect(verdict).toMatch(/^\d of 6 features drifted: .*temp_max/);
    expect(report.shadowRoot?.querySelector('[part~=verdict]')?.classList.contains('drift')).toBe(true);
    expect(partText(report, 'meta')).toContain(`${summer2014.length} predictions in the last 24 hours`);

    const rows = [...(report.shadowRoot?.querySelectorAll('[part~=features] tbody tr') ?? [])] as HTMLElement[];
    expect(rows.map((r) => r.dataset.feature)).toEqual(['season.sin', 'season.cos', 'precipitation', 'temp_max', 'temp_min', 'wind']);
    const tempMax = rows.find((r) => r.dataset.feature === 'temp_max') as HTMLElement;
    expect(tempMax.dataset.verdict).toBe('drift');
    expect(tempMax.getAttribute('part')).toBe('row drift');
    const cells = [...tempMax.querySelectorAll('td')].map((td) => td.textContent?.trim());
    expect(cells[0]).toBe('KS test (p-value)');
    expect(Number(cells[1])).toBeLessThan(0.05);
    expect(cells[2]).toBe('< 0.050');
    expect(cells[3]).toBe('Drifted');
    const chart = tempMax.querySelector('svg[role=img]');
    expect(chart?.getAttribute('aria-label')).toContain('temp_max: training baseline');
    expect(chart?.querySelectorAll('rect.baseline').length).toBeGreaterThanOrEqual(10);
    expect(chart?.querySelectorAll('rect.current').length).toBe(chart?.querySelectorAll('rect.baseline').length);
    // every drifted feature in the verdict has a drift row, and only those
    const driftRows = rows.filter((r) => r.dataset.verdict === 'drift').map((r) => r.dataset.feature);
    expect(verdict).toContain(`${driftRows.length} of 6 features drifted: ${driftRows.join(', ')}`);

    const classRows = [...(report.shadowRoot?.querySelectorAll('[part~=classes] tbody tr') ?? [])] as HTMLElement[];
    expect(classRows.map((r) => r.dataset.class)).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun']);
    const counted = classRows.map((r) => Number(/\((\d+)\)/.exec(r.querySelector('td')?.textContent ?? '')?.[1]));
    const expected = ['drizzle', 'fog', 'rain', 'snow', 'sun'].map((label) => predictions.filter((p) => p.label === label).length);
    expect(counted).toEqual(expected);
    expect(partText(report, 'quality')).toContain('No labels yet');

    // Over time: every prediction is in this hour, so one bar, at "now", as tall as the drifted features.
    const bars = [...(report.shadowRoot?.querySelectorAll('svg[part~=drift-series] rect.bucket') ?? [])] as SVGRectElement[];
    expect(bars).toHaveLength(1);
    expect(bars[0].classList.contains('drift')).toBe(true);
    expect(Number(bars[0].dataset.drifted)).toBe(driftRows.length);
    expect(Number(bars[0].getAttribute('x')) + Number(bars[0].getAttribute('width'))).toBeGreaterThan(300);
    expect(Number(bars[0].dataset.start)).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    expect(report.shadowRoot?.querySelector('svg[part~=drift-series]')?.getAttribute('aria-label')).toMatch(
      /^Drift per hour over the last 24 hours: 1 of 1 hours with a verdict drifted/,
    );
    expect(partText(report, 'quality-over-time')).toBe('Accuracy per hour No labels yet: quality over time appears once feedback() reports true labels.');
    expect(report.shadowRoot?.querySelector('svg[part~=quality-series]')).toBeNull();
    const seriesRows = report.shadowRoot?.querySelectorAll('[part~=series-table] tbody tr') ?? [];
    expect(seriesRows).toHaveLength(1);
    expect([...seriesRows[0].querySelectorAll('td')].map((td) => td.textContent?.trim())[0]).toBe(String(summer2014.length));

    // Exports: what the buttons hand to the browser as downloads.
    const blobs: Blob[] = [];
    const names: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:captured';
    });
    report.shadowRoot?.addEventListener('click', (event) => {
      const a = event.target as HTMLAnchorElement;
      if (a.localName === 'a') {
        names.push(a.download);
        event.preventDefault();
      }
    });
    buttonOf(report, 'export-json').click();
    buttonOf(report, 'export-csv').click();
    expect(names).toEqual(['weather-v1-drift-summary.json', 'weather-v1-drift-features.csv']);
    const json = JSON.parse(await blobs[0].text());
    expect(json).toMatchObject({ schema: 'edgewatch.drift-summary/v1', model: 'weather', version: '1', predictions: summer2014.length });
    expect(json.report.driftedFeatures).toContain('temp_max');
    const csv = (await blobs[1].text()).split('\r\n');
    expect(csv[0]).toBe('feature,statistic,value,threshold,verdict,count,missing,invalid,mean,baseline_mean,p_value,ks,wasserstein,psi,jensen_shannon');
    expect(csv.filter(Boolean)).toHaveLength(7);
    expect(csv.find((line) => line.startsWith('temp_max,'))).toMatch(/^temp_max,ks,[^,]+,0\.05,drift,92,0,0,/);
  });

  it('the training years themselves: "No drift in the last 24 hours." (nothing drifted: features, classes, confidence)', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    const report = mount('edge-drift-report', { for: 'm' });
    await settled(report);
    await model.predict(trainingYears.map(withoutLabel));
    await report.refresh();
    await report.updateComplete;
    // Nothing drifted at all (features, predicted classes, confidence): the whole verdict, not its start.
    expect(partText(report, 'verdict')).toBe('No drift in the last 24 hours.');
    expect(report.shadowRoot?.querySelector('[part~=verdict]')?.classList.contains('drift')).toBe(false);
    const bars = report.shadowRoot?.querySelectorAll('svg[part~=drift-series] rect.bucket') ?? [];
    expect([...bars].map((b) => b.getAttribute('class'))).toEqual(['bucket no-drift']);
    expect(report.shadowRoot?.querySelectorAll('[data-verdict=drift]')).toHaveLength(0);
    expect(report.shadowRoot?.querySelectorAll('[data-verdict=no-drift]')).toHaveLength(6);
  });

  it('too few values for a verdict says so in words; min-sample-size changes how many are needed (and is checked)', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    const report = mount('edge-drift-report', { for: 'm', window: '7d' });
    await settled(report);
    await model.predict(summer2014.slice(0, 12).map(withoutLabel));
    await report.refresh();
    await report.updateComplete;
    expect(partText(report, 'verdict')).toBe('Not enough data in the last 7 days to judge drift yet: 12 values per feature, 50 needed.');
    expect(report.shadowRoot?.querySelectorAll('[data-verdict=insufficient-data]')).toHaveLength(6);

    report.setAttribute('min-sample-size', '10');
    await until(() => report.status === 'ready' && !partText(report, 'verdict').startsWith('Not enough'));
    expect(report.shadowRoot?.querySelectorAll('[data-verdict=insufficient-data]')).toHaveLength(0);

    report.setAttribute('min-sample-size', 'many');
    await until(() => report.status === 'error');
    expect(partText(report, 'error')).toContain('INPUT_INVALID');
  });

  it('labels arrive: a drift event refreshes the report, which shows accuracy', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    const report = mount('edge-drift-report', { for: 'm' });
    await settled(report);
    const records = weather.filter((r) => r.date >= '2014-01-01' && r.date < '2014-07-01');
    const predictions = await model.predict(records.map(withoutLabel));
    const labels = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
    // 40 labels that agree with the model, then labels that all disagree: DDM sees the error rate jump.
    const drift = next(model, 'drift');
    let correct = 0;
    let given = 0;
    let fired = false;
    void drift.then(() => (fired = true));
    for (const [i, p] of predictions.entries()) {
      if (fired) break;
      const label = i < 40 ? (p.label as string) : (labels.find((l) => l !== p.label) as string);
      if (label === p.label) correct++;
      given++;
      await model.feedback(p.predictionId, label);
    }
    const event = await drift;
    expect(event.detail).toMatchObject({ name: 'weather', version: '1' });
    expect(event.detail.detectors.length).toBeGreaterThan(0);
    await until(() => report.shadowRoot?.querySelector('[data-metric=Accuracy]') !== null);
    const accuracy = Number(report.shadowRoot?.querySelector('[data-metric=Accuracy] td')?.textContent);
    expect(accuracy).toBeCloseTo(correct / given, 3);
    expect(partText(report, 'quality')).toContain(`Quality on ${given} labelled predictions`);
  });

  it('only label feedback drifted (features like the training years, wrong labels): the verdict says drift, in red, not "No drift"', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime: ownRuntime(registry.url) });
    const report = mount('edge-drift-report', { for: 'm' });
    await settled(report);
    const predictions = await model.predict(trainingYears.map(withoutLabel));
    const labels = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
    // Every label disagrees with the model: accuracy 0 against the baseline's 0.87.
    for (const p of predictions.slice(0, 120)) await model.feedback(p.predictionId, labels.find((l) => l !== p.label) as string);
    await report.refresh();
    await report.updateComplete;
    expect(report.shadowRoot?.querySelectorAll('[data-verdict=drift]')).toHaveLength(0);
    expect(partText(report, 'verdict')).toBe('Drift in the last 24 hours: label feedback shows concept drift; no feature drifted.');
    expect(report.shadowRoot?.querySelector('[part~=verdict]')?.classList.contains('drift')).toBe(true);
    // The hour's bar is red (it drifted) but a stub: no feature drifted.
    const bar = report.shadowRoot?.querySelector('svg[part~=drift-series] rect.bucket') as SVGRectElement;
    expect(bar.getAttribute('class')).toBe('bucket drift');
    expect(bar.dataset.drifted).toBe('0');
    const point = report.shadowRoot?.querySelector('svg[part~=quality-series] circle.point') as SVGCircleElement;
    expect(Number(point.dataset.value)).toBe(0);
  });

  it('over time: drift and accuracy per bucket, from real windows in two buckets (2 s windows), with a text alternative', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime: ownRuntime(registry.url, { windowMs: 2000 }) });
    const report = mount('edge-drift-report', { for: 'm', window: '5m', bucket: '2s' });
    await settled(report);
    expect(report.status).toBe('empty');
    // Each batch starts just after a 2 s boundary, so it lands in one bucket (the worker's clock is the page's).
    const atBucketStart = () => until(() => Date.now() % 2000 < 150);
    const year2013 = weather.filter((r) => r.date >= '2013-01-01' && r.date < '2014-01-01');
    const batches = [summer2014, year2013];
    const accuracies: number[] = [];
    const starts: number[] = [];
    for (const batch of batches) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await atBucketStart();
      starts.push(Math.floor(Date.now() / 2000) * 2000);
      const predictions = await model.predict(batch.map(withoutLabel));
      // True labels: the model's accuracy on these days, counted here from its answers.
      for (const [i, p] of predictions.entries()) await model.feedback(p.predictionId, batch[i].weather);
      accuracies.push(predictions.filter((p, i) => p.label === batch[i].weather).length / batch.length);
    }
    await report.refresh();
    await report.updateComplete;
    expect(report.status).toBe('ready');
    const bars = [...(report.shadowRoot?.querySelectorAll('svg[part~=drift-series] rect.bucket') ?? [])] as SVGRectElement[];
    expect(bars.map((b) => Number(b.dataset.start))).toEqual(starts);
    // Summer 2014 drifted (temp_max, as above); the training years' 2013 did not.
    expect(bars[0].classList.contains('drift')).toBe(true);
    expect(Number(bars[0].dataset.drifted)).toBeGreaterThanOrEqual(1);
    // 2013 alone: no feature drifted (its predicted classes may shift: the bar's colour is the bucket's whole verdict).
    expect(bars[1].dataset.drifted).toBe('0');
    expect(Number(bars[1].getAttribute('x'))).toBeGreaterThan(Number(bars[0].getAttribute('x')));
    const points = [...(report.shadowRoot?.querySelectorAll('svg[part~=quality-series] circle.point') ?? [])] as SVGCircleElement[];
    expect(points).toHaveLength(2);
    expect(points.map((point) => Number(point.dataset.value))).toEqual(accuracies.map((a) => expect.closeTo(a, 6)));
    expect(report.shadowRoot?.querySelector('svg[part~=quality-series] polyline.trend')).not.toBeNull();
    expect(report.shadowRoot?.querySelector('svg[part~=quality-series] line.reference')).not.toBeNull();
    expect(partText(report, 'quality-over-time')).toMatch(/^Accuracy per 2 seconds latest 0\.\d{3} training baseline 0\.\d{3}/);
    // The text alternative: a row per bucket with predictions, drifted features, verdict, labels and accuracy.
    const rows = [...(report.shadowRoot?.querySelectorAll('[part~=series-table] tbody tr') ?? [])] as HTMLElement[];
    expect(rows[0].dataset.bucketVerdict).toBe('drift');
    const cells = rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()));
    expect(cells.map((c) => c[0])).toEqual([String(summer2014.length), String(year2013.length)]);
    expect(cells[0][1]).toMatch(/^\d of 6: .*temp_max/);
    expect(cells[1][1]).toBe('0 of 6');
    expect(cells.map((c) => c[4])).toEqual([String(summer2014.length), String(year2013.length)]);
    expect(cells.map((c) => Number(c[5]))).toEqual(accuracies.map((a) => Number(a.toFixed(3))));
    expect(report.series?.points.map((p) => p.predictions)).toEqual([summer2014.length, year2013.length]);

    // A bucket that would cut the window into too many is refused, in words.
    report.setAttribute('bucket', '1s');
    report.setAttribute('window', '1d');
    await until(() => report.status === 'error');
    expect(partText(report, 'error')).toContain('INPUT_INVALID');
  });
});

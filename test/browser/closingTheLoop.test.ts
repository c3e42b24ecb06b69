import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { WeatherRecord } from '../../src/demo/seattleWeather.ts';
import { DriftSummary } from '../../src/monitor/summary/DriftSummary.ts';
import { createEdgeRuntime, type EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { uniqueDbName, weather, withoutLabel } from './weatherData.ts';

/**
 * The loop end to end on the real weather data: v1 (trained on 2012–13) serves replayed days of 2014 and
 * the first half of 2015 on a device that gets their labels back → the summaries show the concept drift
 * and the accuracy drop → exported → `edgewatch retrain --when` on the labelled days through June 2015
 * → the gates pass → v3 published, signed, verified, promoted → the device picks it up → on the days
 * after (July–December 2015) it is right more often than v1 was. The refusals (a worse challenger, a
 * slice regression, a tampered candidate) are in test/unit/cli/retrain.test.ts.
 */
const between = (from: string, to: string) => weather.filter((d) => d.date >= from && d.date < to);
const GATES = [
  { metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true },
  { metric: 'accuracy', threshold: 0.75 },
  { metric: 'logLoss', minRelativeChange: -0.05 },
  { slices: 'month', metric: 'accuracy', maxDrop: 0.1, minRows: 20 },
];

const servers: string[] = [];
const runtimes: EdgeRuntime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.dispose();
  for (const id of servers.splice(0)) await commands.registryStop(id);
});

describe('closing the loop on the real weather data', () => {
  it('drift detected → summaries exported → retrain → gates → signed v3 → the device picks it up → accuracy recovers', { timeout: 240_000 }, async () => {
    const { id, url } = await commands.registryStart();
    servers.push(id);
    const cli = async (...argv: string[]) => {
      const result = await commands.loopCli(id, argv);
      expect(result.err, argv.join(' ')).toBe('');
      expect(result.code, argv.join(' ')).toBe(0);
      return result.out;
    };
    // The release key; the registry signed from the start (v1 re-released on stable), so devices pin it.
    await cli('keygen', '--out', '$WORK/release.jwk', '--kid', 'release');
    const publicKey = JSON.parse(await commands.loopRead(id, 'release.pub.jwk')) as JsonWebKey;
    await cli('promote', '$REGISTRY', '--name', 'weather', '--version', '1', '--channel', 'stable', '--sign', '$WORK/release.jwk');

    const windowMs = 2000;
    const rt = createEdgeRuntime({
      registry: url,
      publicKeys: [publicKey],
      backends: ['cpu'],
      dbName: uniqueDbName('loop'),
      windowMs,
      updateIntervalMs: 0,
      flushIntervalMs: 60_000,
    });
    runtimes.push(rt);
    const model = rt.model('weather');
    await model.ready();
    expect(model.version).toBe('1');

    /** Serves `days`, the labels coming back for each; returns the share answered right. */
    const serve = async (days: readonly WeatherRecord[], labels = true) => {
      const predictions = await model.predict(days.map(withoutLabel));
      if (labels) for (const [i, p] of predictions.entries()) await model.feedback(p.predictionId, days[i].weather);
      return { right: predictions.filter((p, i) => p.label === days[i].weather).length, versions: new Set(predictions.map((p) => p.version)) };
    };
    const nextWindow = async () => {
      const at = (Math.floor(Date.now() / windowMs) + 1) * windowMs;
      await new Promise((resolve) => setTimeout(resolve, at - Date.now() + 10));
      return at;
    };
    const t0 = Date.now();
    await serve(between('2014-01-01', '2015-01-01'));
    const t1 = await nextWindow();
    await serve(between('2015-01-01', '2015-07-01'));
    const t2 = await nextWindow();

    // Two windows, as two exports: 2014, and the first half of 2015.
    const summary2014 = await model.driftSummary({ window: { from: t0, to: t1 } });
    const summary2015 = await model.driftSummary({ window: { from: t1, to: t2 } });
    expect(summary2014?.report?.quality.labelled).toBe(365);
    expect(summary2015?.report?.quality.labelled).toBe(181);
    // the labelling changed (fog up, drizzle gone): concept drift on both
    expect(summary2014?.report?.quality.labelDrift?.verdict).toBe('drift');
    expect(summary2015?.report?.quality.conceptDrift).toBe(true);
    // and in 2015 the accuracy fell significantly below the training accuracy
    const change = summary2015?.report?.quality.accuracyChange;
    expect(change?.verdict).toBe('drift');
    expect(change?.difference).toBeLessThan(-0.05);
    for (const [name, s] of [
      ['2014.json', summary2014],
      ['2015-h1.json', summary2015],
    ] as const)
      await commands.loopWrite(id, `summaries/${name}`, JSON.stringify(DriftSummary.toJSON(s as DriftSummary)));

    // The pipeline: every labelled day so far (the training years and what the device saw), the last half year held out.
    await commands.loopWrite(
      id,
      'labelled.jsonl',
      `${between('2012-01-01', '2015-07-01')
        .map((d) => JSON.stringify(d))
        .join('\n')}\n`,
    );
    await commands.loopWrite(id, 'gates.json', JSON.stringify(GATES));
    const retrained = await cli(
      'retrain',
      '--registry',
      '$REGISTRY',
      '--name',
      'weather',
      '--data',
      '$WORK/labelled.jsonl',
      '--label',
      'weather',
      '--holdout-from',
      '2015-01-01',
      '--gates',
      '$WORK/gates.json',
      '--version',
      '3',
      '--sign',
      '$WORK/release.jwk',
      '--by',
      'loop test',
      '--when',
      '$WORK/summaries',
    );
    expect(retrained).toMatch(/^retraining: weather@1 over 2 summaries \(546 predictions\) crossed a drift threshold/);
    expect(retrained).toMatch(/^candidate weather@3 → .*\(parent 1; 1096 training, 181 holdout rows/m);
    expect(retrained).not.toMatch(/FAIL/);
    expect(await cli('verify', '$REGISTRY', '--key', '$WORK/release.pub.jwk')).toMatch(/signed, signature valid — ok$/);

    // What v1 would score on the days after (no labels: v1 is only measured here).
    const later = between('2015-07-01', '2016-01-01');
    const v1 = await serve(later, false);
    await cli('promote', '$REGISTRY', '--name', 'weather', '--version', '3', '--channel', 'stable', '--sign', '$WORK/release.jwk');
    await rt.checkForUpdates();
    expect(model.version).toBe('3');
    const v3 = await serve(later);
    expect([...v3.versions]).toEqual(['3']);
    // as measured in Node on the CPU backend: v1 right on 151 of the 184 days (0.821), v3 on 153 (0.832)
    expect(v3.right).toBeGreaterThan(v1.right);
    expect([v1.right, v3.right]).toEqual([151, 153]);
    const after = await model.driftSummary({ version: '3' });
    expect(after?.report?.quality.accuracy).toBe(v3.right / later.length);
  });
});

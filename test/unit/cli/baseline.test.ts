import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seattleWeatherPath } from '../../../src/demo/weatherData.node.ts';
import { bundledManifest, run, snapshot, tempDir, weatherModelDir } from './cliHarness.ts';

/** The weather v1 training rows (2012–2013) as a CSV file, straight from the pinned data set. */
function trainingCsv(): { path: string; rows: number } {
  const [header, ...lines] = readFileSync(seattleWeatherPath(), 'utf8').trim().split(/\r?\n/);
  const train = lines.filter((l) => /^(2012|2013)-/.test(l));
  const path = join(tempDir('data'), 'train.csv');
  writeFileSync(path, `${[header, ...train].join('\n')}\n`);
  return { path, rows: train.length };
}

describe('edgewatch baseline', () => {
  it('rebuilds the bundled weather v1 baseline from its training CSV (features, outputs and quality)', async () => {
    const dir = weatherModelDir(({ baseline: _b, ...m }) => m);
    const { path, rows } = trainingCsv();
    expect(rows).toBe(731);
    const out = join(tempDir('out'), 'edgewatch.json');
    const r = await run('baseline', dir, '--data', path, '--label', 'weather', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/baseline of 731 records \(6 feature columns\)/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    const { source: _s, ...expected } = bundledManifest.models.weather.versions['1'].baseline as NonNullable<unknown> as Record<string, unknown>;
    const { source, multivariate, reference, calibration, ...baseline } = written.baseline;
    expect(source).toBe('train.csv');
    // The bundled one was computed by scripts/build-registry.ts from the same rows, in memory (before the
    // multivariate model, the reference chunks and the calibration existed).
    const { multivariate: _m, reference: _r, calibration: _c, ...bundled } = expected;
    expect(baseline).toEqual(bundled);
    // and the reference chunks (10 of 73 rows) and the confidence calibration of the labelled rows
    expect(reference.chunkSize).toBe(73);
    expect(reference.estimatedAccuracy).toHaveLength(10);
    expect(calibration.counts.reduce((a: number, b: number) => a + b, 0)).toBe(731);
    expect(multivariate).toMatchObject({ schema: 'edgewatch.pca-reconstruction/v1', columns: Object.keys(written.baseline.features), chunkSize: 73 });
    // The rest of edgewatch.json is kept, and the model's own edgewatch.json was not touched (--out).
    expect(written.features).toEqual(bundledManifest.models.weather.versions['1'].features);
    expect(JSON.parse(readFileSync(join(dir, 'edgewatch.json'), 'utf8')).baseline).toBeUndefined();
    // It publishes, and the version carries the baseline.
    writeFileSync(join(dir, 'edgewatch.json'), readFileSync(out));
    const registry = tempDir('reg');
    expect((await run('publish', dir, '--registry', registry, '--name', 'weather')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8')).models.weather.versions['1'].baseline.rows).toBe(731);
  });

  it('refuses bad data and writes nothing: missing or unknown files, bad lines, records the spec rejects, unknown labels', async () => {
    const dir = weatherModelDir(({ baseline: _b, ...m }) => m);
    const data = tempDir('data');
    const file = (name: string, text: string) => {
      writeFileSync(join(data, name), text);
      return join(data, name);
    };
    const header = 'date,precipitation,temp_max,temp_min,wind,weather';
    const cases: [string[], 1 | 2, RegExp][] = [
      [['--data', join(data, 'absent.csv')], 2, /--data .*absent\.csv does not exist/],
      [['--data', file('rows.txt', 'x')], 2, /give a \.csv or \.jsonl file/],
      [['--data', file('short.csv', `${header}\n2012-01-01,0,12.8\n`)], 1, /INPUT_INVALID: .*short\.csv:2: 3 fields, the header has 6/],
      [['--data', file('bad.jsonl', '{"date":"2012-01-01"}\n{nope\n')], 1, /INPUT_INVALID: .*bad\.jsonl:2: not JSON/],
      [['--data', file('array.jsonl', '[1,2]\n')], 1, /INPUT_INVALID: .*array\.jsonl:1: not a JSON object/],
      [['--data', file('empty.csv', `${header}\n`)], 1, /INPUT_INVALID: .*holds no records/],
      [['--data', file('hot.csv', `${header}\n2012-01-01,0,99,5,2,sun\n`)], 1, /INPUT_INVALID/],
      [
        ['--data', file('hail.csv', `${header}\n2012-01-01,0,12,5,2,hail\n`), '--label', 'weather'],
        1,
        /INPUT_INVALID: record 0: label "hail" in "weather" is not one of the outputs/,
      ],
      [['--data', file('ok.csv', `${header}\n2012-01-01,0,12,5,2,sun\n`), '--bins', '1'], 2, /--bins must be an integer from 2 to 1000/],
    ];
    for (const [argv, code, message] of cases) {
      const before = snapshot(dir);
      const r = await run('baseline', dir, ...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    }
    const noSpec = tempDir('nospec');
    const r = await run('baseline', noSpec, '--data', join(data, 'ok.csv'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/MANIFEST_INVALID: .* has no edgewatch\.json \(edgewatch init/);
  });

  it('reads JSONL records with missing values and quoted CSV fields', async () => {
    const dir = weatherModelDir(({ baseline: _b, ...m }) => m);
    const data = tempDir('data');
    writeFileSync(
      join(data, 'days.jsonl'),
      '{"date":"2014-01-01","precipitation":0,"temp_max":7.2,"temp_min":3.3,"wind":null}\n\n{"date":"2014-07-01","precipitation":0.5,"temp_max":25,"temp_min":14,"wind":3.1}\n',
    );
    expect((await run('baseline', dir, '--data', join(data, 'days.jsonl'))).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'edgewatch.json'), 'utf8')).baseline.rows).toBe(2);
    writeFileSync(join(data, 'q.csv'), 'date,precipitation,temp_max,temp_min,wind,"note, quoted"\r\n"2014-01-01",0,7.2,3.3,,"a ""b"", c"\r\n');
    expect((await run('baseline', dir, '--data', join(data, 'q.csv'))).code).toBe(0);
    const baseline = JSON.parse(readFileSync(join(dir, 'edgewatch.json'), 'utf8')).baseline;
    expect(baseline.rows).toBe(1);
    // The empty wind cell was missing and imputed, as on the device: the wind column still saw one value.
    expect(baseline.features.wind.count).toBe(1);
  });
});

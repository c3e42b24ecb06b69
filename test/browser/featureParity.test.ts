import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { byYears } from '../../src/demo/seattleWeather.ts';
import { compile } from '../../src/features/compile.ts';
import type { FeatureSpec } from '../../src/features/FeatureSpec.ts';
import { fit } from '../../src/features/fit.ts';
import { weather } from './weatherData.ts';

/**
 * Every 2012–2015 weather day, with fields for every input type derived from the real values: the label as
 * a category, a sentence (with non-ASCII text and emoji) as text, and a 3-number vector.
 */
const records = weather.map((r, i) => ({
  ...r,
  month: r.date.slice(5, 7),
  note: `${r.weather.toUpperCase()} day: ${r.precipitation} mm, wind ${r.wind} m/s${r.precipitation > 10 ? ' — Regenmenge groß ☔' : ''}${i % 97 === 0 ? ' 😀 Ünïcode' : ''}`,
  frame: [r.temp_max, r.temp_min, r.precipitation],
}));

const spec: FeatureSpec = {
  schema: 'edgewatch.features/v1',
  inputs: [
    { name: 'date', type: 'timestamp' },
    { name: 'precipitation', type: 'number', min: 0 },
    { name: 'temp_max', type: 'number' },
    { name: 'wind', type: 'number', min: 0, max: 8, onInvalid: 'clip' },
    { name: 'weather', type: 'category' },
    { name: 'month', type: 'category' },
    { name: 'note', type: 'text' },
    { name: 'frame', type: 'number[]', length: 3 },
  ],
  features: [
    { name: 'dow', input: 'date', steps: [{ op: 'datePart', part: 'dayOfWeek', cyclical: true }] },
    { name: 'rain_q', input: 'precipitation', steps: [{ op: 'bucketize', buckets: 5, output: 'oneHot' }] },
    { name: 'rain_robust', input: 'precipitation', steps: [{ op: 'log1p' }, { op: 'robustScale' }] },
    { name: 'temp_bucket', input: 'temp_max', steps: [{ op: 'bucketize', buckets: 8 }, { op: 'minMax' }] },
    { name: 'wind', input: 'wind', steps: [{ op: 'impute', strategy: 'median' }, { op: 'standardize' }] },
    { name: 'weather', input: 'weather', steps: [{ op: 'oneHot', oov: true }] },
    { name: 'weather_hash', input: 'weather', steps: [{ op: 'hash', buckets: 7, seed: 3 }] },
    { name: 'weather_x_month', input: 'weather', steps: [{ op: 'cross', with: 'month', buckets: 32 }] },
    { name: 'note_len', input: 'note', steps: [{ op: 'textLength' }, { op: 'standardize' }] },
    { name: 'note_tokens', input: 'note', steps: [{ op: 'tokenHash', buckets: 16 }] },
    { name: 'frame', input: 'frame', steps: [{ op: 'robustScale' }, { op: 'passThrough' }] },
  ],
};

describe('Node and Chromium compute bit-identical features with every new transform', () => {
  it('fits the same parameters on 2012–2013 and transforms all 1,461 days to the same Float32 bits', async () => {
    const train = byYears(records, 2012, 2013);
    const inBrowser = fit(spec, train);
    const inNode = await commands.nodeFit(spec, train);
    expect(inBrowser).toEqual(inNode);

    const compiled = compile(inBrowser);
    expect(compiled.width).toBe(2 + 5 + 1 + 1 + 1 + 5 + 7 + 32 + 1 + 16 + 3);
    const browserValues = compiled.transform(records);
    const nodeValues = await commands.nodeFeatures(inBrowser, records);
    expect(browserValues.length).toBe(records.length * compiled.width);
    expect(nodeValues.length).toBe(browserValues.length);
    const mismatches = nodeValues.filter((v, i) => !Object.is(v, browserValues[i])).length;
    expect(mismatches).toBe(0);
    // Guard against a vacuous pass: the values vary, and the clipped wind was counted.
    expect(new Set(browserValues).size).toBeGreaterThan(100);
    expect(compiled.stats.inputs.wind.outOfRange).toBeGreaterThan(0);
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byYears, parseSeattleWeather } from '../../../src/demo/seattleWeather.ts';
import { compile } from '../../../src/features/compile.ts';
import type { FeatureSpec, RawRecord } from '../../../src/features/FeatureSpec.ts';
import { batchRows, isPackedRecords, packedTransfers, packRecords } from '../../../src/features/RecordBatch.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8')) as RegistryManifest;
const csv = readFileSync(new URL('../../../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url), 'utf8');
const days: RawRecord[] = parseSeattleWeather(csv).map(({ weather: _label, ...record }) => record);

/** Packs, then clones the way postMessage does (transferring the number block), as the worker receives it. */
function shipped(records: readonly RawRecord[]) {
  const packed = packRecords(records);
  if (!packed) return undefined;
  return structuredClone(packed, { transfer: packedTransfers(packed) });
}

/** Outcome of a transform: the features and repair counters, or the error it threw. */
function outcome(spec: FeatureSpec, batch: Parameters<ReturnType<typeof compile>['transform']>[0]) {
  const features = compile(spec);
  try {
    return { values: Array.from(features.transform(batch)), stats: features.takeStats() };
  } catch (error) {
    const { code, message, details } = error as { code: string; message: string; details: unknown };
    return { code, message, details };
  }
}

describe('packRecords', () => {
  it('packs numbers into one transferable block and anything else into arrays', () => {
    const packed = packRecords([
      { a: 1, b: 'x', c: 2 },
      { a: 3, b: 'y', c: null },
    ]);
    expect(packed && isPackedRecords(packed)).toBe(true);
    expect(packed?.names).toEqual(['a', 'b', 'c']);
    expect(packed?.columns[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(packed?.columns[0] as Float64Array)).toEqual([1, 3]);
    expect(packed?.columns[1]).toEqual(['x', 'y']);
    expect(packed?.columns[2]).toEqual([2, null]);
    expect(packedTransfers(packed!)).toHaveLength(1);
    expect(batchRows(packed!)).toBe(2);
  });

  it('leaves batches it cannot pack faithfully to plain cloning', () => {
    expect(packRecords([{ a: 1 }, null as unknown as RawRecord])).toBeUndefined();
    expect(packRecords([{ a: 1 }, [1, 2] as unknown as RawRecord])).toBeUndefined();
    expect(packRecords([new Date(0) as unknown as RawRecord])).toBeUndefined();
    // A record without `toString` would read Object.prototype's function from a packed column.
    expect(packRecords([{ toString: 1 }, {}])).toBeUndefined();
    expect(packRecords([JSON.parse('{"__proto__": 1}')])).toBeUndefined();
    // Objects without a prototype are plain enough.
    expect(packRecords([Object.assign(Object.create(null), { a: 1 })])?.names).toEqual(['a']);
  });

  it('gives the worker bit-identical features for every real Seattle day (weather v1 spec)', () => {
    const spec = manifest.models.weather.versions['1'].features;
    const batch = shipped(days);
    expect(batch?.rows).toBe(1461);
    expect(outcome(spec, batch!)).toEqual(outcome(spec, days));
    const year = byYears(parseSeattleWeather(csv), 2014).map(({ weather: _label, ...record }) => record);
    expect(outcome(spec, shipped(year)!)).toEqual(outcome(spec, year));
  });

  it('reads exactly what the records hold: same features, counters and errors for messy input', () => {
    const value = fc.oneof(
      fc.double({ min: -100, max: 100, noDefaultInfinity: true }),
      fc.constantFrom(null, undefined, Number.NaN, Infinity, true, '2014-02-03', 'rain', 'sun', '', 'x'),
    );
    const record = fc.dictionary(fc.constantFrom('n', 'm', 'c', 't', 'b', 'extra'), value, { maxKeys: 6 });
    const specs: FeatureSpec[] = [
      {
        schema: 'edgewatch.features/v1',
        inputs: [
          { name: 'n', type: 'number', min: -50, max: 50, onInvalid: 'clip' },
          { name: 'm', type: 'number', nullable: true },
          { name: 'c', type: 'category', values: ['rain', 'sun'], onInvalid: 'impute' },
          { name: 't', type: 'timestamp', onInvalid: 'impute' },
          { name: 'b', type: 'boolean', required: false },
        ],
        features: [
          { name: 'n', input: 'n', steps: [{ op: 'impute', strategy: 'constant', value: 0 }] },
          { name: 'm', input: 'm', steps: [{ op: 'impute', strategy: 'constant', value: -1 }] },
          { name: 'c', input: 'c', steps: [{ op: 'oneHot', vocabulary: ['rain', 'sun'], oov: true }] },
          { name: 't', input: 't', steps: [{ op: 'impute', strategy: 'constant', value: 0 }] },
          { name: 'b', input: 'b', steps: [{ op: 'impute', strategy: 'constant', value: 0 }] },
        ],
        fitted: true,
      },
      {
        schema: 'edgewatch.features/v1',
        inputs: [
          { name: 'n', type: 'number' },
          { name: 'c', type: 'category' },
        ],
        features: [
          { name: 'n', input: 'n', steps: [] },
          { name: 'c', input: 'c', steps: [{ op: 'hash', buckets: 8 }] },
        ],
        fitted: true,
      },
    ];
    for (const spec of specs) compile(spec); // a typo in a spec fails here, not as a vacuous property
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), fc.constantFrom(...specs), (records, spec) => {
        const batch = shipped(records);
        if (!batch) return; // not packable: sent as records, nothing to compare
        expect(outcome(spec, batch)).toEqual(outcome(spec, structuredClone(records)));
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/features/compile.ts';
import type { BucketizeStep, FeatureSpec, InputSpec, TransformStep } from '../../../src/features/FeatureSpec.ts';
import { fit } from '../../../src/features/fit.ts';
import { fnv1a } from '../../../src/features/fnv1a.ts';
import { readColumn } from '../../../src/features/readColumn.ts';
import { datePartOf } from '../../../src/features/transforms/datePart.ts';

const one = (input: InputSpec, steps: TransformStep[]): FeatureSpec => ({
  schema: 'edgewatch.features/v1',
  inputs: [input],
  features: [{ name: 'f', input: input.name, steps }],
});
const num: InputSpec = { name: 'x', type: 'number' };
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
/** Columns with some spread: standardizing a constant column is defined separately (std 1). */
const spread = fc.array(finite, { minLength: 2, maxLength: 200 }).filter((xs) => Math.max(...xs) - Math.min(...xs) > 1e-3);

/** Fits on `xs` and returns the transformed `xs` in double precision (the Float32 batch would hide the maths). */
function fittedValues(steps: TransformStep[], xs: number[]): { spec: FeatureSpec; out: Float32Array } {
  const spec = fit(
    one(num, steps),
    xs.map((x) => ({ x })),
  );
  return { spec, out: compile(spec).transform(xs.map((x) => ({ x }))) };
}

describe('properties', () => {
  it('standardize of the fitted data has mean 0 and sd 1', () => {
    fc.assert(
      fc.property(spread, (xs) => {
        const { spec } = fittedValues([{ op: 'standardize' }], xs);
        const { mean, std } = spec.features[0].steps[0] as { mean: number; std: number };
        const z = xs.map((x) => (x - mean) / std);
        const m = z.reduce((a, b) => a + b, 0) / z.length;
        const sd = Math.sqrt(z.reduce((a, b) => a + (b - m) ** 2, 0) / z.length);
        expect(Math.abs(m)).toBeLessThan(1e-6);
        expect(Math.abs(sd - 1)).toBeLessThan(1e-6);
      }),
    );
  });

  it('the compiled (Float32) standardize output agrees with the double-precision formula', () => {
    fc.assert(
      fc.property(spread, (xs) => {
        const { spec, out } = fittedValues([{ op: 'standardize' }], xs);
        const { mean, std } = spec.features[0].steps[0] as { mean: number; std: number };
        xs.forEach((x, i) => {
          expect(out[i]).toBe(Math.fround((x - mean) / std));
        });
      }),
    );
  });

  it('minMax maps the fitted data into [0, 1], hitting both ends', () => {
    fc.assert(
      fc.property(spread, (xs) => {
        const { out } = fittedValues([{ op: 'minMax' }], xs);
        expect(Math.min(...out)).toBe(0);
        expect(Math.max(...out)).toBe(1);
      }),
    );
  });

  it('robustScale of the fitted data has median 0', () => {
    fc.assert(
      fc.property(spread, (xs) => {
        const { spec } = fittedValues([{ op: 'robustScale' }], xs);
        const { median, iqr } = spec.features[0].steps[0] as { median: number; iqr: number };
        const sorted = xs.map((x) => (x - median) / iqr).sort((a, b) => a - b);
        const mid = sorted.length >> 1;
        const med = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        // Relative to the scaled values' size: the interpolated median and (a + b) / 2 may differ in the last bit.
        expect(Math.abs(med)).toBeLessThan(1e-9 * Math.max(1, Math.abs(sorted[0]), Math.abs(sorted[sorted.length - 1])));
      }),
    );
  });

  it('one-hot has exactly one 1 per row (with an OOV column), whatever the categories', () => {
    const word = fc.string({ maxLength: 6 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), fc.array(word, { minLength: 1, maxLength: 30 }), (train, serve) => {
        const spec = fit(
          one({ name: 'c', type: 'category' }, [{ op: 'oneHot', oov: true }]),
          train.map((c) => ({ c })),
        );
        const compiled = compile(spec);
        const out = compiled.transform(serve.map((c) => ({ c })));
        for (let r = 0; r < serve.length; r++) {
          const row = out.subarray(r * compiled.width, (r + 1) * compiled.width);
          expect(row.filter((v) => v === 1).length).toBe(1);
          expect(row.filter((v) => v !== 0 && v !== 1).length).toBe(0);
        }
      }),
    );
  });

  it('hashing is stable across compiles and always in range; cross and hash write exactly one 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 97 }),
        fc.nat(),
        (values, buckets, seed) => {
          const index = one({ name: 'c', type: 'category' }, [{ op: 'hash', buckets, seed, output: 'index' }]);
          const records = values.map((c) => ({ c }));
          const first = Array.from(compile(index).transform(records));
          const second = Array.from(compile(structuredClone(index)).transform(records));
          expect(second).toEqual(first);
          for (const b of first) {
            expect(Number.isInteger(b)).toBe(true);
            expect(b).toBeGreaterThanOrEqual(0);
            expect(b).toBeLessThan(buckets);
          }
          if (seed === 0)
            values.forEach((v, i) => {
              expect(first[i]).toBe(fnv1a(v) % buckets);
            });
          const crossed: FeatureSpec = {
            schema: 'edgewatch.features/v1',
            inputs: [
              { name: 'c', type: 'category' },
              { name: 'd', type: 'category' },
            ],
            features: [{ name: 'x', input: 'c', steps: [{ op: 'cross', with: 'd', buckets, seed }] }],
          };
          const out = compile(crossed).transform(values.map((c, i) => ({ c, d: values[(i + 1) % values.length] })));
          for (let r = 0; r < values.length; r++) expect(out.subarray(r * buckets, (r + 1) * buckets).reduce((a, b) => a + b, 0)).toBe(1);
        },
      ),
    );
  });

  it('token hashing: counts sum to the token count, and are stable', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 32 }), (t, buckets) => {
        const hashed = compile(one({ name: 't', type: 'text' }, [{ op: 'tokenHash', buckets }]));
        const length = compile(one({ name: 't', type: 'text' }, [{ op: 'textLength', unit: 'tokens' }]));
        const counts = Array.from(hashed.transform([{ t }]));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(length.transform([{ t }])[0]);
        expect(Array.from(compile(one({ name: 't', type: 'text' }, [{ op: 'tokenHash', buckets }])).transform([{ t }]))).toEqual(counts);
      }),
    );
  });

  it('bucketize is monotone: x <= y implies bucket(x) <= bucket(y), for fitted and given boundaries', () => {
    fc.assert(
      fc.property(spread, fc.integer({ min: 2, max: 12 }), finite, finite, (train, buckets, a, b) => {
        const spec = fit(
          one(num, [{ op: 'bucketize', buckets }]),
          train.map((x) => ({ x })),
        );
        const boundaries = (spec.features[0].steps[0] as BucketizeStep).boundaries ?? [];
        for (let i = 1; i < boundaries.length; i++) expect(boundaries[i]).toBeGreaterThan(boundaries[i - 1]);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const [bl, bh] = compile(spec).transform([{ x: lo }, { x: hi }]);
        expect(bl).toBeLessThanOrEqual(bh);
        expect(bh).toBeLessThanOrEqual(boundaries.length);
      }),
    );
  });

  it('clip output always lies in [min, max]', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 50 }), finite, finite, (xs, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const out = compile(one(num, [{ op: 'clip', min, max }])).transform(xs.map((x) => ({ x })));
        for (const v of out) {
          expect(v).toBeGreaterThanOrEqual(Math.fround(min));
          expect(v).toBeLessThanOrEqual(Math.fround(max));
        }
      }),
    );
  });
});

describe('date arithmetic without Date objects agrees with Date', () => {
  // The ECMAScript time range less a year at each end, where the reference's 1 January is out of range.
  const DATE_RANGE = 8.64e15 - 366 * 86_400_000;
  it('datePartOf gives the getUTC* values for any time', () => {
    fc.assert(
      // Half the runs in years 0–200, where Date.UTC's two-digit-year rule would bite.
      fc.property(fc.oneof(fc.integer({ min: -DATE_RANGE, max: DATE_RANGE }), fc.integer({ min: -62_167_219_200_000, max: -55_853_683_200_000 })), (ms) => {
        const date = new Date(ms);
        expect(datePartOf(ms, 'month')).toBe(date.getUTCMonth());
        expect(datePartOf(ms, 'dayOfWeek')).toBe(date.getUTCDay());
        expect(datePartOf(ms, 'hour')).toBe(date.getUTCHours());
        // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999 (a bug the old Date-based code had).
        const jan1 = new Date(0);
        jan1.setUTCFullYear(date.getUTCFullYear(), 0, 1);
        expect(datePartOf(ms, 'dayOfYear')).toBe(Math.floor((ms - jan1.getTime()) / 86_400_000));
      }),
      { numRuns: 5000 },
    );
  });

  it('reading YYYY-MM-DD strings gives what Date.parse gives for real days; a day the month does not have is INPUT_INVALID', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const input: InputSpec = { name: 't', type: 'timestamp', nullable: true };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        // A real calendar day is one the Date object does not roll over.
        const probe = new Date(0);
        probe.setUTCFullYear(y, m - 1, d);
        const real = m >= 1 && m <= 12 && probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
        if (!real) {
          expect(() => readColumn(input, [{ t: text }])).toThrow(/timestamp/);
        } else {
          expect((readColumn(input, [{ t: text }]) as Float64Array)[0]).toBe(Date.parse(text));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('2014-02-30 (also with a time) and hour 25 are not timestamps; 2016-02-29 is', () => {
    const input: InputSpec = { name: 't', type: 'timestamp' };
    for (const text of ['2014-02-30', '2014-02-30T10:00:00Z', '2014-04-31 08:00', '2015-02-29', '2014-01-01T25:00:00Z', '2014-01-01T10:61:00Z']) {
      const error = (() => {
        try {
          readColumn(input, [{ t: text }]);
        } catch (e) {
          return e as { code: string; details: { field: string } };
        }
        throw new Error(`${text} was read`);
      })();
      expect(error.code, text).toBe('INPUT_INVALID');
      expect(error.details.field).toBe('t');
    }
    expect((readColumn(input, [{ t: '2016-02-29' }]) as Float64Array)[0]).toBe(Date.UTC(2016, 1, 29));
    expect((readColumn(input, [{ t: '2016-02-29T12:00:00Z' }]) as Float64Array)[0]).toBe(Date.UTC(2016, 1, 29, 12));
  });

  it('a field named like an Object.prototype member reads only the record’s own value', () => {
    const input: InputSpec = { name: 'constructor', type: 'number', nullable: true };
    const column = readColumn(input, [{}, { constructor: 2 }] as never) as Float64Array;
    expect(Number.isNaN(column[0])).toBe(true);
    expect(column[1]).toBe(2);
  });
});

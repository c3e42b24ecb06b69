import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/features/compile.ts';
import { fit } from '../../../src/features/fit.ts';
import type { FeatureSpec, RawRecord } from '../../../src/features/FeatureSpec.ts';
import { EdgewatchError } from '../../../src/errors.ts';

const spec = (features: FeatureSpec['features'], inputs: FeatureSpec['inputs']): FeatureSpec => ({ schema: 'edgewatch.features/v1', inputs, features });
const rows = (key: string, values: unknown[]): RawRecord[] => values.map((v) => ({ [key]: v }));
const run = (s: FeatureSpec, records: RawRecord[]) => Array.from(compile(s).transform(records));

describe('transforms: fit and apply against hand-computed values', () => {
  it('standardize uses the population mean and sd', () => {
    // x = 2, 4, 4, 4, 5, 5, 7, 9 → mean 5, population sd 2 (the textbook example).
    const fitted = fit(spec([{ name: 'x', input: 'x', steps: [{ op: 'standardize' }] }], [{ name: 'x', type: 'number' }]), rows('x', [2, 4, 4, 4, 5, 5, 7, 9]));
    expect(fitted.features[0].steps[0]).toEqual({ op: 'standardize', mean: 5, std: 2 });
    expect(run(fitted, rows('x', [5, 9, 1]))).toEqual([0, 2, -2]);
  });

  it('log1p then standardize is fitted on the log values', () => {
    const e1 = Math.E - 1;
    const fitted = fit(spec([{ name: 'p', input: 'p', steps: [{ op: 'log1p' }, { op: 'standardize' }] }], [{ name: 'p', type: 'number' }]), rows('p', [0, e1]));
    const step = fitted.features[0].steps[1] as { mean: number; std: number };
    expect(step.mean).toBeCloseTo(0.5, 12);
    expect(step.std).toBeCloseTo(0.5, 12);
    expect(run(fitted, rows('p', [0, e1]))).toEqual([-1, 1]);
  });

  it('minMax maps the training range to [0, 1]', () => {
    const fitted = fit(spec([{ name: 'x', input: 'x', steps: [{ op: 'minMax' }] }], [{ name: 'x', type: 'number' }]), rows('x', [10, 20, 30]));
    expect(run(fitted, rows('x', [10, 15, 30, 40]))).toEqual([0, 0.25, 1, 1.5]);
  });

  it('clip clamps', () => {
    const s = spec([{ name: 'x', input: 'x', steps: [{ op: 'clip', min: -1, max: 1 }] }], [{ name: 'x', type: 'number' }]);
    expect(run(s, rows('x', [-5, 0.5, 7]))).toEqual([-1, 0.5, 1]);
  });

  it('impute median fills missing values of a nullable input', () => {
    const s = spec([{ name: 'w', input: 'w', steps: [{ op: 'impute', strategy: 'median' }] }], [{ name: 'w', type: 'number', nullable: true }]);
    const fitted = fit(s, rows('w', [1, null, 3, 10]));
    expect(fitted.features[0].steps[0]).toEqual({ op: 'impute', strategy: 'median', value: 3 });
    expect(run(fitted, rows('w', [null, 2, undefined]))).toEqual([3, 2, 3]);
  });

  it('impute mean and constant', () => {
    const mean = fit(
      spec([{ name: 'w', input: 'w', steps: [{ op: 'impute', strategy: 'mean' }] }], [{ name: 'w', type: 'number', nullable: true }]),
      rows('w', [1, null, 5]),
    );
    expect(run(mean, rows('w', [null]))).toEqual([3]);
    const constant = fit(
      spec([{ name: 'w', input: 'w', steps: [{ op: 'impute', strategy: 'constant', value: -1 }] }], [{ name: 'w', type: 'number', nullable: true }]),
      rows('w', [1]),
    );
    expect(run(constant, rows('w', [null]))).toEqual([-1]);
  });

  it('datePart dayOfYear cyclical: 1 Jan → (0, 1); the phase is UTC', () => {
    const s = spec([{ name: 'd', input: 'd', steps: [{ op: 'datePart', part: 'dayOfYear', cyclical: true }] }], [{ name: 'd', type: 'timestamp' }]);
    const out = run(s, rows('d', ['2014-01-01', Date.UTC(2014, 0, 1) + 183 * 86_400_000]));
    expect(out.slice(0, 2)).toEqual([0, 1]);
    expect(out[2]).toBeCloseTo(Math.fround(Math.sin((2 * Math.PI * 183) / 366)), 7);
    expect(out[3]).toBeCloseTo(Math.fround(Math.cos((2 * Math.PI * 183) / 366)), 7);
    expect(compile(s).columns).toEqual(['d.sin', 'd.cos']);
  });

  it('datePart month / dayOfWeek / hour as plain numbers', () => {
    const inputs = [{ name: 'd', type: 'timestamp' as const }];
    const at = Date.UTC(2015, 6, 4, 13); // Saturday 4 July 2015, 13:00 UTC
    expect(run(spec([{ name: 'm', input: 'd', steps: [{ op: 'datePart', part: 'month' }] }], inputs), rows('d', [at]))).toEqual([6]);
    expect(run(spec([{ name: 'w', input: 'd', steps: [{ op: 'datePart', part: 'dayOfWeek' }] }], inputs), rows('d', [at]))).toEqual([6]);
    expect(run(spec([{ name: 'h', input: 'd', steps: [{ op: 'datePart', part: 'hour' }] }], inputs), rows('d', [at]))).toEqual([13]);
  });

  it('oneHot: sorted vocabulary from training, exactly one 1 per row, OOV column', () => {
    const s = spec([{ name: 'c', input: 'c', steps: [{ op: 'oneHot', oov: true }] }], [{ name: 'c', type: 'category' }]);
    const fitted = fit(s, rows('c', ['sun', 'rain', 'sun', 'fog']));
    expect(compile(fitted).columns).toEqual(['c=fog', 'c=rain', 'c=sun', 'c=<oov>']);
    expect(run(fitted, rows('c', ['rain', 'snow']))).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('lays several features out row-major in spec order', () => {
    const s = fit(
      spec(
        [
          { name: 'a', input: 'a', steps: [{ op: 'minMax' }] },
          { name: 'c', input: 'c', steps: [{ op: 'oneHot' }] },
        ],
        [
          { name: 'a', type: 'number' },
          { name: 'c', type: 'category' },
        ],
      ),
      [
        { a: 0, c: 'x' },
        { a: 10, c: 'y' },
      ],
    );
    expect(
      run(s, [
        { a: 5, c: 'y' },
        { a: 10, c: 'x' },
      ]),
    ).toEqual([0.5, 0, 1, 1, 1, 0]);
  });
});

describe('input validation', () => {
  const s = spec(
    [
      { name: 'n', input: 'n', steps: [{ op: 'clip', min: 0, max: 1 }] },
      { name: 't', input: 't', steps: [{ op: 'datePart', part: 'month' }] },
      { name: 'c', input: 'c', steps: [{ op: 'oneHot', vocabulary: ['a'], oov: true }] },
      { name: 'b', input: 'b', steps: [{ op: 'clip', min: 0, max: 1 }] },
    ],
    [
      { name: 'n', type: 'number', min: 0, max: 100 },
      { name: 't', type: 'timestamp' },
      { name: 'c', type: 'category' },
      { name: 'b', type: 'boolean' },
    ],
  );
  const good = { n: 1, t: '2014-01-01', c: 'a', b: true };
  const cases: [string, RawRecord, string, RegExp][] = [
    ['missing number', { ...good, n: undefined }, 'n', /missing/],
    ['string for a number', { ...good, n: '3' }, 'n', /not a number/],
    ['NaN', { ...good, n: Number.NaN }, 'n', /finite/],
    ['Infinity', { ...good, n: Infinity }, 'n', /finite/],
    ['out of range', { ...good, n: 101 }, 'n', /outside/],
    ['bad timestamp', { ...good, t: 'yesterday' }, 't', /timestamp/],
    ['missing category', { ...good, c: null }, 'c', /missing/],
    ['object for a category', { ...good, c: { x: 1 } }, 'c', /not a category/],
    ['number for a boolean', { ...good, b: 1 }, 'b', /not a boolean/],
  ];
  it.each(cases)('%s → INPUT_INVALID naming the field', (_label, record, field, reason) => {
    const transform = compile(s).transform;
    expect(transform([good])).toHaveLength(compile(s).width);
    let caught: unknown;
    try {
      transform([good, record]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EdgewatchError);
    const error = caught as EdgewatchError;
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details.field).toBe(field);
    expect(error.details.row).toBe(1);
    expect(String(error.details.reason)).toMatch(reason);
  });

  it('refuses an unfitted spec and an expanding step that is not last', () => {
    expect(() => compile(spec([{ name: 'x', input: 'x', steps: [{ op: 'standardize' }] }], [{ name: 'x', type: 'number' }]))).toThrow(/not fitted/);
    expect(() =>
      compile(
        spec(
          [
            {
              name: 'd',
              input: 'd',
              steps: [
                { op: 'datePart', part: 'month' },
                { op: 'clip', min: 0, max: 1 },
              ],
            },
          ],
          [{ name: 'd', type: 'timestamp' }],
        ),
      ),
    ).toThrow(/last step/);
  });

  it('reuses its buffer and honours a caller-provided one', () => {
    const s2 = spec([{ name: 'n', input: 'n', steps: [{ op: 'clip', min: 0, max: 9 }] }], [{ name: 'n', type: 'number' }]);
    const { transform } = compile(s2);
    const first = transform(rows('n', [1, 2]));
    const second = transform(rows('n', [3, 4]));
    expect(first.buffer).toBe(second.buffer);
    const out = new Float32Array(4);
    expect(transform(rows('n', [5, 6]), out)).toBe(out);
    expect(Array.from(out)).toEqual([5, 6, 0, 0]);
  });
});

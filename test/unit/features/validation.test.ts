import { describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../../src/errors.ts';
import { compile } from '../../../src/features/compile.ts';
import type { FeatureSpec, InputSpec, RawRecord } from '../../../src/features/FeatureSpec.ts';

function caught(fn: () => unknown): EdgewatchError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgewatchError);
    return error as EdgewatchError;
  }
  throw new Error('expected a throw');
}

/** One feature per input type, every input strict (the default `reject` policy). */
const strict: FeatureSpec = {
  schema: 'edgewatch.features/v1',
  inputs: [
    { name: 'n', type: 'number', min: 0, max: 100 },
    { name: 't', type: 'timestamp', min: Date.UTC(2000, 0, 1) },
    { name: 'c', type: 'category', values: ['a', 'b'] },
    { name: 'b', type: 'boolean' },
    { name: 'x', type: 'text' },
    { name: 'v', type: 'number[]', length: 2, min: -1, max: 1 },
  ],
  features: [
    { name: 'n', input: 'n', steps: [] },
    { name: 't', input: 't', steps: [{ op: 'datePart', part: 'month' }] },
    { name: 'c', input: 'c', steps: [{ op: 'oneHot', vocabulary: ['a', 'b'], oov: true }] },
    { name: 'b', input: 'b', steps: [] },
    { name: 'x', input: 'x', steps: [{ op: 'textLength' }] },
    { name: 'v', input: 'v', steps: [{ op: 'passThrough' }] },
  ],
};
const good = { n: 1, t: '2014-01-01', c: 'a', b: true, x: 'hi', v: [0, 0.5] };

describe('invalid input for every input type → INPUT_INVALID naming field, row and reason', () => {
  const cases: [string, RawRecord, string, RegExp][] = [
    ['number: missing', { ...good, n: undefined }, 'n', /missing/],
    ['number: a string', { ...good, n: '3' }, 'n', /not a number/],
    ['number: NaN', { ...good, n: Number.NaN }, 'n', /finite/],
    ['number: above max', { ...good, n: 101 }, 'n', /outside \[0, 100\]/],
    ['timestamp: unparsable', { ...good, t: 'yesterday' }, 't', /timestamp/],
    ['timestamp: below min', { ...good, t: '1999-12-31' }, 't', /outside/],
    ['timestamp: an object', { ...good, t: { when: 1 } }, 't', /timestamp/],
    ['category: missing', { ...good, c: null }, 'c', /missing/],
    ['category: an object', { ...good, c: ['a'] }, 'c', /not a category/],
    ['category: not an allowed value', { ...good, c: 'z' }, 'c', /allowed values/],
    ['boolean: a number', { ...good, b: 1 }, 'b', /not a boolean/],
    ['boolean: missing', { ...good, b: undefined }, 'b', /missing/],
    ['text: a number', { ...good, x: 42 }, 'x', /not text/],
    ['text: missing', { ...good, x: null }, 'x', /missing/],
    ['number[]: wrong length', { ...good, v: [1] }, 'v', /array of 2 numbers/],
    ['number[]: not an array', { ...good, v: '1,2' }, 'v', /array of 2 numbers/],
    ['number[]: a non-finite element', { ...good, v: [0, Infinity] }, 'v', /element 1 is not a finite number/],
    ['number[]: a string element', { ...good, v: [0, '1'] }, 'v', /element 1 is not a finite number/],
    ['number[]: an element out of range', { ...good, v: [2, 0] }, 'v', /element 0 is outside \[-1, 1\]/],
    ['number[]: missing', { ...good, v: undefined }, 'v', /missing/],
  ];
  it.each(cases)('%s', (_label, record, field, reason) => {
    const compiled = compile(strict);
    expect(compiled.transform([good])).toHaveLength(compiled.width);
    const error = caught(() => compiled.transform([good, record]));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details.field).toBe(field);
    expect(error.details.row).toBe(1);
    expect(String(error.details.reason)).toMatch(reason);
  });

  it('a record that is not an object', () => {
    const error = caught(() => compile(strict).transform([good, null as unknown as RawRecord]));
    expect(error.details.reason).toBe('record is not an object');
  });

  it('a rejected batch adds nothing to the counters', () => {
    const compiled = compile(strict);
    compiled.transform([good]);
    expect(() => compiled.transform([{ ...good, n: 50, c: 'z' }])).toThrow();
    expect(compiled.stats.rows).toBe(1);
    expect(compiled.stats.inputs.c.unseen).toBe(0);
  });
});

describe('repair policies and their counters', () => {
  const spec: FeatureSpec = {
    schema: 'edgewatch.features/v1',
    inputs: [
      { name: 'temp', type: 'number', min: -60, max: 60, onInvalid: 'clip' },
      { name: 'wind', type: 'number', min: 0, max: 100, onInvalid: 'impute' },
      { name: 'kind', type: 'category', values: ['rain', 'sun'], onInvalid: 'impute' },
      { name: 'note', type: 'text', nullable: true },
      { name: 'emb', type: 'number[]', length: 2, min: 0, max: 1, onInvalid: 'clip' },
    ],
    features: [
      { name: 'temp', input: 'temp', steps: [{ op: 'impute', strategy: 'constant', value: 10 }] },
      { name: 'wind', input: 'wind', steps: [{ op: 'impute', strategy: 'constant', value: 5 }] },
      { name: 'kind', input: 'kind', steps: [{ op: 'oneHot', vocabulary: ['rain', 'sun'], oov: true }] },
      { name: 'note', input: 'note', steps: [{ op: 'textLength' }, { op: 'impute', strategy: 'constant', value: 0 }] },
      { name: 'emb', input: 'emb', steps: [{ op: 'impute', strategy: 'constant', value: 0.5 }, { op: 'passThrough' }] },
    ],
  };
  const ok = { temp: 20, wind: 3, kind: 'sun', note: 'x', emb: [0.25, 0.75] };

  it('clip clamps out-of-range numbers (and elements); impute turns violations into missing', () => {
    const compiled = compile(spec);
    const out = Array.from(
      compiled.transform([
        ok,
        { ...ok, temp: 75, wind: 150, kind: 'snow', note: null, emb: [2, -1] },
        { ...ok, temp: 'hot', wind: undefined, kind: 7, emb: [0.5, Number.NaN] },
        { ...ok, temp: null, emb: 'broken' },
      ]),
    );
    const row = (i: number) => out.slice(i * 8, (i + 1) * 8);
    expect(row(0)).toEqual([20, 3, 0, 1, 0, 1, 0.25, 0.75]);
    expect(row(1)).toEqual([60, 5, 0, 0, 1, 0, 1, 0]);
    expect(row(2)).toEqual([10, 5, 0, 0, 1, 1, 0.5, 0.5]);
    expect(row(3)).toEqual([10, 3, 0, 1, 0, 1, 0.5, 0.5]);
    expect(compiled.stats).toEqual({
      rows: 4,
      inputs: {
        temp: { missing: 1, invalid: 1, outOfRange: 1, unseen: 0, repaired: 3 },
        wind: { missing: 1, invalid: 0, outOfRange: 1, unseen: 0, repaired: 2 },
        kind: { missing: 0, invalid: 0, outOfRange: 0, unseen: 2, repaired: 2 },
        note: { missing: 1, invalid: 0, outOfRange: 0, unseen: 0, repaired: 0 }, // nullable: counted, not a repair
        emb: { missing: 0, invalid: 2, outOfRange: 1, unseen: 0, repaired: 3 },
      },
      oov: { kind: 0 }, // unseen values were repaired to missing before one-hot saw them
    });
  });

  it('takeStats returns the counts and starts again from zero', () => {
    const compiled = compile(spec);
    compiled.transform([{ ...ok, wind: 500 }]);
    const taken = compiled.takeStats();
    expect(taken.rows).toBe(1);
    expect(taken.inputs.wind.outOfRange).toBe(1);
    expect(compiled.stats.rows).toBe(0);
    expect(compiled.stats.inputs.wind.outOfRange).toBe(0);
    compiled.transform([ok, ok]);
    expect(compiled.stats.rows).toBe(2);
    expect(taken.rows).toBe(1);
  });

  it('one-hot counts categories outside its vocabulary as OOV', () => {
    const s: FeatureSpec = {
      schema: 'edgewatch.features/v1',
      inputs: [{ name: 'c', type: 'category', nullable: true }],
      features: [{ name: 'c', input: 'c', steps: [{ op: 'oneHot', vocabulary: ['a'], oov: true }] }],
    };
    const compiled = compile(s);
    compiled.transform([{ c: 'a' }, { c: 'b' }, { c: null }, { c: 'z' }]);
    expect(compiled.stats.oov).toEqual({ c: 2 });
    expect(compiled.stats.inputs.c.missing).toBe(1);
  });

  it('counts an input read by two features once per record', () => {
    const s: FeatureSpec = {
      schema: 'edgewatch.features/v1',
      inputs: [{ name: 'x', type: 'number', max: 1, onInvalid: 'clip' }],
      features: [
        { name: 'a', input: 'x', steps: [{ op: 'impute', strategy: 'constant', value: 0 }] },
        { name: 'b', input: 'x', steps: [{ op: 'impute', strategy: 'constant', value: 0 }, { op: 'log1p' }] },
      ],
    };
    const compiled = compile(s);
    compiled.transform([{ x: 5 }]);
    expect(compiled.stats.inputs.x.outOfRange).toBe(1);
  });

  it('a repairing numeric input must be imputed first, or NaN would reach the model', () => {
    const s: FeatureSpec = {
      schema: 'edgewatch.features/v1',
      inputs: [{ name: 'x', type: 'number', onInvalid: 'impute' } satisfies InputSpec],
      features: [{ name: 'x', input: 'x', steps: [{ op: 'log1p' }] }],
    };
    expect(() => compile(s)).toThrow(/first step must be impute/);
    expect(() => compile({ ...s, inputs: [{ name: 'x', type: 'number', onInvalid: 'fix' as 'clip' }] })).toThrow(/unknown onInvalid/);
  });
});

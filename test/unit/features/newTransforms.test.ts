import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/features/compile.ts';
import type { BucketizeStep, FeatureSpec, InputSpec, RawRecord, TransformStep } from '../../../src/features/FeatureSpec.ts';
import { fit } from '../../../src/features/fit.ts';
import { fnv1a } from '../../../src/features/fnv1a.ts';
import { countCodePoints, countTokens } from '../../../src/features/tokens.ts';

const one = (input: InputSpec, steps: TransformStep[], extra: InputSpec[] = []): FeatureSpec => ({
  schema: 'edgewatch.features/v1',
  inputs: [input, ...extra],
  features: [{ name: 'f', input: input.name, steps }],
});
const rows = (key: string, values: unknown[]): RawRecord[] => values.map((v) => ({ [key]: v }));
const run = (s: FeatureSpec, records: RawRecord[]) => Array.from(compile(s).transform(records));
const num: InputSpec = { name: 'x', type: 'number' };
const cat: InputSpec = { name: 'c', type: 'category' };
const text: InputSpec = { name: 't', type: 'text' };

describe('fnv1a: the published FNV-1a 32-bit test vectors, over UTF-8', () => {
  it('matches reference values (computed independently with Python over str.encode())', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(fnv1a('é')).toBe(0x1e9de8c1); // 2-byte UTF-8
    expect(fnv1a('😀')).toBe(0x33a29608); // surrogate pair → 4-byte UTF-8
  });
  it('a seed changes the hash', () => {
    expect(fnv1a('hello', 7) % 16).toBe(10);
    expect(fnv1a('hello', 7)).not.toBe(fnv1a('hello'));
  });
});

describe('robustScale', () => {
  it('fits median and IQR with linear-interpolated quartiles; an outlier barely matters', () => {
    // sorted 1 2 3 4 100: q25 = 2, median = 3, q75 = 4 → IQR 2
    const fitted = fit(one(num, [{ op: 'robustScale' }]), rows('x', [4, 100, 1, 3, 2]));
    expect(fitted.features[0].steps[0]).toEqual({ op: 'robustScale', median: 3, iqr: 2 });
    expect(run(fitted, rows('x', [5, 100, 1]))).toEqual([1, 48.5, -1]);
  });
  it('a constant column gets IQR 1', () => {
    const fitted = fit(one(num, [{ op: 'robustScale' }]), rows('x', [7, 7, 7]));
    expect(fitted.features[0].steps[0]).toEqual({ op: 'robustScale', median: 7, iqr: 1 });
  });
});

describe('bucketize', () => {
  it('given boundaries: bucket i holds boundaries[i-1] <= x < boundaries[i]', () => {
    const s = one(num, [{ op: 'bucketize', boundaries: [0, 10, 20] }]);
    expect(run(s, rows('x', [-5, 0, 9.99, 10, 20, 1e9]))).toEqual([0, 1, 1, 2, 3, 3]);
  });
  it('fits quantile boundaries', () => {
    // 1..8, quartiles by type-7 interpolation: 2.75, 4.5, 6.25
    const fitted = fit(one(num, [{ op: 'bucketize', buckets: 4 }]), rows('x', [1, 2, 3, 4, 5, 6, 7, 8]));
    expect((fitted.features[0].steps[0] as BucketizeStep).boundaries).toEqual([2.75, 4.5, 6.25]);
    expect(run(fitted, rows('x', [1, 2.75, 3, 4.5, 7, 100]))).toEqual([0, 1, 1, 2, 3, 3]);
  });
  it('drops duplicate quantiles (many ties) instead of making empty buckets', () => {
    const fitted = fit(one(num, [{ op: 'bucketize', buckets: 4 }]), rows('x', [0, 0, 0, 0, 0, 0, 0, 1, 2, 3]));
    expect((fitted.features[0].steps[0] as BucketizeStep).boundaries).toEqual([0, 0.75]);
  });
  it('oneHot output: one column per bucket, named by its range', () => {
    const s = one(num, [{ op: 'bucketize', boundaries: [0, 10], output: 'oneHot' }]);
    expect(compile(s).columns).toEqual(['f<0', 'f[0,10)', 'f>=10']);
    expect(run(s, rows('x', [-1, 5, 10]))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
  it('can be followed by in-place steps in index mode', () => {
    const s = one(num, [
      { op: 'bucketize', boundaries: [0, 10] },
      { op: 'minMax', min: 0, max: 2 },
    ]);
    expect(run(s, rows('x', [-1, 5, 10]))).toEqual([0, 0.5, 1]);
  });
  it('refuses non-increasing boundaries', () => {
    expect(() => compile(one(num, [{ op: 'bucketize', boundaries: [1, 1] }]))).toThrow(/not fitted/);
  });
});

describe('hash', () => {
  it('one-hot of FNV-1a mod buckets (reference buckets from Python)', () => {
    const s = one(cat, [{ op: 'hash', buckets: 16 }]);
    const out = run(s, rows('c', ['sun', 'rain', 'seattle']));
    const hot = (bucket: number) => Array.from({ length: 16 }, (_, i) => (i === bucket ? 1 : 0));
    expect(out).toEqual([...hot(1), ...hot(3), ...hot(7)]);
    expect(compile(s).columns[15]).toBe('f#15');
  });
  it('index output, and a number category hashes as its string', () => {
    const s = one(cat, [{ op: 'hash', buckets: 8, output: 'index' }]);
    expect(run(s, rows('c', ['hello', 'a', 7]))).toEqual([3, 4, fnv1a('7') % 8]);
  });
  it('index output can be scaled like any number', () => {
    const s = one(cat, [
      { op: 'hash', buckets: 8, output: 'index' },
      { op: 'minMax', min: 0, max: 8 },
    ]);
    expect(run(s, rows('c', ['hello']))).toEqual([3 / 8]);
  });
});

describe('cross', () => {
  const city: InputSpec = { name: 'city', type: 'category' };
  const device: InputSpec = { name: 'device', type: 'category' };
  const s: FeatureSpec = {
    schema: 'edgewatch.features/v1',
    inputs: [city, device],
    features: [{ name: 'cd', input: 'city', steps: [{ op: 'cross', with: 'device', buckets: 16, output: 'index' }] }],
  };
  it('hashes the pair with a 0xFF separator (reference buckets from Python)', () => {
    const out = run(s, [
      { city: 'seattle', device: 'mobile' },
      { city: 'seattle', device: 'desktop' },
      { city: 'berlin', device: 'mobile' },
    ]);
    expect(out).toEqual([2, 0, 12]);
  });
  it('("ab","c") and ("a","bc") are different pairs', () => {
    expect(
      run(s, [
        { city: 'ab', device: 'c' },
        { city: 'a', device: 'bc' },
      ]),
    ).toEqual([4, 6]);
  });
  it('one-hot output writes exactly one 1', () => {
    const oneHot: FeatureSpec = { ...s, features: [{ name: 'cd', input: 'city', steps: [{ op: 'cross', with: 'device', buckets: 16 }] }] };
    const out = run(oneHot, [{ city: 'seattle', device: 'mobile' }]);
    expect(out.reduce((a, b) => a + b, 0)).toBe(1);
    expect(out[2]).toBe(1);
  });
  it('refuses a cross with an unknown or non-category input', () => {
    expect(() => compile({ ...s, features: [{ name: 'cd', input: 'city', steps: [{ op: 'cross', with: 'nope', buckets: 4 }] }] })).toThrow(/unknown input/);
    expect(() => compile({ ...s, inputs: [city, { name: 'device', type: 'number' }] })).toThrow(/cross needs a category input/);
  });
});

describe('text', () => {
  it('counts code points and tokens', () => {
    expect(countCodePoints('héllo 😀')).toBe(7);
    expect(countTokens('  Hello, wörld!! 42 ')).toBe(3);
    expect(countTokens('')).toBe(0);
  });
  it('textLength → number, then any numeric step', () => {
    const s = one(text, [{ op: 'textLength' }]);
    expect(run(s, rows('t', ['héllo 😀', '']))).toEqual([7, 0]);
    const tokens = fit(one(text, [{ op: 'textLength', unit: 'tokens' }, { op: 'standardize' }]), rows('t', ['a b', 'a b c d']));
    expect(tokens.features[0].steps[1]).toEqual({ op: 'standardize', mean: 3, std: 1 });
    expect(run(tokens, rows('t', ['x y z']))).toEqual([0]);
  });
  it('tokenHash counts lower-cased tokens into FNV-1a buckets (reference buckets from Python)', () => {
    const s = one(text, [{ op: 'tokenHash', buckets: 16 }]);
    const out = run(s, rows('t', ['Hello, HELLO world!']));
    const expected = new Array(16).fill(0);
    expected[11] = 2; // hello
    expected[3] = 1; // world
    expect(out).toEqual(expected);
  });
  it('tokenHash binary marks presence; non-ASCII letters are kept as they are', () => {
    const s = one(text, [{ op: 'tokenHash', buckets: 16, binary: true }]);
    const out = run(s, rows('t', ['hello hello', 'é']));
    expect(out[11]).toBe(1);
    expect(out.slice(0, 16).reduce((a, b) => a + b, 0)).toBe(1);
    expect(out[16 + 1]).toBe(1); // fnv1a('é') % 16 = 1
  });
  it('refuses a text input without a numeric step', () => {
    expect(() => compile(one(text, [{ op: 'standardize', mean: 0, std: 1 }]))).toThrow(/does not accept a text column/);
    expect(() => compile(one(text, []))).toThrow(/turns it into numbers/);
  });
});

describe('passThrough (number[] inputs)', () => {
  const vec: InputSpec = { name: 'v', type: 'number[]', length: 3 };
  it('copies the vector into its own columns', () => {
    const s = one(vec, [{ op: 'passThrough' }]);
    expect(compile(s).columns).toEqual(['f[0]', 'f[1]', 'f[2]']);
    expect(run(s, rows('v', [[1, 2, 3], Float32Array.of(4, 5, 6)]))).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('in-place steps apply elementwise with one fitted parameter set', () => {
    const fitted = fit(
      one(vec, [{ op: 'minMax' }, { op: 'passThrough' }]),
      rows('v', [
        [0, 5, 10],
        [2, 4, 6],
      ]),
    );
    expect(fitted.features[0].steps[0]).toEqual({ op: 'minMax', min: 0, max: 10 });
    expect(run(fitted, rows('v', [[5, 10, 0]]))).toEqual([0.5, 1, 0]);
  });
  it('sits between other features at the right offset, over several batches of different sizes', () => {
    const s: FeatureSpec = {
      schema: 'edgewatch.features/v1',
      inputs: [num, vec],
      features: [
        { name: 'a', input: 'x', steps: [] },
        { name: 'v', input: 'v', steps: [{ op: 'passThrough' }] },
        { name: 'b', input: 'x', steps: [{ op: 'clip', min: 0, max: 1 }] },
      ],
    };
    const compiled = compile(s);
    expect(Array.from(compiled.transform([{ x: 5, v: [1, 2, 3] }]))).toEqual([5, 1, 2, 3, 1]);
    const many = Array.from({ length: 100 }, (_, i) => ({ x: i, v: [i, i + 1, i + 2] }));
    const out = compiled.transform(many);
    expect(Array.from(out.subarray(99 * 5, 100 * 5))).toEqual([99, 99, 100, 101, 1]);
    expect(Array.from(compiled.transform([{ x: -1, v: [7, 8, 9] }]))).toEqual([-1, 7, 8, 9, 0]);
  });
  it('refuses a number[] input without a length or without passThrough', () => {
    expect(() => compile(one({ name: 'v', type: 'number[]' }, [{ op: 'passThrough' }]))).toThrow(/positive integer length/);
    expect(() => compile(one(vec, [{ op: 'clip', min: 0, max: 1 }]))).toThrow(/turns it into numbers/);
  });
});

describe('spec checks', () => {
  it('refuses an unknown op and an unknown input type', () => {
    expect(() => compile(one(num, [{ op: 'nope' } as unknown as TransformStep]))).toThrow(/unknown op "nope"/);
    expect(() => compile(one({ name: 'x', type: 'complex' } as unknown as InputSpec, []))).toThrow(/unknown type/);
  });
  it('refuses a category step on a number', () => {
    expect(() => compile(one(num, [{ op: 'oneHot', vocabulary: ['a'] }]))).toThrow(/does not accept a number column/);
  });
});

import { describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../../src/errors.ts';
import type { FeatureSpec, InputSpec } from '../../../src/features/FeatureSpec.ts';
import { looksLikeTensor, snapshotTensor, tensorInputOf, tensorRecords, tensorRefused } from '../../../src/features/tensorInput.ts';

const image: InputSpec = { name: 'image', type: 'number[]', length: 12 };
const tensorSpec: FeatureSpec = {
  schema: 'edgewatch.features/v1',
  inputs: [image],
  features: [{ name: 'image', input: 'image', steps: [{ op: 'passThrough' }] }],
};
const weatherLike: FeatureSpec = {
  schema: 'edgewatch.features/v1',
  inputs: [
    { name: 'wind', type: 'number' },
    { name: 'date', type: 'timestamp' },
  ],
  features: [
    { name: 'wind', input: 'wind', steps: [] },
    { name: 'date', input: 'date', steps: [{ op: 'datePart', part: 'month' }] },
  ],
};
/** [2, 2, 3]: 12 values per example. */
const SHAPE = [2, 2, 3];

function caught(run: () => unknown): EdgewatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof EdgewatchError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('tensorInputOf', () => {
  it('finds the one number[] input read by one passThrough feature, elementwise steps allowed before it', () => {
    expect(tensorInputOf(tensorSpec)).toBe(image);
    const scaled: FeatureSpec = {
      ...tensorSpec,
      features: [
        { name: 'image', input: 'image', steps: [{ op: 'clip', min: 0, max: 1 }, { op: 'standardize', mean: 0.5, std: 0.25 }, { op: 'passThrough' }] },
      ],
    };
    expect(tensorInputOf(scaled)?.name).toBe('image');
  });

  it('is undefined for record specs, two inputs, two features, or a step that is not elementwise', () => {
    expect(tensorInputOf(weatherLike)).toBeUndefined();
    expect(tensorInputOf({ ...tensorSpec, inputs: [image, { name: 'extra', type: 'number' }] })).toBeUndefined();
    expect(
      tensorInputOf({ ...tensorSpec, features: [...tensorSpec.features, { name: 'again', input: 'image', steps: [{ op: 'passThrough' }] }] }),
    ).toBeUndefined();
    expect(tensorInputOf({ ...tensorSpec, features: [{ name: 'image', input: 'image', steps: [] }] })).toBeUndefined();
    expect(
      tensorInputOf({ ...tensorSpec, features: [{ name: 'image', input: 'image', steps: [{ op: 'bucketize', boundaries: [0.5] }, { op: 'passThrough' }] }] }),
    ).toBeUndefined();
    expect(tensorInputOf({ ...tensorSpec, inputs: [{ name: 'image', type: 'number' }] })).toBeUndefined();
  });
});

describe('looksLikeTensor', () => {
  it('tells tensors from records', () => {
    expect(looksLikeTensor(new Float32Array(3), tensorSpec)).toBe(true);
    expect(looksLikeTensor(new DataView(new ArrayBuffer(4)), tensorSpec)).toBe(true); // refused later, by name
    expect(looksLikeTensor([0.5, 0.25], tensorSpec)).toBe(true);
    expect(looksLikeTensor({ data: [1], shape: [1] }, tensorSpec)).toBe(true);
    expect(looksLikeTensor({ image: new Float32Array(12) }, tensorSpec)).toBe(false);
    expect(looksLikeTensor([{ image: [] }], tensorSpec)).toBe(false);
    expect(looksLikeTensor({ data: [1], shape: 'x' }, tensorSpec)).toBe(false);
    expect(looksLikeTensor(null, tensorSpec)).toBe(false);
    // A model with an input named "data" takes { data, shape } as a record.
    const named: FeatureSpec = { ...weatherLike, inputs: [{ name: 'data', type: 'number' }] };
    expect(looksLikeTensor({ data: 1, shape: [] }, named)).toBe(false);
    // A Proxy whose traps throw is left to the record path, which names it.
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    expect(looksLikeTensor(hostile, tensorSpec)).toBe(false);
  });
});

describe('tensorRecords', () => {
  it('a bare typed array of L values is one example, copied', () => {
    const data = new Float32Array(12).map((_, i) => i / 10);
    const { records, single } = tensorRecords(data, image, SHAPE);
    expect(single).toBe(true);
    expect(records).toHaveLength(1);
    const values = records[0].image as Float32Array;
    expect(values).toBeInstanceOf(Float32Array);
    expect(Array.from(values)).toEqual(Array.from(data));
    data[0] = 99; // the caller reuses its buffer: what was taken does not change
    expect(values[0]).toBe(0);
  });

  it('a plain number[] and other numeric typed arrays work too', () => {
    const plain = Array.from({ length: 12 }, (_, i) => i);
    expect(tensorRecords(plain, image, SHAPE).records[0].image).toEqual(plain);
    const bytes = new Uint8Array(12).fill(7);
    expect(Array.from(tensorRecords(bytes, image, SHAPE).records[0].image as Uint8Array)).toEqual(new Array(12).fill(7));
  });

  it('{ data, shape: [n, ...exampleShape] } is n examples, each a view of one copy exactly n·L long', () => {
    const data = new Float32Array(36).map((_, i) => i);
    const { records, single } = tensorRecords({ data, shape: [3, 2, 2, 3] }, image, SHAPE);
    expect(single).toBe(false);
    expect(records).toHaveLength(3);
    expect(Array.from(records[1].image as Float32Array)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    const views = records.map((r) => r.image as Float32Array);
    expect(new Set(views.map((v) => v.buffer)).size).toBe(1);
    expect(views[0].buffer.byteLength).toBe(36 * 4);
    expect(views[0].buffer).not.toBe(data.buffer);
  });

  it('{ data, shape: exampleShape } is one example, answered as an array; a plain array is split per example', () => {
    expect(tensorRecords({ data: new Float32Array(12), shape: [2, 2, 3] }, image, SHAPE)).toMatchObject({ single: false, records: [{}] });
    const plain = Array.from({ length: 24 }, (_, i) => i);
    const { records } = tensorRecords({ data: plain, shape: [2, 2, 2, 3] }, image, SHAPE);
    expect(records.map((r) => (r.image as number[])[0])).toEqual([0, 12]);
    expect(tensorRecords({ data: [], shape: [0, 2, 2, 3] }, image, SHAPE).records).toEqual([]);
  });

  it('a bare array of the wrong length names the example shape and what it got', () => {
    const error = caught(() => tensorRecords(new Float32Array(24), image, SHAPE));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details).toMatchObject({ field: 'image', expected: [2, 2, 3], got: [24] });
    expect(error.message).toBe('Tensor input "image": has 24 values; one example of shape [2, 2, 3] has 12 (for several, pass { data, shape: [n, 2, 2, 3] })');
  });

  it('a wrong shape names [-1, ...exampleShape] and the shape given', () => {
    for (const shape of [[12], [2, 3, 2], [1, 2, 2, 4], [2, 2, 3, 1, 1], [1.5, 2, 2, 3], [-1, 2, 2, 3]]) {
      const error = caught(() => tensorRecords({ data: new Float32Array(12), shape }, image, SHAPE));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.details).toMatchObject({ field: 'image', expected: [-1, 2, 2, 3], got: shape });
      expect(error.message).toContain('is neither [n, 2, 2, 3] nor [2, 2, 3]');
    }
  });

  it('data that does not hold the shape’s values names the shape and the length', () => {
    const error = caught(() => tensorRecords({ data: new Float32Array(12), shape: [2, 2, 2, 3] }, image, SHAPE));
    expect(error.details).toMatchObject({ field: 'image', expected: [2, 2, 2, 3], got: [12] });
    expect(error.message).toBe('Tensor input "image": data has 12 values, shape [2, 2, 2, 3] needs 24');
  });

  it('refuses BigInt arrays, DataViews, non-arrays as data, and throwing getters, by name', () => {
    expect(caught(() => tensorRecords(new BigInt64Array(12) as never, image, SHAPE)).details).toMatchObject({ field: 'image', got: 'BigInt64Array' });
    expect(caught(() => tensorRecords(new DataView(new ArrayBuffer(48)) as never, image, SHAPE)).details).toMatchObject({ field: 'image', got: 'DataView' });
    expect(caught(() => tensorRecords({ data: 'pixels' as never, shape: SHAPE }, image, SHAPE)).details).toMatchObject({ field: 'image', got: 'string' });
    const getter = Object.defineProperty({ shape: SHAPE }, 'data', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    expect(caught(() => tensorRecords(getter as never, image, SHAPE)).details).toMatchObject({ field: 'image', got: 'unreadable' });
  });
});

describe('tensorRefused', () => {
  it('names the record fields the model takes', () => {
    const error = tensorRefused(weatherLike, new Float32Array(3), 'weather');
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details).toEqual({
      field: null,
      expected: 'record',
      got: 'Float32Array',
      reason: 'model "weather" takes records (fields wind, date), not a tensor: its feature spec is not a single number[] input',
    });
    expect(tensorRefused(weatherLike, { data: [1], shape: [1] }, 'weather').details.got).toBe('{ data, shape }');
  });
});

describe('snapshotTensor', () => {
  it('copies what may be a tensor, so a buffer reused while the first version loads is not read later', () => {
    const pixels = new Float32Array([1, 2, 3]);
    const copy = snapshotTensor(pixels);
    pixels[0] = 9;
    expect(Array.from(copy)).toEqual([1, 2, 3]);
    const plain = [1, 2];
    const plainCopy = snapshotTensor(plain);
    plain[0] = 9;
    expect(plainCopy).toEqual([1, 2]);
    const data = new Uint8Array([4, 5]);
    const shape = [2];
    const tensor = snapshotTensor({ data, shape });
    data[0] = 0;
    shape[0] = 7;
    expect(Array.from(tensor.data)).toEqual([4, 5]);
    expect(tensor.shape).toEqual([2]);
  });

  it('leaves records, record arrays, BigInt arrays and hostile objects as they are', () => {
    const record = { image: new Float32Array(2) };
    expect(snapshotTensor(record)).toBe(record);
    const records = [record];
    expect(snapshotTensor(records)).toBe(records);
    const big = new BigInt64Array(2);
    expect(snapshotTensor(big)).toBe(big);
    const wider = { data: [1], shape: [1], other: 1 };
    expect(snapshotTensor(wider)).toBe(wider);
    const getter = Object.defineProperty({ shape: [1] }, 'data', { get: () => [1], enumerable: true });
    expect(snapshotTensor(getter)).toBe(getter);
    const hostile = new Proxy([1], {
      get() {
        throw new Error('no');
      },
    });
    expect(snapshotTensor(hostile)).toBe(hostile);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createEdgeRuntime, type EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { REGISTRY as WEATHER_REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

/** The real MobileNetV2 models of nsfwjs@4.4.0, extracted by scripts/build-bench-models.ts (global setup). */
const REGISTRY = '/bench/models/registry/manifest.json';

/** A deterministic 224×224 RGB test image in [0, 1]: gradients and a checkerboard, so every channel varies. */
function testImage(seed: number): Float32Array {
  const image = new Float32Array(224 * 224 * 3);
  for (let y = 0; y < 224; y++) {
    for (let x = 0; x < 224; x++) {
      const at = (y * 224 + x) * 3;
      image[at] = ((x + seed * 17) % 224) / 223;
      image[at + 1] = ((y * 3 + seed) % 224) / 223;
      image[at + 2] = ((x >> 4) + (y >> 4) + seed) % 2;
    }
  }
  return image;
}

const runtimes: EdgeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

describe('real image models (MobileNetV2, layers and graph formats)', () => {
  it('the layers and graph MobileNets load, predict probabilities, and agree between wasm and cpu (1e-4)', async () => {
    const images = [testImage(1), testImage(2)].map((image) => ({ image }));
    const scores: Record<string, Float32Array[]> = {};
    for (const backend of ['wasm', 'cpu'] as const) {
      const rt = createEdgeRuntime({ registry: REGISTRY, backends: [backend], dbName: uniqueDbName('img') });
      runtimes.push(rt);
      for (const name of ['mobilenet', 'mobilenet-graph']) {
        const predictions = await rt.model(name).predict(images);
        expect(predictions.map((p) => p.backend)).toEqual([backend, backend]);
        scores[`${name}/${backend}`] = predictions.map((p) => p.scores);
      }
    }
    for (const name of ['mobilenet', 'mobilenet-graph']) {
      for (let i = 0; i < 2; i++) {
        const cpu = scores[`${name}/cpu`][i];
        const wasm = scores[`${name}/wasm`][i];
        expect(cpu).toHaveLength(5);
        expect(cpu.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        cpu.forEach((value, c) => {
          expect(Math.abs(value - wasm[c])).toBeLessThanOrEqual(1e-4);
        });
      }
      // Different images, different answers: the model really looked at the pixels.
      const [a, b] = scores[`${name}/wasm`];
      expect(Math.max(...a.map((v, c) => Math.abs(v - b[c])))).toBeGreaterThan(1e-4);
    }
  });

  it('rejects an image of the wrong size with INPUT_INVALID naming the field', async () => {
    const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], dbName: uniqueDbName('img') });
    runtimes.push(rt);
    const model = rt.model('mobilenet');
    await expect(model.predict({ image: new Float32Array(10) })).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { field: 'image' } });
    await expect(model.predict({ image: testImage(3) })).resolves.toMatchObject({ version: '1' });
  });

  it('monitors an image by per-row brightness and contrast, not one sketch per pixel', async () => {
    const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], dbName: uniqueDbName('img') });
    runtimes.push(rt);
    const model = rt.model('mobilenet');
    await model.predict([testImage(4), testImage(5), testImage(6)].map((image) => ({ image })));
    const summary = await model.driftSummary();
    expect(summary?.predictions).toBe(3);
    expect(Object.keys(summary?.window.features ?? {})).toEqual(['image.mean', 'image.std']);
    expect(summary?.window.features['image.mean'].count).toBe(3);
  });
});

/** Largest absolute difference between two score vectors. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a).toHaveLength(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const PIXELS = 224 * 224 * 3;

describe('tensor input: predict() takes a typed array or { data, shape }', () => {
  it('a Float32Array, a number[] and { data, shape } give the scores of the record form, and are monitored', async () => {
    // Every row sketched: under load the default budget samples the rows of a model this large.
    const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], dbName: uniqueDbName('tensor'), monitoringBudget: { share: Infinity } });
    runtimes.push(rt);
    const model = rt.model('mobilenet');
    const [a, b] = [testImage(7), testImage(8)];
    // Called before the first version serves: the values are taken at once all the same.
    const early = testImage(7);
    const earlyCall = model.predict(early);
    early.fill(0);
    const fromRecord = await model.predict({ image: a });
    expect(maxDiff((await earlyCall).scores, fromRecord.scores)).toBeLessThanOrEqual(1e-6);
    const fromArray = await model.predict(a);
    expect(fromArray.scores).toHaveLength(5);
    expect(maxDiff(fromArray.scores, fromRecord.scores)).toBeLessThanOrEqual(1e-6);
    expect(fromArray.label).toBe(fromRecord.label);
    const fromPlain = await model.predict(Array.from(a));
    expect(maxDiff(fromPlain.scores, fromRecord.scores)).toBeLessThanOrEqual(1e-6);

    const records = await model.predict([{ image: a }, { image: b }]);
    const both = new Float32Array(2 * PIXELS);
    both.set(a);
    both.set(b, PIXELS);
    const batch = await model.predict({ data: both, shape: [2, 224, 224, 3] });
    expect(batch).toHaveLength(2);
    for (let i = 0; i < 2; i++) expect(maxDiff(batch[i].scores, records[i].scores)).toBeLessThanOrEqual(1e-6);
    // The two images differ, so a mix-up of examples would show.
    expect(maxDiff(batch[0].scores, batch[1].scores)).toBeGreaterThan(1e-4);
    // Without the batch dimension: one example, still answered as an array.
    const one = await model.predict({ data: b, shape: [224, 224, 3] });
    expect(one).toHaveLength(1);
    expect(maxDiff(one[0].scores, records[1].scores)).toBeLessThanOrEqual(1e-6);
    // The caller may reuse its buffer as soon as predict() returns.
    const reused = testImage(7);
    const pending = model.predict(reused);
    reused.fill(0);
    expect(maxDiff((await pending).scores, fromRecord.scores)).toBeLessThanOrEqual(1e-6);

    // Monitored like records: 1 + 1 + 1 + 1 + 2 + 2 + 1 + 1 predictions counted, brightness and contrast sketched per image.
    const summary = await model.driftSummary();
    expect(summary?.predictions).toBe(10);
    expect(summary?.window.features['image.mean'].count).toBe(10);
  });

  it('a wrong length or shape is INPUT_INVALID naming the expected shape; the model keeps serving', async () => {
    const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], dbName: uniqueDbName('tensor') });
    runtimes.push(rt);
    const model = rt.model('mobilenet-graph');
    const short = model.predict(new Float32Array(PIXELS - 1));
    await expect(short).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { field: 'image', expected: [224, 224, 3], got: [PIXELS - 1] } });
    await expect(short).rejects.toThrow('one example of shape [224, 224, 3] has 150528');
    // Two images as a bare array: a batch needs its shape.
    await expect(model.predict(new Float32Array(2 * PIXELS))).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { field: 'image', got: [2 * PIXELS] } });
    const wrongShape = model.predict({ data: new Float32Array(PIXELS), shape: [1, 224, 224, 1] });
    await expect(wrongShape).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { field: 'image', expected: [-1, 224, 224, 3], got: [1, 224, 224, 1] } });
    await expect(wrongShape).rejects.toThrow('is neither [n, 224, 224, 3] nor [224, 224, 3]');
    // Flattened examples are not the model's shape either.
    await expect(model.predict({ data: new Float32Array(PIXELS), shape: [1, PIXELS] })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      details: { expected: [-1, 224, 224, 3], got: [1, PIXELS] },
    });
    await expect(model.predict({ data: new Float32Array(PIXELS), shape: [2, 224, 224, 3] })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      details: { field: 'image', expected: [2, 224, 224, 3], got: [PIXELS] },
    });
    await expect(model.predict(testImage(9))).resolves.toMatchObject({ version: '1' });
  });

  it('in one micro-batch, a bad tensor (or a NaN pixel) fails alone and the other calls are answered', async () => {
    const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], dbName: uniqueDbName('tensor') });
    runtimes.push(rt);
    const model = rt.model('mobilenet');
    await model.ready();
    const nan = new Float32Array(2 * PIXELS);
    nan.set(testImage(10));
    nan.set(testImage(11), PIXELS);
    nan[PIXELS + 5] = Number.NaN; // the second example's sixth value
    // Same task: the batcher takes all of them together.
    const calls = [
      model.predict(testImage(10)),
      model.predict(new Float32Array(3)),
      model.predict({ data: nan, shape: [2, 224, 224, 3] }),
      model.predict({ image: testImage(11) }),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'image', got: [3] } });
    // Found by the worker's pipeline; the row is the example's index within its own call.
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'INPUT_INVALID',
      details: { field: 'image', row: 1, reason: 'element 5 is not a finite number' },
    });
    const summary = await model.driftSummary();
    expect(summary?.predictions).toBe(2);
  });

  it('a model whose spec takes records (weather) refuses a bare typed array and { data, shape } by name', async () => {
    const rt = createEdgeRuntime({ registry: WEATHER_REGISTRY, backends: ['cpu'], dbName: uniqueDbName('tensor') });
    runtimes.push(rt);
    const model = rt.model('weather');
    const record = withoutLabel(weather[0]);
    const calls = [model.predict(new Float32Array(5)), model.predict(record), model.predict({ data: [1, 2, 3, 4, 5], shape: [5] })];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    const refused = (settled[0] as PromiseRejectedResult).reason;
    expect(refused).toMatchObject({ code: 'INPUT_INVALID', details: { field: null, expected: 'record', got: 'Float32Array' } });
    expect(refused.message).toContain('takes records (fields date, precipitation, temp_max, temp_min, wind)');
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'INPUT_INVALID', details: { field: null, got: '{ data, shape }' } });
  });
});

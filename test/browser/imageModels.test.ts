import { afterEach, describe, expect, it } from 'vitest';
import { createEdgeRuntime, type EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { uniqueDbName } from './weatherData.ts';

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

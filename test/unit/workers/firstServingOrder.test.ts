import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, RegistryManifest } from '../../../src/registry/Manifest.ts';
import { firstServingOrder, SMALL_MODEL_WEIGHT_BYTES } from '../../../workers/firstServingOrder.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const readManifest = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RegistryManifest;

/** The bundled registry (the demo's weather MLP) and the bench registry's real MobileNetV2 versions (nsfwjs@4.4.0). */
const bundled = readManifest(join(root, 'public', 'registry', 'manifest.json'));
let images: RegistryManifest;
beforeAll(async () => {
  // Made from the pinned nsfwjs package by the browser tests' global setup; built here when absent (minutes, once).
  const { buildBenchModels } = await import('../../../scripts/build-bench-models.ts');
  images = readManifest(join(await buildBenchModels(), 'manifest.json'));
}, 600_000);

describe('firstServingOrder: the first backend under auto, from the manifest entry alone', () => {
  it('the bundled weather MLP versions (a few KB of weights, named scalar fields) start on cpu, then wasm', () => {
    const versions = Object.entries(bundled.models.weather.versions);
    expect(versions.length).toBeGreaterThan(0);
    for (const [, entry] of versions) {
      expect(entry.format).toBe('tfjs-layers');
      expect(firstServingOrder(entry)).toEqual(['cpu', 'wasm']);
    }
  });

  it('the MobileNetV2 versions (layers, graph, compiled with a fallback: an image input, MBs of weights) keep wasm, then cpu', () => {
    for (const name of ['mobilenet', 'mobilenet-graph', 'mobilenet-fused']) {
      const entry = images.models[name].versions['1'];
      expect(entry, name).toBeDefined();
      expect(firstServingOrder(entry), name).toEqual(['wasm', 'cpu']);
    }
  });

  it('either condition alone keeps wasm first: large weights on the tabular spec, or an image spec with small weights', () => {
    const weather = bundled.models.weather.versions['1'];
    const mobilenet = images.models.mobilenet.versions['1'];
    const weightsOf = (entry: ModelVersion) => entry.artifacts.filter((a) => a.path !== entry.modelPath);
    // The weather spec with MobileNet's artifact list (2.6 MB of weights).
    const heavy = { ...weather, modelPath: mobilenet.modelPath, artifacts: mobilenet.artifacts };
    expect(weightsOf(heavy).reduce((a, b) => a + b.bytes, 0)).toBeGreaterThan(SMALL_MODEL_WEIGHT_BYTES);
    expect(firstServingOrder(heavy)).toEqual(['wasm', 'cpu']);
    // MobileNet's image spec (150,528 values) with the weather model's files.
    const image = { ...mobilenet, modelPath: weather.modelPath, artifacts: weather.artifacts };
    expect(firstServingOrder(image)).toEqual(['wasm', 'cpu']);
    // The same weather version as ONNX: ONNX Runtime's own wasm serves it, the TF.js order is the default.
    expect(firstServingOrder({ ...weather, format: 'onnx' })).toEqual(['wasm', 'cpu']);
  });

  it('an entry the manifest does not describe well reads as not small (hostile input: no throw)', () => {
    const weather = bundled.models.weather.versions['1'];
    const broken: unknown[] = [
      { ...weather, artifacts: [] },
      { ...weather, artifacts: weather.artifacts.map((a) => ({ ...a, bytes: Number.NaN })) },
      { ...weather, artifacts: weather.artifacts.map((a) => ({ ...a, bytes: -1 })) },
      { ...weather, artifacts: 'model.json' },
      { ...weather, features: { ...weather.features, inputs: [] } },
      { ...weather, features: undefined },
      { ...weather, format: undefined },
      { ...weather, features: { ...weather.features, inputs: [{ name: 'v', type: 'number[]' }] } },
      null,
    ];
    for (const entry of broken) expect(firstServingOrder(entry as ModelVersion)).toEqual(['wasm', 'cpu']);
  });
});

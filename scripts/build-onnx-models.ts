/**
 * Publishes the ONNX test and bench models into bench/models/onnx (git-ignored; made from pinned packages
 * and the committed demo registry, nothing downloaded):
 *
 *   weather-onnx  the demo's weather model v1 (TF.js weights) written as ONNX by scripts/denseToOnnx.ts,
 *                 with the TF.js version's goldens and baseline: v1 Gemm with a dynamic batch, v2 MatMul + Add
 *                 with a fixed batch of 4, v3 two named inputs (season, weather) and two outputs (logits, probabilities)
 *   weather-both  the demo's weather model v1 in both encodings: its TF.js files first, the ONNX export (as
 *                 weather-onnx v1) as its alternate, for the measured choice across engines
 *   weather-onnx-both  the other way round: the ONNX export first, the TF.js files as its alternate (an ONNX
 *                 primary whose TF.js alternate starts the TF.js backend only when its trial runs)
 *   vad           Silero VAD v5 as @ricky0123/vad-web@0.0.31 ships it (MIT model; inputs `input` [batch, samples],
 *                 `state` [2, batch, 128], `sr` int64; outputs `output` [batch, 1], `stateN`), fed 512 samples a row
 *
 * Run with `npx tsx scripts/build-onnx-models.ts`; the browser tests' global setup runs it when the folder is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publish, type VersionMetadata } from '../src/cli/publish.ts';
import type { RegistryManifest } from '../src/registry/Manifest.ts';
import { denseLayersOf, type DenseToOnnxOptions, denseToOnnx } from './denseToOnnx.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = join(root, 'bench', 'models', 'onnx');
export const VAD_SAMPLES = 512;

/** The ONNX versions of the weather model, by version id. */
export const weatherOnnxVersions: Readonly<Record<string, DenseToOnnxOptions>> = {
  '1': {},
  '2': { batch: 4, ops: 'matmul' },
  // season (cyclical day of year: 2 columns) and the 4 weather measurements, as two inputs.
  '3': {
    inputs: [
      { name: 'season', width: 2 },
      { name: 'weather', width: 4 },
    ],
    logits: true,
  },
};

/** Builds the ONNX registry unless it is there already (pass force to rebuild). */
export async function buildOnnxModels(force = false): Promise<string> {
  const built = join(registry, 'manifest.json');
  // A registry from before weather-onnx-both was added is rebuilt.
  if (!force && existsSync(built) && readFileSync(built, 'utf8').includes('"weather-onnx-both"')) return registry;
  rmSync(registry, { recursive: true, force: true });
  mkdirSync(registry, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'edgewatch-onnx-models-'));
  const demo = JSON.parse(readFileSync(join(root, 'public', 'registry', 'manifest.json'), 'utf8')) as RegistryManifest;
  const tfjsV1 = demo.models.weather.versions['1'];
  const modelJson = JSON.parse(readFileSync(join(root, 'public', 'registry', tfjsV1.modelPath), 'utf8'));
  const weightsPath = join(root, 'public', 'registry', dirname(tfjsV1.modelPath), modelJson.weightsManifest[0].paths[0]);
  const layers = denseLayersOf(modelJson, new Uint8Array(readFileSync(weightsPath)));
  const { format: _f, modelPath: _m, artifacts: _a, rollout: _r, ...shared } = tfjsV1;
  for (const [version, options] of Object.entries(weatherOnnxVersions)) {
    const dir = join(work, `weather-v${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), denseToOnnx(layers, options));
    const metadata: VersionMetadata = {
      ...shared,
      format: 'onnx',
      training: { ...shared.training, exportedFrom: 'weather@1 (tfjs-layers) by scripts/denseToOnnx.ts', ops: options },
      ...(options.inputs ? { onnx: { inputs: options.inputs.map((i) => ({ name: i.name, columns: i.width })), output: 'probabilities' } } : {}),
    };
    await publish({ modelDir: dir, registry, name: 'weather-onnx', version, channel: version === '1' ? 'stable' : `v${version}`, metadata });
  }
  // Both encodings: the TF.js files as they are, the ONNX export beside them as the alternate.
  const bothDir = join(work, 'weather-both');
  mkdirSync(bothDir, { recursive: true });
  writeFileSync(join(bothDir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(bothDir, modelJson.weightsManifest[0].paths[0]), readFileSync(weightsPath));
  writeFileSync(join(bothDir, 'model.onnx'), denseToOnnx(layers, weatherOnnxVersions['1']));
  await publish({
    modelDir: bothDir,
    registry,
    name: 'weather-both',
    version: '1',
    alternate: { modelFile: 'model.onnx' },
    metadata: { ...shared, format: 'tfjs-layers', training: { ...shared.training, alternate: 'weather-onnx@1 (scripts/denseToOnnx.ts)' } },
  });
  // An ONNX primary with the TF.js files as its alternate (same directory: each file named by its option).
  await publish({
    modelDir: bothDir,
    registry,
    name: 'weather-onnx-both',
    version: '1',
    modelFile: 'model.onnx',
    alternate: { modelFile: 'model.json' },
    metadata: { ...shared, format: 'onnx', training: { ...shared.training, alternate: 'weather@1 (tfjs-layers)' } },
  });
  const vadDir = join(work, 'vad');
  mkdirSync(vadDir, { recursive: true });
  writeFileSync(join(vadDir, 'model.onnx'), readFileSync(join(root, 'node_modules', '@ricky0123', 'vad-web', 'dist', 'silero_vad_v5.onnx')));
  await publish({
    modelDir: vadDir,
    registry,
    name: 'vad',
    version: '1',
    metadata: {
      format: 'onnx',
      features: {
        schema: 'edgewatch.features/v1',
        inputs: [{ name: 'audio', type: 'number[]', length: VAD_SAMPLES }],
        features: [{ name: 'audio', input: 'audio', steps: [{ op: 'passThrough' }] }],
        fitted: true,
      },
      outputs: { kind: 'regression', names: ['speech'] },
      onnx: {
        inputs: [
          { name: 'input' },
          // Each row scored on its own: a zero recurrent state, 16 kHz.
          { name: 'state', dtype: 'float32', shape: [2, 'batch', 128], value: 0 },
          { name: 'sr', dtype: 'int64', shape: [], value: 16000 },
        ],
        output: 'output',
      },
      training: { source: '@ricky0123/vad-web@0.0.31 dist/silero_vad_v5.onnx (Silero VAD v5, MIT)' },
    },
  });
  rmSync(work, { recursive: true, force: true });
  return registry;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildOnnxModels(true);
  console.log(`ONNX models written to ${registry} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

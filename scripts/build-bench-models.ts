/**
 * Extracts the real MobileNetV2 models that nsfwjs@4.4.0 ships (MIT; base64 weight shards inside UMD
 * .js files) and publishes them into bench/models/registry (git-ignored; made from the pinned package,
 * nothing downloaded): `mobilenet` (TF.js layers model, 2.6 MB) and `mobilenet-graph` (graph model, 4.3 MB).
 * Their feature spec passes a 224×224×3 image through unchanged. Run with `npm run build:bench-models`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publish, type VersionMetadata } from '../src/cli/publish.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = join(root, 'bench', 'models', 'registry');
const require = createRequire(import.meta.url);
const IMAGE = 224 * 224 * 3;
/** nsfwjs' class order. */
const LABELS = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

export const benchModels = [
  { name: 'mobilenet', folder: 'mobilenet_v2', format: 'tfjs-layers' },
  { name: 'mobilenet-graph', folder: 'mobilenet_v2_mid', format: 'tfjs-graph' },
] as const;

/**
 * Writes one of the TF.js models nsfwjs@4.4.0 ships (`mobilenet_v2`, `mobilenet_v2_mid`, `inception_v3`)
 * to `dir` as a plain TF.js model: `model.json` and its weight shards as `.bin` files. Returns the model file's path.
 */
export function extractNsfwjsModel(folder: string, dir: string): string {
  // By absolute path: the package's exports hide dist/models.
  const base = join(root, 'node_modules', 'nsfwjs', 'dist', 'models', folder);
  const json = require(`${base}/model.min.js`) as { weightsManifest: { paths: string[] }[] } & Record<string, unknown>;
  mkdirSync(dir, { recursive: true });
  // The shards are base64 strings exported by UMD modules, their paths without an extension.
  const weightsManifest = json.weightsManifest.map((group) => ({
    ...group,
    paths: group.paths.map((path) => {
      const shard = require(`${base}/${path}.min.js`) as string;
      writeFileSync(join(dir, `${path}.bin`), Buffer.from(shard, 'base64'));
      return `${path}.bin`;
    }),
  }));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest }));
  return join(dir, 'model.json');
}

/** The layers MobileNetV2 published with `compile: true`: the fused graph model, its original as the fallback. */
const FUSED = 'mobilenet-fused';

async function publishFused(metadata: VersionMetadata): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'edgewatch-bench-fused-'));
  extractNsfwjsModel('mobilenet_v2', dir);
  writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify({ ...metadata, format: undefined }));
  const { compile } = await publish({ modelDir: dir, registry, name: FUSED, version: '1', compile: true });
  if (!compile?.compiled) throw new Error(`${FUSED}: not compiled: ${compile?.reason}`);
  rmSync(dir, { recursive: true, force: true });
}

/** Builds the bench registry unless it is there already (pass force to rebuild). */
export async function buildBenchModels(force = false): Promise<string> {
  const manifestPath = join(registry, 'manifest.json');
  if (!force && existsSync(manifestPath)) {
    // A registry built before the compiled model existed gets it added.
    if (!readFileSync(manifestPath, 'utf8').includes(`"${FUSED}"`)) await publishFused(metadataOf('mobilenet_v2', 'tfjs-layers'));
    return registry;
  }
  rmSync(registry, { recursive: true, force: true });
  mkdirSync(registry, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'edgewatch-bench-models-'));
  for (const model of benchModels) {
    const dir = join(work, model.name);
    extractNsfwjsModel(model.folder, dir);
    const metadata = metadataOf(model.folder, model.format);
    writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify(metadata));
    await publish({ modelDir: dir, registry, name: model.name, version: '1' });
  }
  await publishFused(metadataOf('mobilenet_v2', 'tfjs-layers'));
  rmSync(work, { recursive: true, force: true });
  return registry;
}

function metadataOf(folder: string, format: VersionMetadata['format']): VersionMetadata {
  return {
    format,
    features: {
      schema: 'edgewatch.features/v1',
      inputs: [{ name: 'image', type: 'number[]', length: IMAGE }],
      features: [{ name: 'image', input: 'image', steps: [{ op: 'passThrough' }] }],
      fitted: true,
    },
    outputs: { kind: 'classification', labels: LABELS },
    training: { source: `nsfwjs@4.4.0 dist/models/${folder} (MIT)` },
  };
}

/** Feature counts of the scale scenario's synthetic models (`dense-5`, `dense-50`, `dense-500`). */
export const scaleWidths = [5, 50, 500] as const;
const scaleRegistry = join(root, 'bench', 'models', 'scale');

/**
 * The scale scenario's models: a dense network (width → 16 relu → 3 softmax, seeded weights) per feature
 * count, made with TF.js here and published into bench/models/scale with one named number input per
 * feature (`f0…`), so each feature is sketched by the monitor as an app's tabular features are.
 */
export async function buildScaleModels(force = false): Promise<string> {
  if (!force && existsSync(join(scaleRegistry, 'manifest.json'))) return scaleRegistry;
  const tf = await import('@tensorflow/tfjs');
  rmSync(scaleRegistry, { recursive: true, force: true });
  mkdirSync(scaleRegistry, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'edgewatch-bench-scale-'));
  for (const width of scaleWidths) {
    const dir = join(work, `dense-${width}`);
    mkdirSync(dir, { recursive: true });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 16, activation: 'relu', inputShape: [width], kernelInitializer: tf.initializers.glorotUniform({ seed: width }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: width + 1 }) }),
      ],
    });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }];
        writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    model.dispose();
    const names = Array.from({ length: width }, (_, i) => `f${i}`);
    const metadata: VersionMetadata = {
      format: 'tfjs-layers',
      features: {
        schema: 'edgewatch.features/v1',
        inputs: names.map((name) => ({ name, type: 'number' as const })),
        features: names.map((name) => ({ name, input: name, steps: [] })),
        fitted: true,
      },
      outputs: { kind: 'classification', labels: ['a', 'b', 'c'] },
      training: { source: 'synthetic (scripts/build-bench-models.ts buildScaleModels)' },
    };
    writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify(metadata));
    await publish({ modelDir: dir, registry: scaleRegistry, name: `dense-${width}`, version: '1' });
  }
  rmSync(work, { recursive: true, force: true });
  return scaleRegistry;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--extract') {
  // `--extract <folder> <dir>`: one model as plain TF.js files, for the README's "Bring your own model".
  const [folder, dir] = process.argv.slice(3);
  if (!folder || !dir) {
    console.error('usage: tsx scripts/build-bench-models.ts --extract <mobilenet_v2|mobilenet_v2_mid|inception_v3> <dir>');
    process.exit(2);
  }
  console.log(`${extractNsfwjsModel(folder, dir)} written from nsfwjs@4.4.0 dist/models/${folder}`);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildBenchModels(true);
  await buildScaleModels(true);
  console.log(`bench models written to ${registry} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

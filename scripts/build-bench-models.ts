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
  console.log(`bench models written to ${registry} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

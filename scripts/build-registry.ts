/**
 * Builds the bundled demo registry in public/registry from the pinned vega-datasets package:
 * trains the weather model (seeded, deterministic), writes model.json + weights and manifest.json.
 * Run with `npm run build:registry`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { computeBaseline } from '../src/cli/baseline.ts';
import { trainWeather } from '../src/cli/trainWeather.ts';
import { byYears, WEATHER_LABELS } from '../src/demo/seattleWeather.ts';
import { loadSeattleWeather } from '../src/demo/weatherData.node.ts';
import { compile } from '../src/features/compile.ts';
import { MANIFEST_SCHEMA, type ModelVersion, type RegistryManifest } from '../src/registry/Manifest.ts';
import { sha256Hex } from '../src/registry/sha256.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = join(root, 'public', 'registry');

/** The bundled versions: v1 on 2012–2013, v2 retrained on the later years 2013–2014. */
const plans = [
  { version: '1', trainYears: [2012, 2013], holdoutYears: [2014, 2015], goldenYear: 2014 },
  { version: '2', trainYears: [2013, 2014], holdoutYears: [2015, 2015], goldenYear: 2015 },
] as const;

const started = performance.now();
const all = loadSeattleWeather();
const versions: Record<string, ModelVersion> = {};
const summary: string[] = [];
for (const plan of plans) {
  const { version } = plan;
  const versionDir = join(registry, 'weather', version);
  const result = await trainWeather(all, { seed: 2012, trainYears: plan.trainYears, holdoutYears: plan.holdoutYears });
  mkdirSync(versionDir, { recursive: true });
  const modelJsonBytes = new TextEncoder().encode(JSON.stringify(result.modelJson));
  writeFileSync(join(versionDir, 'model.json'), modelJsonBytes);
  writeFileSync(join(versionDir, result.weightsFile), result.weights);

  // Golden vectors: the first day of four months, with the features and scores computed here, in Node.
  const features = compile(result.spec);
  const goldenRecords = byYears(all, plan.goldenYear).filter((r) => /-(01|04|07|10)-01$/.test(r.date));
  const goldenFeatures = Float32Array.from(features.transform(goldenRecords));
  const scores = result.model.predict(tf.tensor2d(goldenFeatures, [goldenRecords.length, features.width])) as tf.Tensor;
  const goldenScores = await scores.data();
  const goldens = goldenRecords.map(({ weather: _label, ...record }, i) => ({
    record,
    features: Array.from(goldenFeatures.subarray(i * features.width, (i + 1) * features.width)),
    scores: Array.from(goldenScores.subarray(i * WEATHER_LABELS.length, (i + 1) * WEATHER_LABELS.length)),
  }));

  // The training baseline: the model's features and outputs on its own training rows, sketched.
  const trainRecords = byYears(all, plan.trainYears[0], plan.trainYears[1]);
  const trainFeatures = Float32Array.from(features.transform(trainRecords));
  const trainScoresTensor = result.model.predict(tf.tensor2d(trainFeatures, [trainRecords.length, features.width])) as tf.Tensor;
  const baseline = computeBaseline({
    columns: features.columns,
    features: trainFeatures,
    rows: trainRecords.length,
    outputs: { kind: 'classification', labels: [...WEATHER_LABELS] },
    scores: await trainScoresTensor.data(),
    labels: trainRecords.map((r) => WEATHER_LABELS.indexOf(r.weather)),
    source: `vega-datasets@3.2.1 seattle-weather ${plan.trainYears.join('–')}`,
  });

  versions[version] = {
    format: 'tfjs-layers',
    modelPath: `weather/${version}/model.json`,
    artifacts: [
      { path: `weather/${version}/model.json`, sha256: await sha256Hex(modelJsonBytes), bytes: modelJsonBytes.byteLength },
      { path: `weather/${version}/${result.weightsFile}`, sha256: result.weightsSha256, bytes: result.weights.byteLength },
    ],
    features: result.spec,
    outputs: { kind: 'classification', labels: [...WEATHER_LABELS] },
    training: {
      data: 'vega-datasets@3.2.1 data/seattle-weather.csv',
      years: [...plan.trainYears],
      rows: result.metrics.trainRows,
      seed: 2012,
      weightsSha256: result.weightsSha256,
    },
    metrics: {
      trainAccuracy: result.metrics.trainAccuracy,
      holdoutAccuracy: result.metrics.holdoutAccuracy,
      holdoutYears: [...plan.holdoutYears],
      holdoutRows: result.metrics.holdoutRows,
    },
    goldens,
    baseline,
  };
  summary.push(
    `v${version} (${plan.trainYears.join('–')}): train ${result.metrics.trainAccuracy.toFixed(3)}, holdout ${plan.holdoutYears.join('–')} ` +
      `${result.metrics.holdoutAccuracy.toFixed(3)}, weights ${result.weightsSha256.slice(0, 12)}…`,
  );
}

const manifest: RegistryManifest = {
  schema: MANIFEST_SCHEMA,
  models: {
    weather: {
      description: 'Seattle daily weather (drizzle|fog|rain|snow|sun) from the raw day record.',
      channels: { stable: '1', canary: '2' },
      versions,
    },
  },
};
// Indented for review, but arrays of numbers (sketch counts, golden vectors) on one line each: one number
// per line would make the baselines twenty times longer to read and to download.
const pretty = JSON.stringify(manifest, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, list: string) => `[${list.split(/,\s*/).join(', ')}]`);
writeFileSync(join(registry, 'manifest.json'), `${pretty}\n`);
console.log(`registry written to ${registry} in ${((performance.now() - started) / 1000).toFixed(1)} s\n  ${summary.join('\n  ')}`);

/**
 * Builds the bundled demo registry in public/registry from the pinned vega-datasets package:
 * trains the weather model (seeded, deterministic), and publishes each version with the CLI's `publish`.
 * Run with `npm run build:registry`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { computeBaseline } from '../src/cli/baseline.ts';
import { trainWeather } from '../src/demo/trainWeather.ts';
import { byYears, WEATHER_LABELS } from '../src/demo/seattleWeather.ts';
import { loadSeattleWeather } from '../src/demo/weatherData.node.ts';
import { compile } from '../src/features/compile.ts';
import { publish, type VersionMetadata } from '../src/cli/publish.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = join(root, 'public', 'registry');

/** The bundled versions: v1 on 2012–2013 (stable), v2 retrained on the later years 2013–2014 (canary). */
const plans = [
  { version: '1', channel: 'stable', trainYears: [2012, 2013], holdoutYears: [2014, 2015], goldenYear: 2014 },
  { version: '2', channel: 'canary', trainYears: [2013, 2014], holdoutYears: [2015, 2015], goldenYear: 2015 },
] as const;

const started = performance.now();
const all = loadSeattleWeather();
// Rebuilt from scratch so the output depends on nothing but the code and the pinned data.
rmSync(join(registry, 'weather'), { recursive: true, force: true });
rmSync(join(registry, 'manifest.json'), { force: true });
const work = mkdtempSync(join(tmpdir(), 'edgewatch-build-'));
const summary: string[] = [];
for (const plan of plans) {
  const result = await trainWeather(all, { seed: 2012, trainYears: plan.trainYears, holdoutYears: plan.holdoutYears });
  const modelDir = join(work, `v${plan.version}`);
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, 'model.json'), JSON.stringify(result.modelJson));
  writeFileSync(join(modelDir, result.weightsFile), result.weights);

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

  const metadata: VersionMetadata = {
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
    requirements: { runtime: '>=0.1.0 <1.0.0' },
    goldens,
    baseline,
  };
  writeFileSync(join(modelDir, 'edgewatch.json'), JSON.stringify(metadata));
  // The same code path as `edgewatch publish <modelDir> --registry public/registry --name weather --version N --channel C`.
  const published = await publish({ modelDir, registry, name: 'weather', version: plan.version, channel: plan.channel });
  summary.push(
    `v${plan.version} (${plan.trainYears.join('–')}, ${plan.channel}) → ${published.directory}: train ${result.metrics.trainAccuracy.toFixed(3)}, ` +
      `holdout ${plan.holdoutYears.join('–')} ${result.metrics.holdoutAccuracy.toFixed(3)}, weights ${result.weightsSha256.slice(0, 12)}…`,
  );
}
rmSync(work, { recursive: true, force: true });
console.log(`registry written to ${registry} in ${((performance.now() - started) / 1000).toFixed(1)} s\n  ${summary.join('\n  ')}`);

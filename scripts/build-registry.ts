/**
 * Builds the bundled demo registry in public/registry from the pinned vega-datasets package, seeded and
 * deterministic: v1 is trained on 2012–2013 and published with the CLI's `publish` (stable); v2 comes out
 * of the retraining pipeline — `retrain` on the labelled days of 2012–2014 (Oct–Dec 2014 held out),
 * gated against v1 with examples/gates.json, then `promote`d to canary. Run with `npm run build:registry`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { formatGateTable, parseGates } from '../src/cli/gates.ts';
import { promote } from '../src/cli/promote.ts';
import { retrain } from '../src/cli/retrain.ts';
import { seattleWeatherPath } from '../src/demo/weatherData.node.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = join(root, 'public', 'registry');

/** v1, trained here on 2012–2013 (stable); v2 is retrained from it below. */
const plans = [{ version: '1', channel: 'stable', trainYears: [2012, 2013], holdoutYears: [2014, 2015], goldenYear: 2014 }] as const;

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
// v2 through the pipeline, as `edgewatch retrain --registry public/registry --name weather --data weather-2012-2014.csv
// --label weather --holdout-from 2014-10-01 --gates examples/gates.json --version 2 --seed 2012` and
// `edgewatch promote public/registry --name weather --version 2 --channel canary` would make it.
const gatesPath = join(root, 'examples', 'gates.json');
const [header, ...lines] = readFileSync(seattleWeatherPath(), 'utf8').trim().split('\n');
const data = join(work, 'weather-2012-2014.csv');
writeFileSync(data, `${[header, ...lines.filter((l) => /^201[234]-/.test(l))].join('\n')}\n`);
const retrained = await retrain({
  registry,
  name: 'weather',
  data,
  label: 'weather',
  holdoutFrom: '2014-10-01',
  gates: parseGates(JSON.parse(readFileSync(gatesPath, 'utf8')), gatesPath),
  version: '2',
  seed: 2012,
});
await promote({ registry, name: 'weather', version: '2', channel: 'canary' });
const m = retrained.challenger.metrics;
const c = retrained.championEvaluation.metrics;
summary.push(
  `v2 (retrained from v1 on 2012–2014, Oct–Dec 2014 held out; canary) → ${retrained.directory}: holdout accuracy ${m.accuracy.toFixed(3)} vs v1 ${c.accuracy.toFixed(3)}, ` +
    `gates ${retrained.gates.filter((g) => g.passed).length}/${retrained.gates.length} passed\n${formatGateTable(retrained.gates).replace(/^/gm, '    ')}`,
);
rmSync(work, { recursive: true, force: true });
console.log(`registry written to ${registry} in ${((performance.now() - started) / 1000).toFixed(1)} s\n  ${summary.join('\n  ')}`);

import * as tf from '@tensorflow/tfjs';
import { compile } from '../features/compile.ts';
import { fit } from '../features/fit.ts';
import type { FeatureSpec } from '../features/FeatureSpec.ts';
import { byYears, WEATHER_LABELS, type WeatherRecord } from './seattleWeather.ts';
import { weatherSpec } from './weatherSpec.ts';
import { mulberry32, shuffleInPlace } from './random.ts';
import { sha256Hex } from '../registry/sha256.ts';

/** Knobs of the demo training run; the defaults are what the bundled registry was built with. */
export interface TrainOptions {
  readonly seed?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly trainYears?: readonly [number, number];
  readonly holdoutYears?: readonly [number, number];
}

/** What a training run produces. */
export interface TrainResult {
  readonly spec: FeatureSpec;
  /** `model.json` content, weights manifest pointing at `weightsFile`. */
  readonly modelJson: Record<string, unknown>;
  readonly weights: Uint8Array;
  readonly weightsFile: string;
  readonly weightsSha256: string;
  readonly metrics: { readonly trainAccuracy: number; readonly holdoutAccuracy: number; readonly holdoutRows: number; readonly trainRows: number };
  readonly model: tf.LayersModel;
}

function oneHotLabels(records: readonly WeatherRecord[]): Float32Array {
  const out = new Float32Array(records.length * WEATHER_LABELS.length);
  records.forEach((r, i) => {
    out[i * WEATHER_LABELS.length + WEATHER_LABELS.indexOf(r.weather)] = 1;
  });
  return out;
}

async function accuracy(model: tf.LayersModel, x: Float32Array, records: readonly WeatherRecord[], width: number): Promise<number> {
  const scores = tf.tidy(() => (model.predict(tf.tensor2d(x, [records.length, width])) as tf.Tensor).argMax(1));
  const predicted = await scores.data();
  scores.dispose();
  let hits = 0;
  records.forEach((r, i) => {
    hits += WEATHER_LABELS[predicted[i]] === r.weather ? 1 : 0;
  });
  return hits / records.length;
}

/** Knobs of {@link fitWeatherMlp}. */
export interface MlpOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/**
 * The demo's network and training loop, on features already computed: a 24-16-softmax MLP, Adam,
 * seeded initialisers and a seeded batch order (one shuffle per epoch). `y` is one-hot, row-major.
 * Shared by {@link trainWeather} and the `edgewatch retrain` default recipe (`weatherRecipe.ts`).
 */
export async function fitWeatherMlp(
  tfm: typeof tf,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  width: number,
  { seed, epochs, batchSize, learningRate }: MlpOptions,
): Promise<tf.LayersModel> {
  const classes = y.length / rows;
  const model = tfm.sequential({
    layers: [
      tfm.layers.dense({ inputShape: [width], units: 24, activation: 'relu', kernelInitializer: tfm.initializers.glorotUniform({ seed }) }),
      tfm.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tfm.initializers.glorotUniform({ seed: seed + 1 }) }),
      tfm.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfm.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  model.compile({ optimizer: tfm.train.adam(learningRate), loss: 'categoricalCrossentropy' });

  const random = mulberry32(seed);
  const order = Array.from({ length: rows }, (_, i) => i);
  const bx = new Float32Array(batchSize * width);
  const by = new Float32Array(batchSize * classes);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < order.length; start += batchSize) {
      const n = Math.min(batchSize, order.length - start);
      for (let j = 0; j < n; j++) {
        const row = order[start + j];
        bx.set(x.subarray(row * width, (row + 1) * width), j * width);
        by.set(y.subarray(row * classes, (row + 1) * classes), j * classes);
      }
      const xs = tfm.tensor2d(bx.subarray(0, n * width), [n, width]);
      const ys = tfm.tensor2d(by.subarray(0, n * classes), [n, classes]);
      await model.trainOnBatch(xs, ys);
      xs.dispose();
      ys.dispose();
    }
  }
  return model;
}

/**
 * Trains the demo weather classifier (5 classes from the raw daily record) with plain TF.js on the CPU
 * backend. Every source of randomness is seeded — initialisers, batch order — and the CPU kernels are
 * plain JS arithmetic, so the same seed gives bit-identical weights on any machine.
 */
export async function trainWeather(all: readonly WeatherRecord[], options: TrainOptions = {}): Promise<TrainResult> {
  const { seed = 2012, epochs = 60, batchSize = 32, learningRate = 0.01 } = options;
  const [trainFrom, trainTo] = options.trainYears ?? [2012, 2013];
  const [holdFrom, holdTo] = options.holdoutYears ?? [2014, 2015];
  await tf.setBackend('cpu');
  const train = byYears(all, trainFrom, trainTo);
  const holdout = byYears(all, holdFrom, holdTo);
  const spec = fit(weatherSpec, train);
  const features = compile(spec);
  const width = features.width;
  const x = Float32Array.from(features.transform(train));
  const y = oneHotLabels(train);

  const model = await fitWeatherMlp(tf, x, y, train.length, width, { seed, epochs, batchSize, learningRate });

  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('Model produced no weights');
  const weights = new Uint8Array(artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : await new Blob(artifacts.weightData).arrayBuffer());
  const weightsFile = 'weights.bin';
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
  };
  const xHold = Float32Array.from(features.transform(holdout));
  return {
    spec,
    modelJson,
    weights,
    weightsFile,
    weightsSha256: await sha256Hex(weights),
    metrics: {
      trainAccuracy: await accuracy(model, x, train, width),
      holdoutAccuracy: await accuracy(model, xHold, holdout, width),
      trainRows: train.length,
      holdoutRows: holdout.length,
    },
    model,
  };
}

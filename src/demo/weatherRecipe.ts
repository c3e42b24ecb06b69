import type * as tf from '@tensorflow/tfjs';
import type { RecipeInput, RecipeResult } from '../cli/Recipe.ts';
import { fitWeatherMlp } from './trainWeather.ts';

/**
 * `edgewatch retrain`'s default recipe: the demo's weather MLP ({@link fitWeatherMlp}, the code that
 * trained the bundled versions) on the refitted features, 60 epochs, seeded by `seed`.
 */
export async function train({ tf: tfm, x, y, rows, width, outputs, seed }: RecipeInput): Promise<RecipeResult> {
  if (outputs.kind !== 'classification') throw new TypeError('the weather recipe trains a classifier');
  const classes = outputs.labels.length;
  const oneHot = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) oneHot[i * classes + y[i]] = 1;
  const model = await fitWeatherMlp(tfm as typeof tf, x, oneHot, rows, width, { seed, epochs: 60, batchSize: 32, learningRate: 0.01 });
  return { model };
}

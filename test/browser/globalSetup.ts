/** Runs in Node before the browser tests: makes the image models the tests load (from the pinned nsfwjs package). */
import { buildBenchModels } from '../../scripts/build-bench-models.ts';

export default async function setup(): Promise<void> {
  await buildBenchModels();
}

/** Runs in Node before the browser tests: makes the image models (pinned nsfwjs) and the ONNX models the tests load. */
import { buildBenchModels } from '../../scripts/build-bench-models.ts';
import { buildOnnxModels } from '../../scripts/build-onnx-models.ts';

export default async function setup(): Promise<void> {
  await buildBenchModels();
  await buildOnnxModels();
}

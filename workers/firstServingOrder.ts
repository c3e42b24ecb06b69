/**
 * Under `backends: 'auto'` with nothing remembered: which backend serves the first prediction, read from
 * the manifest's version entry before any artifact is fetched. wasm compiles its binary first (~170 ms on a
 * 2-core machine) and cpu starts at once; on a small dense model at batch 1 cpu is as fast as wasm, so
 * waiting for wasm only delays the first answer (weather MLP: first visit 501 ms on wasm vs 326 ms on cpu).
 * Serving cpu first costs nothing later: the background trials time wasm in a child and hand over when it
 * is faster. Everything else (images, large weights, an input the entry does not describe) keeps wasm first:
 * cpu's convolutions and large matmuls are plain JavaScript, seconds slower than wasm's SIMD kernels.
 */
import type { ModelVersion } from '../src/registry/Manifest.ts';
import { BackendName } from './protocol.ts';

/** The default first-serving order: wasm (SIMD), then cpu (runs everywhere). */
export const FIRST_SERVING: readonly BackendName[] = [BackendName.wasm, BackendName.cpu];

/** The order for a small tabular model: cpu answers before wasm has compiled. */
export const SMALL_MODEL_FIRST_SERVING: readonly BackendName[] = [BackendName.cpu, BackendName.wasm];

/** Weights (every artifact but the model file) at most this many bytes make a model small: 1 MiB, 256 Ki float32 weights. */
export const SMALL_MODEL_WEIGHT_BYTES = 1 << 20;

/**
 * The longest `number[]` input of a tabular spec (an embedding, a short sensor frame). Longer is an image,
 * audio or a sequence, whose models are convolutional or recurrent: slow on cpu whatever their size.
 */
export const TABULAR_VECTOR_MAX = 256;

/** TF.js formats: an ONNX version runs on ONNX Runtime's own wasm, where the TF.js order does not apply. */
const TFJS_FORMATS: readonly string[] = ['tfjs-layers', 'tfjs-graph'];

/**
 * The first-serving order for `entry`: {@link SMALL_MODEL_FIRST_SERVING} for a TF.js version whose weights
 * are at most {@link SMALL_MODEL_WEIGHT_BYTES} and whose input is a flat row of named fields (scalars, or
 * `number[]` inputs of at most {@link TABULAR_VECTOR_MAX} values), else {@link FIRST_SERVING}. Reads only
 * what the manifest records (format, artifact sizes, feature spec): anything missing or malformed there
 * (the entry is checked again when its files are) reads as not small.
 */
export function firstServingOrder(entry: ModelVersion): readonly BackendName[] {
  return isSmallTabular(entry) ? SMALL_MODEL_FIRST_SERVING : FIRST_SERVING;
}

function isSmallTabular(entry: ModelVersion): boolean {
  if (!TFJS_FORMATS.includes(entry?.format)) return false;
  const artifacts = entry.artifacts;
  if (!Array.isArray(artifacts) || artifacts.length === 0) return false;
  let weights = 0;
  for (const artifact of artifacts) {
    if (!Number.isSafeInteger(artifact?.bytes) || artifact.bytes < 0) return false;
    if (artifact.path !== entry.modelPath) weights += artifact.bytes;
  }
  if (weights > SMALL_MODEL_WEIGHT_BYTES) return false;
  const inputs = entry.features?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  return inputs.every((input) => input?.type !== 'number[]' || (Number.isSafeInteger(input.length) && (input.length as number) <= TABULAR_VECTOR_MAX));
}

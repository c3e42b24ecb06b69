import { dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { GoldenVector } from '../registry/Manifest.ts';
import { ModelFormat } from '../registry/Manifest.ts';
import { COMPILED_MODEL, COMPILED_WEIGHTS, type CompiledModel, compileLayersModel } from './compileLayers.ts';
import { exampleSize, loadModel, loadNet, type ModelFiles, readModelFiles } from './ModelFiles.ts';

/** The largest difference allowed between a compiled model's outputs and the original's, on every check row. */
export const COMPILE_TOLERANCE = 1e-5;

/** A compiled model that passed its check against the original. */
export interface CompileSuccess {
  readonly compiled: true;
  /** The compiled model as model files (its `model.fused.json` first, then its weights). */
  readonly model: ModelFiles;
  readonly stats: CompiledModel['stats'];
  /** Largest |compiled − original| over the check rows' outputs. */
  readonly maxDifference: number;
  /** Rows checked, and where they came from. */
  readonly rows: number;
  readonly rowsFrom: 'goldens' | 'generated';
  /**
   * Bytes of the original's files and the compiled one's. The compiled weights are float32: a quantized
   * original (uint8 / float16 weights) grows, as folded weights re-quantized would miss the 1e-5 check.
   */
  readonly bytes: { readonly original: number; readonly compiled: number };
}

/** Why a model was not compiled (it is published as it is). */
export interface CompileSkipped {
  readonly compiled: false;
  readonly reason: string;
}

/** Rows to check a compiled model on where a version has no goldens: fixed pseudo-random values in [0, 1). */
function generatedRows(width: number, rows: number): Float32Array {
  const out = new Float32Array(width * rows);
  let state = 0x2545f491;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32;
  }
  return out;
}

/**
 * Compiles a TF.js layers model into a fused graph model (see {@link compileLayersModel}) and checks it:
 * both run in TF.js (CPU backend) on the version's goldens — or, without goldens, 8 fixed pseudo-random
 * rows — and every output must be within {@link COMPILE_TOLERANCE} of the original's. Anything the compiler
 * does not handle, or a check that fails, is a skip with its reason, never an error: the caller publishes
 * the layers model unchanged.
 */
export async function compileModel(model: ModelFiles, goldens: readonly GoldenVector[] = []): Promise<CompileSuccess | CompileSkipped> {
  if (model.format !== ModelFormat.layers) return { compiled: false, reason: `only TF.js layers models are compiled (this one is ${model.format})` };
  const net = (await loadNet(model)) as tfTypes.LayersModel;
  let result: Awaited<ReturnType<typeof compileLayersModel>>;
  try {
    result = await compileLayersModel(model, net);
  } finally {
    net.dispose();
  }
  if (!('json' in result)) return { compiled: false, reason: `${result.layer ? `${result.layer}: ` : ''}${result.reason}` };

  const modelBytes = new TextEncoder().encode(JSON.stringify(result.json));
  const compiled: ModelFiles = {
    format: ModelFormat.graph,
    path: join(dirname(model.path), COMPILED_MODEL),
    json: result.json,
    files: [
      { name: COMPILED_MODEL, bytes: modelBytes },
      { name: COMPILED_WEIGHTS, bytes: result.weights },
    ],
    inputs: model.inputs,
  };
  const width = Number.isFinite(exampleSize(model.inputs[0])) ? exampleSize(model.inputs[0]) : (goldens[0]?.features.length ?? Number.NaN);
  if (!Number.isFinite(width)) return { compiled: false, reason: 'the input shape is open and there are no goldens to check on' };
  const rowsFrom = goldens.length > 0 ? 'goldens' : 'generated';
  const rows = goldens.length > 0 ? goldens.length : 8;
  const features = goldens.length > 0 ? Float32Array.from(goldens.flatMap((g) => g.features)) : generatedRows(width, rows);
  if (features.length !== rows * width) return { compiled: false, reason: `the goldens' features are not ${width} values each` };

  const original = await loadModel(model);
  let fused: Awaited<ReturnType<typeof loadModel>> | undefined;
  try {
    try {
      fused = await loadModel(compiled);
    } catch (error) {
      return { compiled: false, reason: `TF.js could not load the compiled model: ${(error as Error).message}` };
    }
    const expected = await original.predict(features, rows, width);
    let actual: Float32Array;
    try {
      actual = await fused.predict(features, rows, width);
    } catch (error) {
      return { compiled: false, reason: `the compiled model failed to run: ${(error as Error).message}` };
    }
    if (actual.length !== expected.length)
      return { compiled: false, reason: `the compiled model gives ${actual.length} outputs, the original ${expected.length}` };
    let maxDifference = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(actual[i] - expected[i]);
      // NaN compares false: a NaN on one side only counts as a failure.
      if (!(d <= maxDifference)) maxDifference = Number.isNaN(d) ? (Number.isNaN(actual[i]) && Number.isNaN(expected[i]) ? maxDifference : Infinity) : d;
    }
    if (!(maxDifference <= COMPILE_TOLERANCE))
      return {
        compiled: false,
        reason: `the compiled model's outputs differ from the original's by ${maxDifference} (> ${COMPILE_TOLERANCE}) on the ${rowsFrom} rows`,
      };
    const size = (m: ModelFiles) => m.files.reduce((n, f) => n + f.bytes.byteLength, 0);
    return { compiled: true, model: compiled, stats: result.stats, maxDifference, rows, rowsFrom, bytes: { original: size(model), compiled: size(compiled) } };
  } finally {
    original.dispose();
    fused?.dispose();
  }
}

/** Reads a model directory and compiles it (for scripts and tests): see {@link compileModel}. */
export async function compileModelDir(dir: string, goldens?: readonly GoldenVector[]): Promise<CompileSuccess | CompileSkipped> {
  return compileModel(readModelFiles(dir), goldens);
}

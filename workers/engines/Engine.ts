/**
 * An inference engine as a small described object: which model formats it loads, which backends it runs
 * on, and how it loads, runs and releases a model. A {@link ModelSession} does everything else (features,
 * warm-up, goldens, batching, swap) the same whatever engine runs its model.
 */
import type { ModelFormat, ModelVersion } from '../../src/registry/Manifest.ts';
import type { BackendName } from '../protocol.ts';

/** Engines Edgewatch runs models with. */
export const EngineName = { tfjs: 'tfjs', ort: 'onnxruntime-web' } as const;
export type EngineName = (typeof EngineName)[keyof typeof EngineName];

/** One input or output tensor as the loaded model declares it: `null` for an open size (e.g. the batch). */
export interface TensorSignature {
  readonly name: string;
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
}

/** A model an engine loaded; the session reads only its signature. */
export interface EngineModel {
  /** The input the feature rows go to first (its shape decides the batch shape), then any others. */
  readonly inputs: readonly TensorSignature[];
  /** The output read as the scores first, then any others. */
  readonly outputs: readonly TensorSignature[];
}

/** An engine (see the file comment). */
export interface Engine<M extends EngineModel = EngineModel> {
  readonly name: EngineName;
  readonly formats: readonly ModelFormat[];
  /** Backends it can run on, in its default order. */
  readonly backends: readonly BackendName[];
  /** Builds the model from verified artifact bytes, on `backend`, for feature rows of `width` values. */
  load(entry: ModelVersion, files: ReadonlyMap<string, Uint8Array>, backend: BackendName, width: number): Promise<M>;
  /**
   * Runs row-major feature rows of `shape` (`[rows, …example]`) and returns the scores output's values
   * (a fresh array the caller owns), every tensor of the call released.
   */
  predict(model: M, batch: Float32Array, shape: readonly number[]): Promise<Float32Array>;
  /** Ahead-of-time work before the first real call (WebGPU pipelines compiled together). */
  warm?(model: M, shape: readonly number[]): Promise<void>;
  /** Releases the model's weights and session. */
  dispose(model: M): void;
}

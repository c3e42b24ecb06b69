/**
 * One loaded model version inside the worker: verified artifacts → TF.js model on the active backend,
 * compiled features, warm-up, golden-vector check, and predictions with every tensor disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import { compile, type CompiledFeatures } from '../src/features/compile.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import { loadArtifacts } from '../src/models/loadArtifacts.ts';
import { memoryIOHandler } from '../src/models/memoryIOHandler.ts';
import type { ModelVersion } from '../src/registry/Manifest.ts';
import type { BackendName, LoadRequest, SessionInfo } from './protocol.ts';

/** Largest absolute difference allowed between the publisher's golden features/scores and ours. */
export const GOLDEN_FEATURE_TOLERANCE = 1e-6;
export const GOLDEN_SCORE_TOLERANCE = 1e-4;

type Model = tf.LayersModel | tf.GraphModel;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return Number.isNaN(max) ? Infinity : max;
}

export class ModelSession {
  readonly name: string;
  readonly version: string;
  readonly entry: ModelVersion;
  readonly features: CompiledFeatures;
  readonly outputWidth: number;
  readonly info: SessionInfo;
  private readonly model: Model;

  private constructor(request: LoadRequest, model: Model, features: CompiledFeatures, outputWidth: number, info: SessionInfo) {
    this.name = request.name;
    this.version = request.version;
    this.entry = request.entry;
    this.model = model;
    this.features = features;
    this.outputWidth = outputWidth;
    this.info = info;
  }

  /** Downloads and verifies the artifacts, loads the model, warms it up and checks the golden vectors. */
  static async load(request: LoadRequest, backend: BackendName): Promise<ModelSession> {
    const started = performance.now();
    const { entry } = request;
    const features = compile(entry.features);
    const files = await loadArtifacts(request.manifestUrl, entry.artifacts);
    let model: Model;
    try {
      const handler = memoryIOHandler(files, entry.modelPath);
      model = entry.format === 'tfjs-graph' ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    } catch (cause) {
      if (cause instanceof EdgewatchError) throw cause;
      throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${request.name}@${request.version}: ${String(cause)}`, { name: request.name, version: request.version }, { cause });
    }
    const loadMs = performance.now() - started;
    const outputWidth =
      entry.outputs.kind === 'classification' ? entry.outputs.labels.length : (entry.outputs.names?.length ?? 1);
    const session = new ModelSession(request, model, features, outputWidth, {
      name: request.name,
      version: request.version,
      backend,
      inputWidth: features.width,
      outputWidth,
      loadMs,
      warmupMs: 0,
    });
    try {
      const warmStart = performance.now();
      // The first call compiles kernels/shaders and allocates; do it before a user waits on it.
      await session.predictBatch(new Float32Array(features.width), 1);
      (session.info as { warmupMs: number }).warmupMs = performance.now() - warmStart;
      await session.checkGoldens();
    } catch (error) {
      session.dispose();
      throw error;
    }
    return session;
  }

  /** Runs the model on a row-major feature batch; returns the scores, all tensors disposed. */
  async predictBatch(batch: Float32Array, rows: number): Promise<Float32Array> {
    const output = tf.tidy(() => {
      const input = tf.tensor2d(batch.subarray(0, rows * this.features.width), [rows, this.features.width]);
      const result = this.model.predict(input) as tf.Tensor | tf.Tensor[];
      return Array.isArray(result) ? result[0] : result;
    });
    try {
      // data(), never dataSync(): on GPU backends a sync readback blocks the worker's event loop.
      const scores = (await output.data()) as Float32Array;
      if (scores.length !== rows * this.outputWidth) {
        throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `Model gives ${scores.length / rows} outputs per row, manifest says ${this.outputWidth}`, {
          name: this.name,
          version: this.version,
        });
      }
      return scores;
    } finally {
      output.dispose();
    }
  }

  /** Raw records → scores. Throws `INPUT_INVALID` (naming the field and row) before touching the model. */
  async predict(records: readonly RawRecord[]): Promise<Float32Array> {
    const batch = this.features.transform(records);
    return this.predictBatch(batch, records.length);
  }

  /**
   * Train/serve skew check: the publisher's golden records must give the same features and scores here.
   * A mismatch fails the load, so a version whose features or weights differ from what was tested is never served.
   */
  private async checkGoldens(): Promise<void> {
    const goldens = this.entry.goldens ?? [];
    if (goldens.length === 0) return;
    const features = Float32Array.from(this.features.transform(goldens.map((g) => g.record)));
    const featureDiff = maxAbsDiff(features, goldens.flatMap((g) => g.features));
    if (featureDiff > GOLDEN_FEATURE_TOLERANCE) {
      throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${this.name}@${this.version}: golden features differ by ${featureDiff}`, {
        name: this.name,
        version: this.version,
        reason: 'golden-features',
        maxAbsDiff: featureDiff,
      });
    }
    const scores = await this.predictBatch(features, goldens.length);
    const scoreDiff = maxAbsDiff(scores, goldens.flatMap((g) => g.scores));
    if (scoreDiff > GOLDEN_SCORE_TOLERANCE) {
      throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${this.name}@${this.version}: golden scores differ by ${scoreDiff}`, {
        name: this.name,
        version: this.version,
        reason: 'golden-scores',
        maxAbsDiff: scoreDiff,
      });
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}

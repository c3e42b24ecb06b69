/**
 * One loaded model version inside the worker: verified artifacts → a model of its engine (TF.js or ONNX
 * Runtime, `engines/`) on the chosen backend, compiled features, warm-up, golden-vector check, and
 * predictions with every tensor disposed.
 */
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import { versionKey } from '../src/registry/versionKey.ts';
import { checkGoldens, GOLDEN_FEATURE_TOLERANCE } from '../src/features/checkGoldens.ts';
import { compile, type CompiledFeatures } from '../src/features/compile.ts';
import { batchRows, type RecordBatch } from '../src/features/RecordBatch.ts';
import type { ModelVersion } from '../src/registry/Manifest.ts';
import type { Engine, EngineModel } from './engines/Engine.ts';
import { engineFor } from './engines/engines.ts';
import type { BackendName, LoadRequest, SessionInfo } from './protocol.ts';

export { GOLDEN_FEATURE_TOLERANCE };
/** Largest absolute difference allowed between the publisher's golden scores and ours. */
export const GOLDEN_SCORE_TOLERANCE = 1e-4;

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
  /** What it was loaded from (to reload it elsewhere, e.g. after a GPU device loss). */
  readonly request: LoadRequest;
  readonly features: CompiledFeatures;
  readonly outputWidth: number;
  readonly info: SessionInfo;
  readonly engine: Engine;
  private readonly model: EngineModel;
  /** A model whose batch dimension is fixed takes batches of exactly this many rows; 0: any. */
  private readonly fixedBatch: number;
  private lastShape: readonly number[] | undefined;
  private inFlight = 0;
  private retiring = false;
  private disposed = false;

  private constructor(request: LoadRequest, engine: Engine, model: EngineModel, features: CompiledFeatures, outputWidth: number, info: SessionInfo) {
    this.request = request;
    this.engine = engine;
    const batchDim = model.inputs[0]?.shape[0];
    this.fixedBatch = typeof batchDim === 'number' && batchDim > 0 ? batchDim : 0;
    this.name = request.name;
    this.version = request.version;
    this.entry = request.entry;
    this.model = model;
    this.features = features;
    this.outputWidth = outputWidth;
    this.info = info;
  }

  /**
   * Loads the model from verified artifact bytes on the active backend, warms it up (shaders compiled
   * ahead of the first real call) and checks the golden vectors. Call once per backend when measuring.
   */
  static async create(request: LoadRequest, files: ReadonlyMap<string, Uint8Array>, backend: BackendName): Promise<ModelSession> {
    const started = performance.now();
    const { entry } = request;
    const features = compile(entry.features);
    const engine = engineFor(entry.format);
    let model: EngineModel;
    try {
      model = await engine.load(entry, files, backend, features.width);
    } catch (cause) {
      if (cause instanceof EdgewatchError) throw cause;
      throw new EdgewatchError(
        ErrorCode.MODEL_LOAD_FAILED,
        `${versionKey(request.name, request.version)}: ${String(cause)}`,
        { name: request.name, version: request.version },
        { cause },
      );
    }
    const loadMs = performance.now() - started;
    const outputWidth = entry.outputs.kind === 'classification' ? entry.outputs.labels.length : (entry.outputs.names?.length ?? 1);
    const session = new ModelSession(request, engine, model, features, outputWidth, {
      name: request.name,
      version: request.version,
      backend,
      inputWidth: features.width,
      outputWidth,
      loadMs,
      warmupMs: 0,
    });
    (session.info as { inputShape: readonly number[] }).inputShape = session.inputShape(1).slice(1);
    try {
      const warmStart = performance.now();
      await engine.warm?.(model, session.inputShape(1));
      // The first real call allocates and uploads weights; do it before a user waits on it.
      await session.predictBatch(new Float32Array(features.width), 1);
      (session.info as { warmupMs: number }).warmupMs = performance.now() - warmStart;
      await session.checkGoldens();
    } catch (error) {
      session.dispose();
      throw error;
    }
    return session;
  }

  /**
   * The model's input shape for `rows` rows: `[rows, width]` for a flat model, or the model's own shape
   * (e.g. `[rows, 224, 224, 3]` for an image model fed by a pass-through feature) when its size matches.
   */
  private inputShape(rows: number): readonly number[] {
    // The same row count as the last call (most calls): the same shape (it is read, never changed).
    if (this.lastShape?.[0] === rows) return this.lastShape;
    const shape = this.shapeFor(rows);
    this.lastShape = shape;
    return shape;
  }

  private shapeFor(rows: number): number[] {
    const declared = this.model.inputs[0]?.shape ?? [];
    const inner = declared.slice(1).map((d) => (d === null || d < 0 ? Number.NaN : d));
    const size = inner.reduce((a, b) => a * b, 1);
    if (inner.length > 1 && size === this.features.width) return [rows, ...inner];
    return [rows, this.features.width];
  }

  /**
   * Runs the model on a row-major feature batch; returns the scores, all tensors disposed. A model with a
   * fixed batch dimension gets batches of that size, the last one padded with zero rows.
   */
  async predictBatch(batch: Float32Array, rows: number): Promise<Float32Array> {
    const { width } = this.features;
    const step = this.fixedBatch || rows;
    let scores: Float32Array | undefined;
    for (let at = 0; at < rows; at += step) {
      const take = Math.min(step, rows - at);
      let chunk = batch.subarray(at * width, (at + take) * width);
      if (take < step) {
        chunk = new Float32Array(step * width);
        chunk.set(batch.subarray(at * width, (at + take) * width));
      }
      const out = await this.engine.predict(this.model, chunk, this.inputShape(step));
      if (out.length !== step * this.outputWidth) {
        throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `Model gives ${out.length / step} outputs per row, manifest says ${this.outputWidth}`, {
          name: this.name,
          version: this.version,
        });
      }
      if (step === rows) return out;
      scores ??= new Float32Array(rows * this.outputWidth);
      scores.set(out.subarray(0, take * this.outputWidth), at * this.outputWidth);
    }
    return scores ?? new Float32Array(0);
  }

  /**
   * Raw records → scores. Throws `INPUT_INVALID` (naming the field and row) before touching the model.
   * `onFeatures` sees the feature batch synchronously, before the model runs: the batch is a view of a
   * buffer the next call reuses, so monitoring must read it now.
   */
  async predict(records: RecordBatch, onFeatures?: (batch: Float32Array, rows: number) => void): Promise<Float32Array> {
    const batch = this.features.transform(records);
    const rows = batchRows(records);
    onFeatures?.(batch, rows);
    this.inFlight++;
    try {
      return await this.predictBatch(batch, rows);
    } finally {
      this.inFlight--;
      if (this.retiring && this.inFlight === 0) this.dispose();
    }
  }

  /**
   * Disposes once the predictions still running on this version have read their outputs: after a swap
   * the old version may have a batch awaiting its GPU readback.
   */
  retire(): void {
    this.retiring = true;
    if (this.inFlight === 0) this.dispose();
  }

  /**
   * Train/serve skew check: the publisher's golden records must give the same features and scores here.
   * A mismatch fails the load, so a version whose features or weights differ from what was tested is never served.
   */
  private async checkGoldens(): Promise<void> {
    const goldens = this.entry.goldens ?? [];
    if (goldens.length === 0) return;
    // Its own pipeline: golden rows must not show up in the serving pipeline's data-quality counters.
    const { ok, maxAbsDiff: featureDiff, row, column, features } = checkGoldens(this.entry.features, goldens);
    if (!ok) {
      throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${versionKey(this.name, this.version)}: golden features differ by ${featureDiff}`, {
        name: this.name,
        version: this.version,
        reason: 'golden-features',
        maxAbsDiff: featureDiff,
        row,
        column,
      });
    }
    const scores = await this.predictBatch(features, goldens.length);
    const scoreDiff = maxAbsDiff(
      scores,
      goldens.flatMap((g) => g.scores),
    );
    if (scoreDiff > GOLDEN_SCORE_TOLERANCE) {
      throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${versionKey(this.name, this.version)}: golden scores differ by ${scoreDiff}`, {
        name: this.name,
        version: this.version,
        reason: 'golden-scores',
        maxAbsDiff: scoreDiff,
      });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.dispose(this.model);
  }
}

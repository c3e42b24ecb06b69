import type { Remote } from 'comlink';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { ModelVersion, OutputSpec } from '../registry/Manifest.ts';
import type { ResolveOptions } from '../registry/resolveVersion.ts';
import type { PredictResponse, SessionInfo, WorkerApi } from '../../workers/protocol.ts';
import { Batcher, type BatchOptions, type Settled } from './Batcher.ts';

/** Lifecycle of a model handle, as the `<edge-model>` element reflects it. */
export const ModelStatus = {
  loading: 'loading',
  ready: 'ready',
  updating: 'updating',
  error: 'error',
  offline: 'offline',
} as const;
export type ModelStatus = (typeof ModelStatus)[keyof typeof ModelStatus];

/** One prediction. */
export interface Prediction {
  /** Unique id; pass it to `feedback()` when the true label arrives. */
  readonly predictionId: string;
  /** The model version that answered. */
  readonly version: string;
  readonly backend: string;
  /** Raw model outputs for this record (class probabilities for a classifier). */
  readonly scores: Float32Array;
  /** Classifiers: the most likely label and its index. */
  readonly label?: string;
  readonly labelIndex?: number;
}

/** What a handle needs from its runtime. */
export interface HandleHost {
  worker(): Promise<Remote<WorkerApi>>;
  resolve(name: string, options: ResolveOptions): Promise<{ version: string; entry: ModelVersion; manifestUrl: string }>;
  activated(info: SessionInfo): void;
  failed(name: string, error: EdgewatchError): void;
}

function split(response: PredictResponse, entry: ModelVersion, from: number, count: number): Prediction[] {
  const labels = entry.outputs.kind === 'classification' ? entry.outputs.labels : undefined;
  const width = response.outputWidth;
  const out: Prediction[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const row = from + i;
    const scores = response.scores.slice(row * width, (row + 1) * width);
    let best = 0;
    for (let c = 1; c < width; c++) if (scores[c] > scores[best]) best = c;
    out[i] = {
      predictionId: `${response.idPrefix}:${row}`,
      version: response.version,
      backend: response.backend,
      scores,
      ...(labels ? { label: labels[best], labelIndex: best } : {}),
    };
  }
  return out;
}

/**
 * A model of the registry, as the app uses it: `predict()` resolves per call while requests are
 * micro-batched underneath into one worker message per window.
 */
export class ModelHandle {
  readonly name: string;
  status: ModelStatus = ModelStatus.loading;
  /** Serving version, once loaded. */
  version: string | undefined;
  /** Backend it runs on, once loaded. */
  backend: string | undefined;
  private entry: ModelVersion | undefined;

  /** What the serving version's outputs mean (labels of a classifier), once loaded. */
  get outputs(): OutputSpec | undefined {
    return this.entry?.outputs;
  }
  private loading: Promise<this> | undefined;
  private readonly batcher: Batcher<readonly RawRecord[], Prediction[]>;

  constructor(
    name: string,
    private readonly host: HandleHost,
    private readonly resolveOptions: ResolveOptions,
    batch: BatchOptions,
  ) {
    this.name = name;
    this.batcher = new Batcher((requests) => this.runBatch(requests), batch, (records) => records.length);
  }

  /** Resolves once a version is loaded and serving. Starts loading on first call. */
  ready(): Promise<this> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<this> {
    try {
      const worker = await this.host.worker();
      const { version, entry, manifestUrl } = await this.host.resolve(this.name, this.resolveOptions);
      const info = await worker.load({ name: this.name, version, manifestUrl, entry });
      this.entry = entry;
      this.version = info.version;
      this.backend = info.backend;
      this.status = ModelStatus.ready;
      this.host.activated(info);
      return this;
    } catch (cause) {
      this.status = ModelStatus.error;
      this.loading = undefined; // the next ready() retries
      const error = isEdgewatchError(cause)
        ? cause
        : new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `Loading "${this.name}" failed: ${String(cause)}`, { name: this.name }, { cause });
      this.host.failed(this.name, error);
      throw error;
    }
  }

  /** Predicts one record. Bad input rejects with `INPUT_INVALID` naming the field. */
  predict(record: RawRecord): Promise<Prediction>;
  /** Predicts several records in one request. */
  predict(records: readonly RawRecord[]): Promise<Prediction[]>;
  async predict(input: RawRecord | readonly RawRecord[]): Promise<Prediction | Prediction[]> {
    const many = Array.isArray(input);
    const records: readonly RawRecord[] = many ? (input as readonly RawRecord[]) : [input as RawRecord];
    if (records.length === 0) return [];
    await this.ready();
    const predictions = await this.batcher.add(records);
    return many ? predictions : predictions[0];
  }

  /** The model inputs the worker computes for `records` under the serving version's feature spec. */
  async features(records: readonly RawRecord[]): Promise<Float32Array> {
    await this.ready();
    return (await this.host.worker()).features(this.name, records);
  }

  /**
   * Runs queued requests as one worker call. A record the worker rejects as `INPUT_INVALID` fails only
   * its own request (its row renumbered within that request); the others are re-sent without it.
   */
  private async runBatch(requests: readonly (readonly RawRecord[])[]): Promise<Settled<Prediction[]>[]> {
    const worker = await this.host.worker();
    const results: Settled<Prediction[]>[] = new Array(requests.length);
    let pending = requests.map((records, index) => ({ records, index }));
    while (pending.length > 0) {
      const all = pending.flatMap((p) => p.records);
      try {
        const response = await worker.predict(this.name, all);
        let from = 0;
        for (const p of pending) {
          results[p.index] = { ok: true, value: split(response, this.entry as ModelVersion, from, p.records.length) };
          from += p.records.length;
        }
        pending = [];
      } catch (error) {
        if (!isEdgewatchError(error, ErrorCode.INPUT_INVALID) || typeof error.details.row !== 'number') throw error;
        const row = error.details.row;
        let from = 0;
        const culprit = pending.findIndex((p) => {
          const hit = row < from + p.records.length;
          if (!hit) from += p.records.length;
          return hit;
        });
        if (culprit < 0) throw error;
        const own = new EdgewatchError(ErrorCode.INPUT_INVALID, error.message.replace(`record ${row}`, `record ${row - from}`), {
          ...error.details,
          row: row - from,
        });
        results[pending[culprit].index] = { ok: false, error: own };
        pending = pending.filter((_, i) => i !== culprit);
      }
    }
    return results;
  }
}

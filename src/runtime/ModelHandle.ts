import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { DownloadProgress } from '../models/loadArtifacts.ts';
import type { FeedbackResult } from '../monitor/ModelMonitor.ts';
import type { CompareOptions } from '../monitor/summary/compare.ts';
import { DriftSummary } from '../monitor/summary/DriftSummary.ts';
import type { DriftDetail } from './events.ts';
import type { ModelVersion, OutputSpec } from '../registry/Manifest.ts';
import type { ResolveOptions } from '../registry/resolveVersion.ts';
import type { LoadRequest, PredictResponse, SessionInfo, WorkerApi } from '../../workers/protocol.ts';
import { Batcher, type BatchOptions, type Settled } from './Batcher.ts';
import type { DownloadProgressDetail, RolledBackDetail } from './events.ts';
import { HealthWatch, type HealthPolicy } from './HealthWatch.ts';

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
  /** Time the batch this prediction rode in spent in the worker, ms. */
  readonly workerMs: number;
}

/** What a handle needs from its runtime. */
export interface HandleHost {
  /** Runs `fn` against the worker; re-runs it on a restarted worker if this one dies first. */
  call<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T>;
  resolve(name: string, options: ResolveOptions): Promise<{ version: string; entry: ModelVersion; manifestUrl: string }>;
  /** A version is serving: remember its request so a restarted worker reloads it. */
  activated(info: SessionInfo, request: LoadRequest, previous: string | undefined): void;
  progress(detail: DownloadProgressDetail): void;
  /** A version failed (load or health) here: do not offer it again until the manifest changes. */
  rolledBack(detail: RolledBackDetail): Promise<void>;
  failed(name: string, error: EdgewatchError): void;
  readonly health: HealthPolicy;
  /** A change detector fired on label feedback (optional: hosts without events ignore it). */
  drift?(detail: DriftDetail): void;
}

/** The prediction of row `row` of a batch's response. */
function predictionAt(response: PredictResponse, labels: readonly string[] | undefined, row: number): Prediction {
  const width = response.outputWidth;
  // A view, not a copy: the batch's buffer was transferred to us and is not reused.
  const scores = response.scores.subarray(row * width, (row + 1) * width);
  // the worker sends each row's class; a row with a NaN score (-1 there) gets the largest of the rest
  let best = response.classes?.[row] ?? -1;
  if (best < 0) {
    best = 0;
    for (let c = 1; c < width; c++) if (scores[c] > scores[best]) best = c;
  }
  // One literal per prediction (no spread of an optional part): 1,000 concurrent calls make 1,000 of these.
  return {
    predictionId: `${response.idPrefix}:${row}`,
    version: response.version,
    backend: response.backend,
    scores,
    workerMs: response.workerMs,
    label: labels?.[best],
    labelIndex: labels ? best : undefined,
  };
}

/** One `predict()` call as the batcher queues it: a single record is answered with one prediction. */
interface PredictRequest {
  readonly records: readonly RawRecord[];
  readonly single: boolean;
}

/**
 * A model of the registry, as the app uses it: `predict()` resolves per call while requests are
 * micro-batched underneath into one worker message. New versions are activated beside the serving one
 * and swapped atomically; a new version that misbehaves in its first predictions is rolled back.
 */
export class ModelHandle {
  readonly name: string;
  status: ModelStatus = ModelStatus.loading;
  /** Serving version, once loaded. */
  version: string | undefined;
  /** Backend it runs on, once loaded. */
  backend: string | undefined;
  private entry: ModelVersion | undefined;
  private request: LoadRequest | undefined;
  /** The version served before the current one: where a rollback goes. */
  private previous: LoadRequest | undefined;
  private watch: HealthWatch | undefined;
  /** Entries of every version this handle has served: a batch may answer from the one before a swap. */
  private readonly entries = new Map<string, ModelVersion>();
  private swapping: Promise<unknown> = Promise.resolve();
  private loading: Promise<this> | undefined;
  private readonly batcher: Batcher<PredictRequest, Prediction | Prediction[]>;

  constructor(
    name: string,
    private readonly host: HandleHost,
    private readonly resolveOptions: ResolveOptions,
    batch: BatchOptions,
  ) {
    this.name = name;
    this.batcher = new Batcher((requests) => this.runBatch(requests), batch, (request) => request.records.length);
  }

  /** What the serving version's outputs mean (labels of a classifier), once loaded. */
  get outputs(): OutputSpec | undefined {
    return this.entry?.outputs;
  }

  /** The version a rollback would return to, if any. */
  get previousVersion(): string | undefined {
    return this.previous?.version;
  }

  /** Resolves once a version is loaded and serving. Starts loading on first call. */
  ready(): Promise<this> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async loadRequest(request: LoadRequest): Promise<SessionInfo> {
    const onProgress = (p: DownloadProgress) => this.host.progress({ name: this.name, version: request.version, ...p });
    return this.host.call((api) => api.load(request, onProgress));
  }

  private swapTo(info: SessionInfo, request: LoadRequest, watch: boolean): void {
    const replaced = this.request;
    this.entries.set(info.version, request.entry);
    if (replaced && replaced.version !== request.version) this.previous = replaced;
    this.request = request;
    this.entry = request.entry;
    this.version = info.version;
    this.backend = info.backend;
    this.status = ModelStatus.ready;
    this.watch = watch && replaced ? new HealthWatch(info.version, this.host.health) : undefined;
    this.host.activated(info, request, replaced?.version);
  }

  private async load(version?: string): Promise<this> {
    let request: LoadRequest | undefined;
    try {
      const options = version === undefined ? this.resolveOptions : { ...this.resolveOptions, version };
      const { version: resolved, entry, manifestUrl } = await this.host.resolve(this.name, options);
      if (resolved === this.version) {
        this.status = ModelStatus.ready;
        return this;
      }
      request = { name: this.name, version: resolved, manifestUrl, entry };
      this.swapTo(await this.loadRequest(request), request, true);
      return this;
    } catch (cause) {
      const error = isEdgewatchError(cause)
        ? cause
        : new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `Loading "${this.name}" failed: ${String(cause)}`, { name: this.name }, { cause });
      if (this.version === undefined) {
        this.status = ModelStatus.error;
        this.loading = undefined; // the next ready() retries
      } else {
        this.status = ModelStatus.ready; // a failed swap leaves the serving version serving
      }
      if (request && this.version !== undefined && error.code !== ErrorCode.WORKER_CRASHED) {
        // It never served, so the "rollback" is staying where we are; remember not to try it again.
        await this.host.rolledBack({ name: this.name, from: request.version, to: this.version, reason: `failed to activate: ${error.message}`, error });
      }
      this.host.failed(this.name, error);
      throw error;
    }
  }

  /**
   * Loads `version` (or, without one, whatever the manifest now offers this device) beside the serving
   * one, warms it, then swaps atomically between batches: every prediction is answered by exactly one
   * version and reports which. If anything fails, the current version keeps serving and this rejects.
   */
  activate(version?: string): Promise<this> {
    const run = async () => {
      await this.ready().catch(() => undefined);
      this.status = ModelStatus.updating;
      const swapped = this.load(version);
      this.loading = swapped.catch(() => this);
      return swapped;
    };
    const next = this.swapping.then(run, run);
    this.swapping = next.catch(() => undefined);
    return next;
  }

  /** Goes back to the previous version (by hand, or when the health watch says so). */
  rollback(reason = 'rolled back by the app'): Promise<this> {
    const run = async () => {
      const from = this.request;
      const to = this.previous;
      if (!from || !to) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `"${this.name}" has no previous version to roll back to`, { name: this.name });
      this.status = ModelStatus.updating;
      const info = await this.loadRequest(to);
      this.swapTo(info, to, false);
      this.previous = undefined;
      await this.host.rolledBack({ name: this.name, from: from.version, to: to.version, reason });
      return this;
    };
    const next = this.swapping.then(run, run);
    this.swapping = next.catch(() => undefined);
    return next;
  }

  /** Predicts one record. Bad input rejects with `INPUT_INVALID` naming the field. */
  predict(record: RawRecord): Promise<Prediction>;
  /** Predicts several records in one request. */
  predict(records: readonly RawRecord[]): Promise<Prediction[]>;
  predict(input: RawRecord | readonly RawRecord[]): Promise<Prediction | Prediction[]> {
    // Not async: the hot path makes one promise per call, the batcher's.
    const single = !Array.isArray(input);
    const records: readonly RawRecord[] = single ? [input as RawRecord] : (input as readonly RawRecord[]);
    if (records.length === 0) return Promise.resolve([]);
    if (this.version === undefined) return this.ready().then(() => this.batcher.add({ records, single }));
    return this.batcher.add({ records, single });
  }

  /**
   * Reports the true label of an earlier prediction (a class name or index; a number for a regressor).
   * The worker joins it with the prediction if it still keeps it (bounded by count and age), updates the
   * quality of the prediction's window and the change detectors; the result says which fired, and the
   * runtime dispatches `drift` when one did.
   *
   * @throws EdgewatchError `INPUT_INVALID` for a label the model does not know.
   */
  async feedback(predictionId: string, label: string | number): Promise<FeedbackResult> {
    await this.ready();
    const result = await this.host.call((api) => api.feedback(this.name, predictionId, label));
    if (result.drift.length > 0 && result.version !== undefined) {
      this.host.drift?.({ name: this.name, version: result.version, detectors: result.drift, predictionId });
    }
    return result;
  }

  /**
   * The drift summary of a version (default: the serving one) over `window` (default: everything
   * stored): sketches from IndexedDB and the worker's memory, merged, with the report against the
   * version's baseline when the manifest ships one. Undefined when nothing was observed.
   */
  async driftSummary(options: { readonly window?: { readonly from?: number; readonly to?: number }; readonly version?: string } & CompareOptions = {}): Promise<DriftSummary | undefined> {
    await this.ready();
    const version = options.version ?? (this.version as string);
    const window = await this.host.call((api) => api.windows(this.name, version, options.window));
    if (!window) return undefined;
    return DriftSummary.summarize(window, this.entries.get(version)?.baseline, options);
  }

  /** The model inputs the worker computes for `records` under the serving version's feature spec. */
  async features(records: readonly RawRecord[]): Promise<Float32Array> {
    await this.ready();
    return this.host.call((api) => api.features(this.name, records));
  }

  /** Health verdict on a batch of a watched version; rolls back and returns true when it failed. */
  private async judged(reason: string | null): Promise<boolean> {
    if (reason === null) {
      if (this.watch?.done) this.watch = undefined;
      return false;
    }
    this.watch = undefined;
    await this.rollback(reason).catch((error) => this.host.failed(this.name, error));
    return true;
  }

  /**
   * Runs queued requests as one worker call. A record the worker rejects as `INPUT_INVALID` fails only
   * its own request (its row renumbered within that request); the others are re-sent without it. A batch
   * that shows a freshly activated version unhealthy is re-run on the version rolled back to.
   */
  private async runBatch(requests: readonly PredictRequest[]): Promise<Settled<Prediction | Prediction[]>[]> {
    const results: Settled<Prediction | Prediction[]>[] = new Array(requests.length);
    let pending = requests.map(({ records, single }, index) => ({ records, single, index }));
    while (pending.length > 0) {
      let all: RawRecord[] = [];
      for (const p of pending) {
        if (p.records.length === 1) all.push(p.records[0]);
        else all = all.concat(p.records);
      }
      const watched = this.watch;
      let response: PredictResponse;
      try {
        response = await this.host.call((api) => api.predict(this.name, all));
      } catch (error) {
        if (isEdgewatchError(error, ErrorCode.INPUT_INVALID) && typeof error.details.row === 'number') {
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
          continue;
        }
        if (watched && watched === this.watch && (await this.judged(watched.failed()))) continue;
        throw error;
      }
      if (watched && response.version === watched.version && watched === this.watch) {
        if (await this.judged(watched.answered(response.scores, response.rows))) continue;
      }
      const entry = this.entries.get(response.version);
      const labels = entry?.outputs.kind === 'classification' ? entry.outputs.labels : undefined;
      let from = 0;
      for (const p of pending) {
        const count = p.records.length;
        let value: Prediction | Prediction[];
        if (p.single) value = predictionAt(response, labels, from);
        else {
          value = new Array<Prediction>(count);
          for (let i = 0; i < count; i++) value[i] = predictionAt(response, labels, from + i);
        }
        results[p.index] = { ok: true, value };
        from += count;
      }
      pending = [];
    }
    return results;
  }
}

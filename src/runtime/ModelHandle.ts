import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import type { InputSpec, RawRecord } from '../features/FeatureSpec.ts';
import { looksLikeTensor, snapshotTensor, type TensorData, type TensorInput, tensorInputOf, tensorRecords, tensorRefused } from '../features/tensorInput.ts';
import { inputInvalid, inputInvalidDetails } from '../inputInvalid.ts';
import { decodeError } from '../WireError.ts';
import type { DownloadProgress } from '../models/loadArtifacts.ts';
import type { FeedbackResult } from '../monitor/ModelMonitor.ts';
import type { CompareOptions } from '../monitor/summary/compare.ts';
import { DriftSummary } from '../monitor/summary/DriftSummary.ts';
import { checkBucketMs, type DriftSeries, driftSeries } from '../monitor/summary/driftSeries.ts';
import type { ModelVersion, OutputSpec } from '../registry/Manifest.ts';
import type { ResolveOptions } from '../registry/resolveVersion.ts';
import type { TimeRange } from '../TimeRange.ts';
import type { LoadRequest, PredictResponse, SessionInfo } from '../../workers/protocol.ts';
import { Batcher, type BatchOptions, type Settled } from './Batcher.ts';
import { ActivatedEvent, DownloadProgressEvent, DriftEvent, EdgeErrorEvent, RolledBackEvent, type RolledBackDetail } from './events.ts';
import { HealthWatch, type HealthPolicy } from './HealthWatch.ts';
import { uncloneableField } from './uncloneableField.ts';
import type { VersionResolver } from './VersionResolver.ts';
import type { WorkerConnection } from './WorkerConnection.ts';

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

/** The parts of its runtime a handle works with. */
export interface ModelHandleParts {
  /** The worker: calls re-run on a restarted worker if this one dies first; serving versions are reloaded there. */
  readonly connection: Pick<WorkerConnection, 'call' | 'serve' | 'loadShadow' | 'unloadShadow' | 'callAfterHandover' | 'readAfterHandover'>;
  /** Which version to load; where a failed version is marked bad. */
  readonly versions: Pick<VersionResolver, 'resolve' | 'markBad' | 'hasChannel'>;
  /** Where the handle's events go (`activated`, `download-progress`, `rolled-back`, `error`, `drift`). */
  readonly dispatch: (event: Event) => void;
  readonly health: HealthPolicy;
  readonly batch: Required<Omit<BatchOptions, 'maxQueued'>> & Pick<BatchOptions, 'maxQueued'>;
  /** Storage refused to keep something (reported once per kind by the runtime). */
  readonly degraded?: (error: EdgewatchError) => void;
}

/** Failures of the line to the worker, not of the version being loaded: no reason to mark it bad. */
function isConnectionFailure(error: EdgewatchError): boolean {
  return error.code === ErrorCode.WORKER_CRASHED || error.code === ErrorCode.DISPOSED;
}

/** The prediction of row `row` of a batch's response. */
function predictionAt(response: PredictResponse, labels: readonly string[] | undefined, row: number): Prediction {
  const width = response.outputWidth;
  // A view, not a copy: the batch's buffer was transferred to us and is not reused. A one-row batch's
  // scores are the whole buffer: no view to make (a view costs ~0.5 µs, its buffer object made on demand).
  const scores = response.rows === 1 ? response.scores : response.scores.subarray(row * width, (row + 1) * width);
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

/** The tensor input of a version and the example shape its model takes (the worker's, or flat `[L]`). */
function tensorOf(entry: ModelVersion, info: SessionInfo): { readonly input: InputSpec; readonly shape: readonly number[] } | undefined {
  const input = tensorInputOf(entry.features);
  if (!input) return undefined;
  const declared = info.inputShape;
  const fits = declared !== undefined && declared.length > 0 && declared.reduce((a, b) => a * b, 1) === input.length;
  return { input, shape: fits ? declared : [input.length as number] };
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
  /** The serving version's tensor input and example shape, when its spec is a single tensor input. */
  private tensor: { readonly input: InputSpec; readonly shape: readonly number[] } | undefined;
  /** The version shadowing this one in the worker, once loaded there. */
  private shadowVersion: string | undefined;

  constructor(
    name: string,
    private readonly parts: ModelHandleParts,
    private readonly resolveOptions: ResolveOptions,
  ) {
    this.name = name;
    this.batcher = new Batcher(
      (requests) => this.runBatch(requests),
      parts.batch,
      (request) => request.records.length,
    );
  }

  /** What the serving version's outputs mean (labels of a classifier), once loaded. */
  get outputs(): OutputSpec | undefined {
    return this.entry?.outputs;
  }

  /** The version a rollback would return to, if any. */
  get previousVersion(): string | undefined {
    return this.previous?.version;
  }

  /**
   * What this handle should serve by the manifest in force: its own channel (or pin), which may differ from
   * the runtime's. The update check asks this, so `model(name, { channel: 'canary' })` follows canary.
   */
  resolveTarget(): Promise<LoadRequest> {
    return this.parts.versions.resolve(this.name, this.resolveOptions);
  }

  /** Resolves once a version is loaded and serving. Starts loading on first call. */
  ready(): Promise<this> {
    this.loading ??= this.load(() => this.parts.versions.resolve(this.name, this.resolveOptions));
    return this.loading;
  }

  private async loadRequest(request: LoadRequest): Promise<SessionInfo> {
    const onProgress = (p: DownloadProgress) => this.parts.dispatch(new DownloadProgressEvent({ name: this.name, version: request.version, ...p }));
    return this.parts.connection.call((api) => api.load(request, onProgress));
  }

  private swapTo(info: SessionInfo, request: LoadRequest, watch: boolean): void {
    const replaced = this.request;
    this.entries.set(info.version, request.entry);
    if (replaced && replaced.version !== request.version) this.previous = replaced;
    this.request = request;
    this.entry = request.entry;
    this.tensor = tensorOf(request.entry, info);
    this.version = info.version;
    this.backend = info.backend;
    this.status = ModelStatus.ready;
    this.watch = watch && replaced ? new HealthWatch(info.version, this.parts.health) : undefined;
    this.parts.connection.serve(request);
    const previous = replaced?.version;
    const { degraded, inputShape, ...activated } = info;
    this.parts.dispatch(new ActivatedEvent({ ...activated, ...(previous ? { previous } : {}) }));
    for (const wire of degraded ?? []) {
      const error = decodeError(wire);
      if (isEdgewatchError(error)) this.parts.degraded?.(error);
    }
  }

  private failed(error: EdgewatchError): void {
    this.parts.dispatch(new EdgeErrorEvent({ name: this.name, error }));
  }

  /** Marks the version given up as bad here, then tells the app. */
  private async rolledBack(detail: RolledBackDetail): Promise<void> {
    await this.parts.versions.markBad(detail.name, detail.from, detail.reason);
    this.parts.dispatch(new RolledBackEvent(detail));
  }

  /**
   * Loads the manifest's `shadow` channel, when it names another version than the serving one, beside it
   * in the worker (see `workers/shadow.ts`): it answers no caller, and a shadow that fails to load leaves
   * serving as it was (the summary then has no `shadow` section).
   */
  private async startShadow(): Promise<void> {
    let request: LoadRequest;
    try {
      // Resolved only where the manifest has one: an update check resolves each model once otherwise.
      if (!this.parts.versions.hasChannel(this.name, 'shadow')) throw new Error('no shadow channel');
      request = await this.parts.versions.resolve(this.name, { ...this.resolveOptions, version: undefined, channel: 'shadow' });
    } catch {
      // no shadow channel (any more), or nothing it names runs here
      if (this.shadowVersion !== undefined) {
        this.shadowVersion = undefined;
        await this.parts.connection.unloadShadow(this.name).catch(() => undefined);
      }
      return;
    }
    if (request.version === this.version || request.version === this.shadowVersion) return;
    this.shadowVersion = request.version;
    await this.parts.connection.loadShadow(request).catch(() => {
      if (this.shadowVersion === request.version) this.shadowVersion = undefined;
    });
  }

  /** Loads the version `target` names (resolved against the manifest) and swaps to it. */
  private async load(target: () => Promise<LoadRequest>): Promise<this> {
    let request: LoadRequest | undefined;
    try {
      const resolved = await target();
      if (resolved.version === this.version) {
        this.status = ModelStatus.ready;
        void this.startShadow();
        return this;
      }
      request = resolved;
      this.swapTo(await this.loadRequest(request), request, true);
      void this.startShadow();
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
      if (request && this.version !== undefined && !isConnectionFailure(error)) {
        // It never served, so the "rollback" is staying where we are; remember not to try it again.
        await this.rolledBack({ name: this.name, from: request.version, to: this.version, reason: `failed to activate: ${error.message}`, error });
      }
      this.failed(error);
      throw error;
    }
  }

  /**
   * Loads `version` (or, without one, whatever the manifest now offers this device) beside the serving
   * one, warms it, then swaps atomically between batches: every prediction is answered by exactly one
   * version and reports which. If anything fails, the current version keeps serving and this rejects.
   */
  activate(version?: string): Promise<this> {
    const options = version === undefined ? this.resolveOptions : { ...this.resolveOptions, version };
    return this.swap(() => this.parts.versions.resolve(this.name, options));
  }

  /**
   * {@link ModelHandle.activate} for a version already resolved (the runtime's update check passes what
   * it resolved, so a check resolves once per model).
   */
  activateResolved(request: LoadRequest): Promise<this> {
    return this.swap(async () => request);
  }

  private swap(target: () => Promise<LoadRequest>): Promise<this> {
    const run = async () => {
      await this.ready().catch(() => undefined);
      this.status = ModelStatus.updating;
      const swapped = this.load(target);
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
      if (!from || !to)
        throw new EdgewatchError(ErrorCode.NO_PREVIOUS_VERSION, `"${this.name}" has no previous version to roll back to`, {
          name: this.name,
          version: from?.version,
        });
      this.status = ModelStatus.updating;
      const info = await this.loadRequest(to);
      this.swapTo(info, to, false);
      this.previous = undefined;
      await this.rolledBack({ name: this.name, from: from.version, to: to.version, reason });
      return this;
    };
    const next = this.swapping.then(run, run);
    this.swapping = next.catch(() => undefined);
    return next;
  }

  /**
   * Predicts one example given as its values, for a model whose feature spec is a single tensor input (one
   * `number[]` input of length L through elementwise steps and `passThrough`; see `tensorInputOf`): a typed
   * array of numbers (`Float32Array`, `Uint8Array`…) or a `number[]` of exactly L values, row-major in the
   * model's input shape (`[224, 224, 3]`: RGB pixel by pixel). The same as `predict({ [input]: values })`.
   * The values are copied before this returns, so the caller may reuse its buffer.
   *
   * @throws EdgewatchError `INPUT_INVALID` when the length is not L (`details.expected`: the example shape,
   *   `details.got`: `[length]`, `details.field`: the input's name), when an element is not a finite number
   *   (`details.row`), or when the model takes records (`details.field` null).
   */
  predict(example: TensorData): Promise<Prediction>;
  /**
   * Predicts a batch given as `{ data, shape }`: `shape` is `[n, ...exampleShape]` (n examples) or
   * `exampleShape` (one), where `exampleShape` is the serving model's input shape without the batch
   * dimension; `data` holds the product of `shape` values, row-major. Resolves with one prediction per
   * example, in order (an array even for one). Errors as for a typed array; a wrong shape names
   * `details.expected` (`[-1, ...exampleShape]`) and `details.got` (the shape given).
   */
  predict(tensor: TensorInput): Promise<Prediction[]>;
  /** Predicts one record. Bad input rejects with `INPUT_INVALID` naming the field. */
  predict(record: RawRecord): Promise<Prediction>;
  /** Predicts several records in one request. */
  predict(records: readonly RawRecord[]): Promise<Prediction[]>;
  predict(input: RawRecord | readonly RawRecord[] | TensorData | TensorInput): Promise<Prediction | Prediction[]> {
    // Not async: the hot path makes one promise per call, the batcher's.
    if (Array.isArray(input) && input.length === 0) return Promise.resolve([]);
    if (this.version === undefined) {
      // Which tensors fit is known once a version serves; the values are taken now.
      const taken = snapshotTensor(input);
      return this.ready().then(() => this.enqueue(taken));
    }
    return this.enqueue(input);
  }

  private enqueue(input: RawRecord | readonly RawRecord[] | TensorData | TensorInput): Promise<Prediction | Prediction[]> {
    let records: readonly RawRecord[];
    let single: boolean;
    const features = this.entry?.features;
    if (features !== undefined && looksLikeTensor(input, features)) {
      // Checked against the serving version; a batch answered by a version swapped in meanwhile is checked by its pipeline.
      const tensor = this.tensor;
      try {
        if (!tensor) throw tensorRefused(features, input, this.name);
        ({ records, single } = tensorRecords(input as TensorData | TensorInput, tensor.input, tensor.shape));
      } catch (error) {
        return Promise.reject(error);
      }
      if (records.length === 0) return Promise.resolve([]);
    } else {
      single = !Array.isArray(input);
      records = single ? [input as RawRecord] : (input as readonly RawRecord[]);
    }
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
    // After a backend handoff, the old worker's predictions reach the new one first (their labels join there).
    const result = await this.parts.connection.callAfterHandover((api) => api.feedback(this.name, predictionId, label));
    if (result.drift.length > 0 && result.version !== undefined) {
      this.parts.dispatch(new DriftEvent({ name: this.name, version: result.version, detectors: result.drift, predictionId }));
    }
    return result;
  }

  /**
   * The drift summary of a version (default: the serving one) over `window` (default: everything
   * stored): sketches from IndexedDB and the worker's memory, merged, with the report against the
   * version's baseline when the manifest ships one. Undefined when nothing was observed.
   */
  async driftSummary(options: { readonly window?: TimeRange; readonly version?: string } & CompareOptions = {}): Promise<DriftSummary | undefined> {
    await this.ready();
    const version = options.version ?? (this.version as string);
    // Just after a handoff, the old worker's counts are still on their way to storage: read once they are there.
    const window = await this.parts.connection.readAfterHandover((api) => api.windows(this.name, version, options.window));
    if (!window) return undefined;
    const summary = DriftSummary.summarize(window, this.entries.get(version)?.baseline, options);
    const shadow = this.shadowVersion === undefined ? undefined : await this.parts.connection.readAfterHandover((api) => api.shadow(this.name));
    return shadow && shadow.champion === version ? { ...summary, shadow } : summary;
  }

  /**
   * Drift and quality over time of a version (default: the serving one) over `window`: the same windows
   * as {@link ModelHandle.driftSummary}, one point per `bucketMs` bucket (default one hour) that holds any,
   * each judged against the baseline by the same rules. Undefined when nothing was observed.
   *
   * @throws EdgewatchError `INPUT_INVALID` for a `bucketMs` that is not a positive number.
   */
  async driftSeries(
    options: { readonly window?: TimeRange; readonly version?: string; readonly bucketMs?: number } & CompareOptions = {},
  ): Promise<DriftSeries | undefined> {
    const bucketMs = checkBucketMs(options.bucketMs ?? 3_600_000);
    await this.ready();
    const version = options.version ?? (this.version as string);
    const buckets = await this.parts.connection.readAfterHandover((api) => api.windowBuckets(this.name, version, options.window ?? {}, bucketMs));
    return driftSeries(buckets, bucketMs, this.entries.get(version)?.baseline, options);
  }

  /** The model inputs the worker computes for `records` under the serving version's feature spec. */
  async features(records: readonly RawRecord[]): Promise<Float32Array> {
    await this.ready();
    return this.parts.connection.call((api) => api.features(this.name, records));
  }

  /** Health verdict on a batch of a watched version; rolls back and returns true when it failed. */
  private async judged(reason: string | null): Promise<boolean> {
    if (reason === null) {
      if (this.watch?.done) this.watch = undefined;
      return false;
    }
    this.watch = undefined;
    await this.rollback(reason).catch((error) => this.failed(error));
    return true;
  }

  /**
   * Runs queued requests as one worker call. A record the worker rejects as `INPUT_INVALID` fails only
   * its own request (its row renumbered within that request); the others are re-sent without it. So does a
   * record that cannot be sent at all (a function, Symbol, Proxy, throwing getter: checked per request
   * only after the batch failed to post). A batch
   * that shows a freshly activated version unhealthy is re-run on the version rolled back to.
   */
  private async runBatch(requests: readonly PredictRequest[]): Promise<Settled<Prediction | Prediction[]>[]> {
    const results: Settled<Prediction | Prediction[]>[] = new Array(requests.length);
    let pending = requests.map(({ records, single }, index) => ({ records, single, index }));
    while (pending.length > 0) {
      let all: readonly RawRecord[];
      // A lone single-record request's array is the handle's own (made in enqueue): sent as it is. An
      // app's array is copied, so changing it after predict() cannot change the batch.
      if (pending.length === 1 && pending[0].single) all = pending[0].records;
      else {
        let joined: RawRecord[] = [];
        for (const p of pending) {
          if (p.records.length === 1) joined.push(p.records[0]);
          else joined = joined.concat(p.records);
        }
        all = joined;
      }
      const watched = this.watch;
      let response: PredictResponse;
      try {
        response = await this.parts.connection.call((api) => api.predict(this.name, all));
      } catch (error) {
        const invalid = inputInvalidDetails(error);
        if (invalid) {
          const row = invalid.row;
          let from = 0;
          const culprit = pending.findIndex((p) => {
            const hit = row < from + p.records.length;
            if (!hit) from += p.records.length;
            return hit;
          });
          if (culprit < 0) throw error;
          results[pending[culprit].index] = { ok: false, error: inputInvalid({ ...invalid, row: row - from }) };
          pending = pending.filter((_, i) => i !== culprit);
          continue;
        }
        if (!isEdgewatchError(error)) {
          // Failed on this side, posting (DataCloneError, a throwing getter): find the requests that cannot
          // cross, fail each alone with INPUT_INVALID, and send the rest again.
          const before = pending.length;
          pending = pending.filter((p) => {
            for (let row = 0; row < p.records.length; row++) {
              const bad = uncloneableField(p.records[row]);
              if (!bad) continue;
              results[p.index] = { ok: false, error: inputInvalid({ field: bad.field, row, reason: bad.reason }) };
              return false;
            }
            return true;
          });
          if (pending.length < before) continue;
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

/**
 * The contract between the main-thread runtime and the inference worker. Both sides compile against
 * it; the runtime holds a comlink `Remote<WorkerApi>`.
 */
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import type { RecordBatch } from '../src/features/RecordBatch.ts';
import type { MonitorBudgetOptions } from '../src/monitor/MonitorBudget.ts';
import type { DownloadProgress } from '../src/models/loadArtifacts.ts';
import type { DetectorExport, FeedbackResult, RecentExport } from '../src/monitor/ModelMonitor.ts';
import type { ShadowState } from './shadow.ts';
import type { RetentionPolicy } from '../src/monitor/store/windowStore.ts';
import type { TimeRange } from '../src/TimeRange.ts';
import type { ShadowSummary } from '../src/monitor/summary/ShadowSummary.ts';
import type { WindowSketchJSON } from '../src/monitor/WindowSketch.ts';
import type { ModelVersion } from '../src/registry/Manifest.ts';
import type { WireError } from '../src/WireError.ts';

/** TF.js backends Edgewatch can run on. */
export const BackendName = { webgpu: 'webgpu', webgl: 'webgl', wasm: 'wasm', cpu: 'cpu' } as const;
export type BackendName = (typeof BackendName)[keyof typeof BackendName];

/** `'auto'`, or the backends to try, in order. */
export type BackendPreference = 'auto' | readonly BackendName[];

/**
 * Where the wasm binaries are served: a URL prefix (ending in `/`) or a URL per file name
 * (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`, and for
 * ONNX versions `ort-wasm-simd-threaded.wasm`, `ort-wasm-simd-threaded.asyncify.wasm`).
 */
export type WasmPaths = string | Readonly<Record<string, string>>;

/** Worker-wide settings, sent once after start. */
export interface WorkerConfig {
  readonly backends: BackendPreference;
  /** IndexedDB database for monitoring rows. */
  readonly dbName: string;
  /** How often in-memory monitoring counts are written to IndexedDB (ms). */
  readonly flushIntervalMs: number;
  /** Monitoring window length (ms); rows are aligned to it. */
  readonly windowMs: number;
  /**
   * Name of a Web Lock the worker holds for its whole life. The runtime queues for the same lock: it is
   * granted the moment the worker dies (crash, `terminate()`, `close()`), which is how a dead worker is
   * noticed without polling.
   */
  readonly lifeLock?: string;
  /** Remember the measured backend per device + model version in IndexedDB. Default true. */
  readonly rememberBackend?: boolean;
  /** Cache Storage name for verified artifacts; empty string: no cache. Default `${dbName}-artifacts`. */
  readonly cacheName?: string;
  /** Per-artifact download time limit (ms). Default 60 s. */
  readonly artifactTimeoutMs?: number;
  /**
   * Per-feature sketches, quality and predictions kept for labels (default true); false: the windows hold
   * counts only (predictions, classes, NaN, refused and repaired inputs, timings).
   */
  readonly monitoring?: boolean;
  /** Classifiers: also sketch every class probability per window (default false: class counts and confidence only). */
  readonly sketchScores?: boolean;
  /** How long monitoring rows are kept (hourly, then daily). */
  readonly retention?: RetentionPolicy;
  /** Predictions kept for late labels: at most `count`, at most `ageMs` old. Default 10,000 / 24 h. */
  readonly recentPredictions?: { readonly count?: number; readonly ageMs?: number };
  /** Share of inference time sketching may take under sustained load (see `MonitorBudget`). */
  readonly monitoringBudget?: MonitorBudgetOptions;
  /** Where the wasm binaries are served; default: next to the worker (the package) or Vite's asset URLs (the source tree). */
  readonly wasmPaths?: WasmPaths;
  /**
   * Under `'auto'`: the backends timed in the background once the first backend serves. Default: every
   * other backend, less cpu once wasm runs and WebGPU/WebGL on a software adapter (see `backgroundTrials.ts`).
   */
  readonly backendTrials?: readonly BackendName[];
  /** A timed backend replaces the serving one when it is at least this many times faster. Default 1.1. */
  readonly backendSwapSpeedup?: number;
  /**
   * wasm threads: a number starts the wasm backend with that many (cross-origin isolated pages only);
   * `'auto'` (default): the remembered measurement for this device and model, else 1, and under
   * `backends: 'auto'` 1…`hardwareConcurrency` are measured in the background (see `wasmThreads.ts`).
   * ONNX Runtime's wasm pool likewise (`ortTrials.ts`; unmeasured, ORT's own default).
   */
  readonly wasmThreads?: number | 'auto';
  /**
   * Set by the runtime on a worker it starts for a backend handoff (and on its later restarts): the
   * backend (and wasm threads) the trials measured, used on the first model as a remembered decision
   * would be, reported as `chosenBy: 'measured'`, with no trial (see `backgroundTrials.ts`); and ORT's
   * measured backend and thread count, given to its first session (see `ortTrials.ts`).
   */
  readonly measured?: MeasuredOutcome;
}

/** The outcome of the TF.js backend trials. */
export interface MeasuredBackend {
  readonly backend: BackendName;
  readonly threads?: number;
  readonly trials?: BackendInfo['trials'];
  readonly threadTrials?: BackendInfo['threadTrials'];
}

/**
 * What a handoff worker starts on (`WorkerConfig.measured`): the TF.js backend trials' outcome (absent
 * where no TF.js backend was measured), ORT's measured wasm thread count, or both.
 */
export interface MeasuredOutcome extends Partial<MeasuredBackend> {
  /** ORT's execution provider (wasm or webgpu), and on wasm its thread count. */
  readonly ortBackend?: BackendName;
  readonly ortThreads?: number;
  /** Measured median ms and output difference per ORT backend (`backend()`'s `trials` for ORT). */
  readonly ortTrials?: BackendInfo['trials'];
  /** Measured median ms of the ORT session per thread count (`backend()`'s `threadTrials` for ORT). */
  readonly ortThreadTrials?: BackendInfo['threadTrials'];
  /**
   * The engine trials' outcome per model name (`engineTrials.ts`): which encoding of which version the
   * old worker served, loaded here at once and timed no more (a remembered choice would be too, but
   * under `rememberBackend: false` there is none).
   */
  readonly engines?: Readonly<Record<string, MeasuredEngine>>;
}

/** Which encoding of a version the engine trials chose: `alternate` indexes its `alternates`, -1 its own. */
export interface MeasuredEngine {
  readonly version: string;
  readonly alternate: number;
  /** The trials' timings by encoding (`backend()`'s `trials`). */
  readonly trials?: Readonly<Record<string, unknown>>;
}

/** What the worker reports about the backend it chose. */
export interface BackendInfo {
  readonly name: BackendName;
  /** Backends that initialised, in the order tried. */
  readonly available: readonly BackendName[];
  /** Why others did not, by name. */
  readonly failed: Readonly<Partial<Record<BackendName, string>>>;
  /** From `GPUAdapter.info.isFallbackAdapter` when WebGPU was probed: true means a software adapter. */
  readonly webgpuFallbackAdapter?: boolean;
  /** The WebGPU adapter's `limits.maxBufferSize`, when WebGPU was probed (model requirements check it). */
  readonly webgpuMaxBufferSize?: number;
  /**
   * How the backend was chosen. `'measuring'`: under `'auto'`, the first backend of the version's
   * first-serving order (`firstServingOrder.ts`: cpu or wasm) serves while the other candidates are timed
   * in the background; `'measured'` once they were.
   */
  readonly chosenBy: 'measured' | 'remembered' | 'order' | 'measuring';
  /** Threads the wasm backend runs (1 unless the page is cross-origin isolated); only when `name` is wasm. */
  readonly threads?: number;
  /** Measured median ms of the model per wasm thread count, when measured (or remembered). */
  readonly threadTrials?: Readonly<Record<string, number>>;
  /** The engine it is a backend of: `tfjs` (absent: tfjs) or `onnxruntime-web`. */
  readonly engine?: 'tfjs' | 'onnxruntime-web';
  /** Measured median ms and output difference per candidate, when measured (or remembered). */
  readonly trials?: Readonly<Partial<Record<BackendName, { medianMs?: number; maxAbsDiff?: number; rejected?: string }>>>;
}

/** One background trial of a backend against the serving one (`backend-trial`). */
export interface BackendTrialReport {
  readonly type: 'trial';
  /** The model (and version) it was timed on. */
  readonly name: string;
  readonly version: string;
  readonly backend: BackendName;
  /** The backend serving meanwhile, timed on the same batch, A B A B. */
  readonly serving: BackendName;
  /** Median ms of the candidate and of the serving backend on the trial batch, readback included. */
  readonly medianMs?: number;
  readonly servingMs?: number;
  /** Engine and ORT trials: median ms per one-row call of the candidate, and of what serves (engine trials). */
  readonly singleMs?: number;
  readonly servingSingleMs?: number;
  /** Largest absolute difference from the serving backend's outputs. */
  readonly maxAbsDiff?: number;
  /** A wasm thread-count trial: the threads timed (`servingMs` is then 1 thread), in separate workers. */
  readonly threads?: number;
  /** Why the candidate was not timed (skipped) or cannot serve (rejected). */
  readonly skipped?: string;
  readonly rejected?: string;
  /** An engine trial (a version's alternate encoding): the candidate's engine and the serving one's. */
  readonly engine?: 'tfjs' | 'onnxruntime-web';
  readonly servingEngine?: 'tfjs' | 'onnxruntime-web';
}

/** The worker moved every serving model to another backend (`backend-changed`). */
export interface BackendChangeReport {
  readonly type: 'changed';
  readonly from: BackendName;
  readonly to: BackendName;
  /** Serving median / new median on the trial batch. */
  readonly speedup: number;
  /** An engine change: serving median / new median per one-row call (where it may have won instead). */
  readonly singleSpeedup?: number;
  /** An engine change (the version's alternate encoding now serves): the engines before and after. */
  readonly fromEngine?: 'tfjs' | 'onnxruntime-web';
  readonly toEngine?: 'tfjs' | 'onnxruntime-web';
  /** The backend info from now on. */
  readonly info: BackendInfo;
}

/**
 * The trials found a faster backend (or wasm thread count): the worker asks the runtime to start a worker
 * on it and hand the serving versions over (`WorkerConnection`). The listener's answer: undefined once
 * the new worker serves, else why the handoff did not happen (the asking worker keeps serving).
 */
export interface BackendHandoffRequest {
  readonly type: 'handoff';
  readonly from: BackendName;
  readonly to: BackendName;
  /** Serving median / candidate median on the trial batch. */
  readonly speedup: number;
  readonly measured: MeasuredOutcome;
}

/** What the worker says about its backend outside any call. */
export type BackendReport = BackendTrialReport | BackendChangeReport | BackendHandoffRequest;

/** Load one model version: where its manifest lives and its manifest entry. */
export interface LoadRequest {
  readonly name: string;
  readonly version: string;
  /** Absolute URL of the manifest; artifact paths resolve against it. */
  readonly manifestUrl: string;
  readonly entry: ModelVersion;
  /** Origins its artifacts may come from besides the registry's base URL (the app's `artifactOrigins`). */
  readonly artifactOrigins?: readonly string[];
}

/** A loaded, warmed-up model version. */
export interface SessionInfo {
  readonly name: string;
  readonly version: string;
  readonly backend: BackendName;
  readonly inputWidth: number;
  /**
   * The model's input shape for one example, as the worker feeds it: the model's own (`[224, 224, 3]`) when
   * its size is `inputWidth`, else `[inputWidth]`. What a tensor given to `predict()` is checked against.
   */
  readonly inputShape?: readonly number[];
  readonly outputWidth: number;
  /**
   * ms from the load request to the model built on its backend: artifacts fetched (or read from the
   * cache) and verified, the backend started (on the first load), the model parsed and its weights uploaded.
   */
  readonly loadMs: number;
  /** ms of warm-up (shader compilation, first call) and the golden-vector check. */
  readonly warmupMs: number;
  /** Of `loadMs`: the artifacts (ms). */
  readonly fetchMs?: number;
  /** Of `loadMs`: starting (or choosing) the backend, on the worker's first load (ms). */
  readonly backendMs?: number;
  /** Bytes fetched from the network for this load (0 when every artifact came from the cache). */
  readonly downloadedBytes?: number;
  /** Storage refused to keep the verified artifacts (`QUOTA_EXCEEDED`, `STORAGE_UNAVAILABLE`): served from memory. */
  readonly degraded?: readonly WireError[];
}

/** Scores of one batch: row-major `[rows, outputWidth]`, transferred, not copied. */
export interface PredictResponse {
  readonly version: string;
  readonly backend: BackendName;
  readonly rows: number;
  readonly outputWidth: number;
  readonly scores: Float32Array;
  /** Classifiers: each row's class (index of its largest score), -1 where a score is NaN or ±Infinity. */
  readonly classes?: Int32Array;
  /** Prefix of this batch's prediction ids; row i's id is `${idPrefix}:${i}`. */
  readonly idPrefix: string;
  /** Time in the worker for this batch (features + model + readback + monitoring), ms. */
  readonly workerMs: number;
}

/** What a worker handed over from passes to the serving one (see {@link WorkerApi.handOver}). */
export interface Handover {
  readonly recent: readonly RecentExport[];
  readonly shadows: readonly ShadowState[];
  /** The labelled predictions' ids, joined by newlines: a label sent again after the handoff is still a duplicate. */
  readonly labelled: string;
  /** Each version's change detectors: the evidence from the labels so far carries on (a concept change is not missed by a handoff). */
  readonly detectors: readonly DetectorExport[];
}

/** The buffers of a {@link Handover}: it is transferred on both legs (old worker → page → new worker), never copied. */
export function handoverBuffers(handover: Handover): ArrayBuffer[] {
  const recent = handover.recent.flatMap((e) => [e.seqs, e.windowStarts, e.ats, e.rows, e.widths, e.versionIndex, e.scores]);
  return [...recent, ...handover.shadows.map((s) => s.keptClasses)].map((a) => a.buffer as ArrayBuffer);
}

/** The worker's API. */
export interface WorkerApi {
  configure(config: WorkerConfig): Promise<void>;
  /**
   * Loads, verifies and warms a version beside the one serving, then swaps atomically between batches:
   * every batch is answered by exactly one version. The first load of a worker also chooses its backend.
   */
  load(request: LoadRequest, onProgress?: (progress: DownloadProgress) => void): Promise<SessionInfo>;
  /** The backend in use, once the first model chose it. */
  backend(): Promise<BackendInfo | undefined>;
  /** Where the worker reports background backend trials and backend changes (one listener; a later call replaces it). */
  watchBackend(listener: (report: BackendReport) => unknown): Promise<void>;
  /**
   * Serves `predict` with a minimal protocol ({@link PortRequest} / {@link PortReply}) on `port`, or, without
   * one, on the worker's own channel beside comlink (the runtime's way: a dedicated worker's `postMessage`
   * skips the MessagePort's extra hop, 10–30 µs a round trip in Chromium 156). The hot path skips comlink,
   * whose per-call bookkeeping costs ~80 µs a round trip; comlink stays for the control calls.
   */
  openPredictPort(port?: MessagePort): Promise<void>;
  predict(name: string, records: RecordBatch): Promise<PredictResponse>;
  /** The model inputs the worker computes for `records` (skew checks, debugging). */
  features(name: string, records: readonly RawRecord[]): Promise<Float32Array>;
  /** Writes pending monitoring counts to IndexedDB now. */
  flush(): Promise<void>;
  /** Joins a late label (class name or index; a number for regression) with a prediction made here (or taken over, see {@link takeOver}). */
  feedback(name: string, predictionId: string, label: string | number): Promise<FeedbackResult>;
  /**
   * What a worker taking over from this one in a backend handoff carries on with, asked once this worker's
   * calls in flight are answered: the predictions it keeps for late labels (its own and those it adopted)
   * and its shadows' counts and kept answers.
   */
  handOver(): Promise<Handover>;
  /** Adopts a handed-over worker's {@link Handover}, so labels for its predictions join here and its shadows' counts carry on. */
  takeOver(handover: Handover): Promise<{ readonly predictions: number; readonly labelled: number; readonly detectors: number; readonly shadows: number }>;
  /** One version's monitoring windows over `[from, to)`, stored and in memory, merged into one. */
  windows(name: string, version: string, range?: TimeRange): Promise<WindowSketchJSON | undefined>;
  /** The same windows merged per `bucketMs` bucket: one per non-empty bucket, oldest first (drift over time). */
  windowBuckets(name: string, version: string, range: TimeRange, bucketMs: number): Promise<WindowSketchJSON[]>;
  unload(name: string): Promise<void>;
  /**
   * Loads a version beside `request.name`'s serving one as its shadow (see `workers/shadow.ts`): it runs
   * on `share` (default 0.1) of the serving version's rows after each answer is posted and answers no caller.
   */
  loadShadow(request: LoadRequest, share?: number): Promise<SessionInfo>;
  /** Stops the shadow of `name`. */
  unloadShadow(name: string): Promise<void>;
  /** What the shadow of `name` did since it started: agreement, its classes, accuracy on labelled rows. */
  shadow(name: string): Promise<ShadowSummary | undefined>;
  /**
   * Median ms of the serving model of `name` on a trial batch (the goldens, else zeros) of up to 32 rows,
   * timed in this worker: how thread counts are compared, each in its own worker. Each of the `rounds`
   * timings is one call, or with `minRoundMs` the mean of calls repeated until that span is covered.
   */
  timeModel(name: string, rounds: number, maxRows?: number, minRoundMs?: number): Promise<number>;
  /**
   * One timed run of the serving model of `name` on the trial batch (as {@link timeModel}), with its
   * outputs: how a backend trial worker is timed and checked against the serving backend's.
   */
  trialRun(name: string): Promise<{ readonly ms: number; readonly outputs: Float32Array }>;
  /**
   * Runs the serving version of `name` through this worker's whole predict path — features, model,
   * classes, monitoring's per-batch work and sketches — on its golden records, in batches of 1 and of
   * `rows`, up to `rounds` times or `budgetMs` of work, against a scratch monitor that is then dropped:
   * nothing is counted, kept or stored. How a handoff's new worker gets its predict path compiled before
   * the switch (cold, its first real calls ran several times slower). Returns the rounds run; 0 where the
   * version has no goldens (nothing to run it on).
   */
  warmPredict(name: string, rounds: number, rows: number, budgetMs: number): Promise<number>;
  /** Live tensor count and backend, for leak checks; `onnxSessions`: ONNX Runtime sessions not yet released. */
  stats(): Promise<{ readonly numTensors: number; readonly backend: string | null; readonly onnxSessions: number }>;
}

/**
 * Marks the predict protocol's messages: on the worker's own channel they travel beside comlink's, and
 * each side leaves the other's alone.
 */
export const PREDICT_TAG = 'edgewatch:predict';

/** Where predict messages travel: a MessagePort, a Worker (page side) or the worker's own scope. */
export interface PredictEndpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

/**
 * A predict request on the predict port: `[tag, id, name, records]`. Positional, not an object: structured
 * clone writes and reads every key of an object on each message, and this one travels on every batch.
 * `records` is packed by column where possible (see `packRecords`): cheaper to clone than an array of objects.
 */
export type PortRequest = readonly [tag: typeof PREDICT_TAG, id: number, name: string, records: RecordBatch];

/**
 * The answer to a {@link PortRequest}, positional like it: an answer
 * `[tag, id, scores, classes, rows, outputWidth, workerMs, version, backend, idPrefix]` (the fields of
 * {@link PredictResponse}; `classes` null for a regressor), or a failure `[tag, id, error]`.
 */
export type PortReply =
  | readonly [
      tag: typeof PREDICT_TAG,
      id: number,
      scores: Float32Array,
      classes: Int32Array | null,
      rows: number,
      outputWidth: number,
      workerMs: number,
      version: string,
      backend: BackendName,
      idPrefix: string,
    ]
  | readonly [tag: typeof PREDICT_TAG, id: number, error: WireError];

/** True for a message of the predict protocol (either direction); anything else on the channel is comlink's. */
export function isPredictMessage(message: unknown): message is PortRequest | PortReply {
  return Array.isArray(message) && message[0] === PREDICT_TAG;
}

/**
 * The contract between the main-thread runtime and the inference worker. Both sides compile against
 * it; the runtime holds a comlink `Remote<WorkerApi>`.
 */
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import type { RecordBatch } from '../src/features/RecordBatch.ts';
import type { MonitorBudgetOptions } from '../src/monitor/MonitorBudget.ts';
import type { DownloadProgress } from '../src/models/loadArtifacts.ts';
import type { FeedbackResult } from '../src/monitor/ModelMonitor.ts';
import type { RetentionPolicy } from '../src/monitor/store/windowStore.ts';
import type { TimeRange } from '../src/TimeRange.ts';
import type { WindowSketchJSON } from '../src/monitor/WindowSketch.ts';
import type { ModelVersion } from '../src/registry/Manifest.ts';
import type { WireError } from '../src/WireError.ts';

/** TF.js backends Edgewatch can run on. */
export const BackendName = { webgpu: 'webgpu', webgl: 'webgl', wasm: 'wasm', cpu: 'cpu' } as const;
export type BackendName = (typeof BackendName)[keyof typeof BackendName];

/** `'auto'`, or the backends to try, in order. */
export type BackendPreference = 'auto' | readonly BackendName[];

/**
 * Where the TF.js wasm binaries are served: a URL prefix (ending in `/`) or a URL per file name
 * (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`).
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
  /** How the backend was chosen. */
  readonly chosenBy: 'measured' | 'remembered' | 'order';
  /** Measured median ms and output difference per candidate, when measured (or remembered). */
  readonly trials?: Readonly<Partial<Record<BackendName, { medianMs?: number; maxAbsDiff?: number; rejected?: string }>>>;
}

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
  readonly loadMs: number;
  readonly warmupMs: number;
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
  /**
   * Serves `predict` on a dedicated MessagePort with a minimal protocol ({@link PortRequest} /
   * {@link PortReply}). The hot path skips comlink, whose per-call bookkeeping costs ~80 µs a round trip;
   * comlink stays for the control calls.
   */
  openPredictPort(port: MessagePort): Promise<void>;
  predict(name: string, records: RecordBatch): Promise<PredictResponse>;
  /** The model inputs the worker computes for `records` (skew checks, debugging). */
  features(name: string, records: readonly RawRecord[]): Promise<Float32Array>;
  /** Writes pending monitoring counts to IndexedDB now. */
  flush(): Promise<void>;
  /** Joins a late label (class name or index; a number for regression) with a prediction made here. */
  feedback(name: string, predictionId: string, label: string | number): Promise<FeedbackResult>;
  /** One version's monitoring windows over `[from, to)`, stored and in memory, merged into one. */
  windows(name: string, version: string, range?: TimeRange): Promise<WindowSketchJSON | undefined>;
  /** The same windows merged per `bucketMs` bucket: one per non-empty bucket, oldest first (drift over time). */
  windowBuckets(name: string, version: string, range: TimeRange, bucketMs: number): Promise<WindowSketchJSON[]>;
  unload(name: string): Promise<void>;
  /** Live tensor count and backend, for leak checks. */
  stats(): Promise<{ readonly numTensors: number; readonly backend: string | null }>;
}

/** A predict request on the predict port. */
export interface PortRequest {
  readonly id: number;
  readonly name: string;
  /** Packed by column where possible (see `packRecords`): cheaper to clone than an array of objects. */
  readonly records: RecordBatch;
}

/** The answer to a {@link PortRequest}: the response, or the error as plain data. */
export type PortReply =
  | { readonly id: number; readonly ok: true; readonly value: PredictResponse }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

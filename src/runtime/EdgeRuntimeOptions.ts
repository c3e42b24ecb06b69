import type { RetentionPolicy } from '../monitor/store/windowStore.ts';
import type { MonitorBudgetOptions } from '../monitor/MonitorBudget.ts';
import type { BackendName, BackendPreference, WasmPaths } from '../../workers/protocol.ts';
import type { BatchOptions } from './Batcher.ts';
import type { HealthPolicy } from './HealthWatch.ts';

/** Options of {@link createEdgeRuntime}. */
export interface EdgeRuntimeOptions {
  /** URL of the registry manifest (relative URLs resolve against the page). */
  readonly registry: string | URL;
  /**
   * `'auto'` (default): the first prediction is served by the first backend that starts (cpu, then wasm for a
   * small tabular model, wasm, then cpu otherwise, read from the manifest entry: `firstServingOrder`);
   * the other backends are then timed in the background against it, in workers of their own (`backend-trial`
   * events), and one at least `backendSwapSpeedup` times faster with the same outputs takes over, handed over
   * to a new worker on it (`backend-changed`). The
   * outcome is remembered per device and model version. A list: the first of these that starts, in order.
   */
  readonly backends?: BackendPreference;
  /**
   * Under `'auto'`: the backends to time in the background. Default: every other backend except cpu once
   * wasm runs and WebGPU / WebGL on a software adapter (SwiftShader), whose trials take seconds of CPU and
   * never win. Naming them here times them anyway.
   */
  readonly backendTrials?: readonly BackendName[];
  /** Under `'auto'`: how many times faster a timed backend must be to replace the serving one. Default 1.1. */
  readonly backendSwapSpeedup?: number;
  /**
   * Threads of the wasm backend, where the page is cross-origin isolated (COOP + COEP; elsewhere 1).
   * `'auto'` (default): under `backends: 'auto'` 1…`hardwareConcurrency` are measured on the model in the
   * background, each in its own worker, and the fastest takes over at once through a handoff to a worker
   * started with that pool (a running wasm backend cannot change its pool), and from the next start.
   * A number: that many. The same for ONNX Runtime's wasm (its `numThreads`; unmeasured, ORT's own
   * default), measured on the first ONNX version it serves.
   */
  readonly wasmThreads?: number | 'auto';
  /** Remember the measured backend per device + model version in IndexedDB. Default true. */
  readonly rememberBackend?: boolean;
  /** Channel to follow when the app does not pin a version. Default `stable`. */
  readonly channel?: string;
  /**
   * Micro-batching. Default `{ maxSize: 64, maxWaitMs: 2, maxInFlight: 2, maxQueued: 100_000 }`; past `maxQueued`
   * waiting records a `predict()` is refused with `QUEUE_FULL` (back-pressure).
   */
  readonly batch?: Partial<BatchOptions>;
  /** IndexedDB database for monitoring. Default `edgewatch`. */
  readonly dbName?: string;
  /** How often monitoring counts reach IndexedDB (ms). Default 5000. */
  readonly flushIntervalMs?: number;
  /** Monitoring window (ms). Default one hour. */
  readonly windowMs?: number;
  /**
   * Per-feature and score sketches and label feedback in the worker. Default true. `false` keeps the
   * windows' exact counts only (predictions, classes, NaN, repairs, latency, health).
   */
  readonly monitoring?: boolean;
  /** Classifiers: also sketch each class probability (default false: predicted classes and confidence only). */
  readonly sketchScores?: boolean;
  /** How long monitoring rows are kept: hourly rows roll up into days after `hourlyMs`, days expire after `dailyMs`. */
  readonly retention?: RetentionPolicy;
  /** Predictions kept in the worker for late labels (`feedback`). Default 10,000 and 24 h. */
  readonly recentPredictions?: { readonly count?: number; readonly ageMs?: number };
  /**
   * Most of inference time that sketching may take under sustained load (default: 2 %, after a 20 ms
   * burst); beyond it a sample of each batch's rows is sketched. `{ share: Infinity }` sketches every row.
   */
  readonly monitoringBudget?: MonitorBudgetOptions;
  /**
   * `true` (default where `Worker` exists): run models in a Web Worker. `false`: on the main thread, same
   * API — for environments without workers; the page then does the inference work itself.
   */
  readonly worker?: boolean;
  /** Starts the inference worker. Default: the bundled worker. Tests and custom bundlers pass their own. */
  readonly createWorker?: () => Worker;
  /**
   * Where the inference worker script is served (relative URLs resolve against the page), for CDNs and
   * setups whose bundler does not emit the package's worker (`edgewatch/worker`,
   * `dist/worker/inference.worker.js`). Default: the worker the bundler emitted. Ignored with `createWorker`.
   */
  readonly workerUrl?: string | URL;
  /**
   * Where the TF.js wasm binaries are served: a URL prefix ending in `/` or a URL per file name. Default:
   * next to the worker script (the package ships them in `dist/worker/`).
   */
  readonly wasmPaths?: WasmPaths;
  /** How many times the worker may be restarted within a minute before calls fail with `WORKER_CRASHED`. Default 3. */
  readonly maxRestartsPerMinute?: number;
  /**
   * How long a worker may take to answer `configure()` and open its predict port (ms). A worker that dies
   * before then sends no signal (it holds no life lock yet); past this it counts as crashed and is
   * restarted. Default 30 s (the worker imports TF.js first).
   */
  readonly workerStartTimeoutMs?: number;
  /**
   * Pinned public keys (JWK, ES256). When given, only manifests signed by one of them are accepted; an
   * unsigned or wrongly signed manifest is refused (`SIGNATURE_INVALID`) and the last good one stays.
   */
  readonly publicKeys?: readonly JsonWebKey[];
  /**
   * Origins (e.g. `https://cdn.example.com`) model artifacts may be fetched from besides the registry's own
   * base URL (the manifest's directory). Anything else a manifest points at — another origin, a `..` escape,
   * a non-http(s) URL — is refused (`ARTIFACT_ORIGIN_REFUSED`). Default: none.
   */
  readonly artifactOrigins?: readonly string[];
  /** Largest manifest read, in bytes; a longer one is refused unread (`MANIFEST_TOO_LARGE`). Default 1 MiB. */
  readonly maxManifestBytes?: number;
  /** How often to check the registry for new versions (ms); 0 turns polling off. Default 30 minutes. */
  readonly updateIntervalMs?: number;
  /** When a new version may be downloaded. Defaults follow Firebase ML: not on save-data, not on 2G. */
  readonly downloadConditions?: DownloadConditions;
  /** What makes a freshly activated version roll back. */
  readonly health?: Partial<HealthPolicy>;
  /** Stable id of this install for rollout cohorts. Default: a random id kept in localStorage. */
  readonly installId?: string;
  /** Per-artifact download time limit (ms). Default 60 s. */
  readonly artifactTimeoutMs?: number;
  /**
   * Keep verified artifacts in Cache Storage for offline starts and fast reloads (default true). `false`:
   * artifacts live in the worker's memory only and are downloaded again on every start.
   */
  readonly cacheArtifacts?: boolean;
  /** Fetch used for the manifest (tests, custom auth). Artifacts are fetched by the worker. */
  readonly fetch?: typeof fetch;
}

/** Conditions for downloading a new version in the background. */
export interface DownloadConditions {
  /** Download even when the user asked to save data. Default false. */
  readonly allowSaveData?: boolean;
  /** Download even on `slow-2g`/`2g`. Default false. */
  readonly allowSlowNetwork?: boolean;
  /** Free storage required, as a multiple of the version's artifact bytes. Default 2. */
  readonly storageHeadroom?: number;
}

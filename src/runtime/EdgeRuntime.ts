import { proxy, transfer, wrap, type Remote } from 'comlink';
import { installErrorTransferHandler } from '../errorTransfer.ts';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { hasWorker } from '../env.ts';
import type { IDBPDatabase } from 'idb';
import { cohortBucket, installId as defaultInstallId } from '../registry/cohort.ts';
import { ManifestSource, type ManifestState } from '../registry/ManifestSource.ts';
import { resolveVersion, type DeviceProfile, type ResolveOptions } from '../registry/resolveVersion.ts';
import { DEFAULT_DB_NAME, openEdgewatchDB, type EdgewatchDB } from '../storage/db.ts';
import type { BackendInfo, BackendPreference, LoadRequest, SessionInfo, WorkerApi } from '../../workers/protocol.ts';
import type { BatchOptions } from './Batcher.ts';
import {
  ActivatedEvent,
  DownloadProgressEvent,
  DriftEvent,
  EdgeErrorEvent,
  RolledBackEvent,
  UpdateAvailableEvent,
  type EdgeRuntimeEventMap,
  type RolledBackDetail,
} from './events.ts';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy } from './HealthWatch.ts';
import type { RetentionPolicy } from '../monitor/store/windowStore.ts';
import { ModelHandle } from './ModelHandle.ts';
import { PredictPortClient } from './PredictPortClient.ts';
import type { MonitorBudgetOptions } from '../monitor/MonitorBudget.ts';

/** Options of {@link createEdgeRuntime}. */
export interface EdgeRuntimeOptions {
  /** URL of the registry manifest (relative URLs resolve against the page). */
  readonly registry: string | URL;
  /**
   * `'auto'` (default): time the model on every backend that starts and keep the fastest correct one,
   * remembered per device and model version. A list: the first of these that starts, in order.
   */
  readonly backends?: BackendPreference;
  /** Remember the measured backend per device + model version in IndexedDB. Default true. */
  readonly rememberBackend?: boolean;
  /** Channel to follow when the app does not pin a version. Default `stable`. */
  readonly channel?: string;
  /** Micro-batching. Default `{ maxSize: 64, maxWaitMs: 2 }`. */
  readonly batch?: Partial<BatchOptions>;
  /** IndexedDB database for monitoring. Default `edgewatch`. */
  readonly dbName?: string;
  /** How often monitoring counts reach IndexedDB (ms). Default 5000. */
  readonly flushIntervalMs?: number;
  /** Monitoring window (ms). Default one hour. */
  readonly windowMs?: number;
  /** Per-feature sketches, label feedback and health in the worker. Default true. */
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
  /** How many times the worker may be restarted within a minute before calls fail with `WORKER_CRASHED`. Default 3. */
  readonly maxRestartsPerMinute?: number;
  /**
   * Pinned public keys (JWK, ES256). When given, only manifests signed by one of them are accepted; an
   * unsigned or wrongly signed manifest is refused (`SIGNATURE_INVALID`) and the last good one stays.
   */
  readonly publicKeys?: readonly JsonWebKey[];
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

/** Starts the bundled inference worker. */
function defaultWorker(): Worker {
  return new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'edgewatch-inference' });
}

interface PendingCall {
  readonly fn: (api: WorkerApi) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The Edgewatch runtime of a page: one inference worker, the registry manifest, and a handle per model.
 * Calls to the worker are tracked: when the worker dies (crash, `terminate()`), the runtime starts a new
 * one, reloads every serving version, and re-sends what was in flight — no request lost, none answered twice.
 * Dispatches `activated`, `error` and `drift` events (see {@link EdgeRuntimeEventMap}).
 */
export class EdgeRuntime extends EventTarget {
  readonly options: EdgeRuntimeOptions;
  private readonly handles = new Map<string, ModelHandle>();
  /** The request of each serving version, reloaded into a restarted worker. */
  private readonly serving = new Map<string, LoadRequest>();
  private readonly pending = new Set<PendingCall>();
  private readonly manifests: ManifestSource;
  private firstManifest: Promise<ManifestState> | undefined;
  private updating: Promise<void> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private channel: BroadcastChannel | undefined;
  private dbPromise: Promise<IDBPDatabase<EdgewatchDB>> | undefined;
  private readonly manifestUrl: string;
  private backendInfo: BackendInfo | undefined;
  private apiPromise: Promise<WorkerApi> | undefined;
  /** The started worker's API, for calls that need not wait a microtask for `apiPromise`. */
  private readyApi: WorkerApi | undefined;
  private rawWorker: Worker | undefined;
  private generation = 0;
  private restarts: number[] = [];
  private disposed = false;
  private readonly onHide = () => {
    if (document.visibilityState === 'hidden') void this.flush().catch(() => undefined);
  };
  private readonly onPageHide = () => void this.flush().catch(() => undefined);
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.checkForUpdates().catch(() => undefined);
  };
  private readonly onOnline = () => void this.checkForUpdates().catch(() => undefined);

  constructor(options: EdgeRuntimeOptions) {
    super();
    this.options = options;
    this.manifestUrl = new URL(options.registry, globalThis.location?.href ?? 'http://localhost/').href;
    this.manifests = new ManifestSource({ url: this.manifestUrl, publicKeys: options.publicKeys, db: () => this.db(), fetch: options.fetch });
    if (typeof document !== 'undefined') {
      // Counts live in the worker's memory between flushes: push them out when the page may go away.
      document.addEventListener('visibilitychange', this.onHide);
      globalThis.addEventListener?.('pagehide', this.onPageHide);
    }
  }

  private db(): Promise<IDBPDatabase<EdgewatchDB>> {
    this.dbPromise ??= openEdgewatchDB(this.options.dbName ?? DEFAULT_DB_NAME);
    return this.dbPromise;
  }

  /** The handle of model `name` (one per name; pass `version` to pin one). */
  model(name: string, options: ResolveOptions = {}): ModelHandle {
    let handle = this.handles.get(name);
    if (!handle) {
      const batch: BatchOptions = { maxSize: 64, maxWaitMs: 2, ...this.options.batch };
      handle = new ModelHandle(
        name,
        {
          call: (fn) => this.call(fn),
          resolve: (n, o) => this.resolve(n, o),
          activated: (info, request, previous) => this.onActivated(info, request, previous),
          progress: (detail) => this.dispatchEvent(new DownloadProgressEvent(detail)),
          rolledBack: (detail) => this.onRolledBack(detail),
          failed: (n, error) => this.dispatchEvent(new EdgeErrorEvent({ name: n, error })),
          health: { ...DEFAULT_HEALTH_POLICY, ...this.options.health },
          drift: (detail) => this.dispatchEvent(new DriftEvent(detail)),
        },
        { channel: this.options.channel, ...options },
        batch,
      );
      this.handles.set(name, handle);
    }
    return handle;
  }

  /**
   * The manifest in force: fetched (conditionally) on first use, or the last good one from IndexedDB when
   * the registry is unreachable, malformed or wrongly signed. Later checks happen in `checkForUpdates()`.
   */
  manifest(): Promise<ManifestState> {
    this.firstManifest ??= this.manifests.refresh().then(
      (state) => {
        if (state.refused) this.dispatchEvent(new EdgeErrorEvent({ error: state.refused }));
        this.startUpdater();
        return state;
      },
      (error) => {
        this.firstManifest = undefined;
        throw error;
      },
    );
    return this.firstManifest;
  }

  /** Rolls model `name` back to the version it served before (marking the current one bad here). */
  async rollback(name: string, reason = 'rolled back by the app'): Promise<void> {
    await this.model(name).rollback(reason);
  }

  /**
   * Checks the registry now (also done on start, every `updateIntervalMs`, when the device comes online and
   * when the tab becomes visible). For each model in use whose version for this device changed: fires
   * `update-available`, then — if the download conditions allow — downloads, verifies, warms and swaps it
   * in. One tab downloads at a time (Web Locks); the others hear about it (BroadcastChannel) and load the
   * verified artifacts from the shared cache.
   */
  checkForUpdates(): Promise<void> {
    this.updating ??= this.runUpdateCheck().finally(() => (this.updating = undefined));
    return this.updating;
  }

  private async runUpdateCheck(): Promise<void> {
    if (this.disposed) return;
    await this.manifest();
    const state = await this.manifests.refresh();
    if (state.refused) this.dispatchEvent(new EdgeErrorEvent({ error: state.refused }));
    for (const handle of [...this.handles.values()]) {
      if (handle.version === undefined) continue;
      let target: string;
      let bytes: number;
      try {
        const resolved = await this.resolve(handle.name, {});
        target = resolved.version;
        bytes = resolved.entry.artifacts.reduce((sum, a) => sum + a.bytes, 0);
      } catch (error) {
        this.dispatchEvent(new EdgeErrorEvent({ name: handle.name, error: error as EdgewatchError }));
        continue;
      }
      if (target === handle.version) continue;
      const deferred = await this.downloadDeferred(bytes);
      this.dispatchEvent(new UpdateAvailableEvent({ name: handle.name, from: handle.version, to: target, ...(deferred ? { deferred } : {}) }));
      if (deferred) continue;
      await this.withDownloadLock(`${handle.name}@${target}`, async () => {
        if (handle.version === target) return;
        await handle.activate(target).catch(() => undefined); // reported through events; the old version serves on
      });
      if (handle.version === target) this.channel?.postMessage({ type: 'activated', name: handle.name, version: target });
    }
  }

  /** Why a background download should wait, or undefined. */
  private async downloadDeferred(bytes: number): Promise<string | undefined> {
    const conditions = this.options.downloadConditions ?? {};
    const connection = (globalThis.navigator as Navigator & { connection?: { saveData?: boolean; effectiveType?: string } } | undefined)?.connection;
    if (connection?.saveData && !conditions.allowSaveData) return 'the user asked to save data';
    if (connection?.effectiveType && /(^|-)2g$/.test(connection.effectiveType) && !conditions.allowSlowNetwork) return `slow network (${connection.effectiveType})`;
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    if (estimate?.quota !== undefined && estimate.usage !== undefined) {
      const free = estimate.quota - estimate.usage;
      const needed = bytes * (conditions.storageHeadroom ?? 2);
      if (free < needed) return `storage is short (${free} bytes free, ${needed} wanted)`;
    }
    return undefined;
  }

  private async withDownloadLock(key: string, fn: () => Promise<void>): Promise<void> {
    const locks = globalThis.navigator?.locks;
    if (!locks) return fn();
    await locks.request(`edgewatch-download:${this.manifestUrl}:${key}`, fn);
  }

  private startUpdater(): void {
    if (this.disposed || this.pollTimer !== undefined || typeof document === 'undefined') return;
    const interval = this.options.updateIntervalMs ?? 30 * 60_000;
    if (interval > 0) this.pollTimer = setInterval(() => void this.checkForUpdates().catch(() => undefined), interval);
    document.addEventListener('visibilitychange', this.onVisible);
    globalThis.addEventListener?.('online', this.onOnline);
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(`edgewatch:${this.manifestUrl}`);
      // Another tab activated a version: check now; its artifacts are already in the shared cache.
      this.channel.onmessage = () => void this.checkForUpdates().catch(() => undefined);
    }
    void globalThis.navigator?.storage?.persist?.().catch(() => false);
  }

  /** The backend in use and how it was chosen; undefined until a model has loaded. */
  async backend(): Promise<BackendInfo | undefined> {
    return this.call((api) => api.backend());
  }

  /** Writes pending monitoring counts to IndexedDB now. */
  async flush(): Promise<void> {
    if (!this.apiPromise) return;
    await this.call((api) => api.flush());
  }

  /** Live tensors and backend inside the worker. */
  async stats(): Promise<{ numTensors: number; backend: string | null }> {
    return this.call((api) => api.stats());
  }

  /** Unloads model `name` from the worker (its handle loads it again on the next predict). */
  async unload(name: string): Promise<void> {
    this.serving.delete(name);
    this.handles.delete(name);
    await this.call((api) => api.unload(name));
  }

  /** Flushes, then stops the worker. The runtime is unusable afterwards. */
  async dispose(): Promise<void> {
    try {
      await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    } finally {
      this.disposed = true;
      this.rawWorker?.terminate();
      this.rawWorker = undefined;
      this.apiPromise = undefined;
      this.readyApi = undefined;
      for (const call of this.pending) call.reject(new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The runtime was disposed'));
      this.pending.clear();
      if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
      this.channel?.close();
      if (typeof document !== 'undefined') {
        document.removeEventListener('visibilitychange', this.onHide);
        document.removeEventListener('visibilitychange', this.onVisible);
        globalThis.removeEventListener?.('pagehide', this.onPageHide);
        globalThis.removeEventListener?.('online', this.onOnline);
      }
      void this.dbPromise?.then((db) => db.close()).catch(() => undefined);
    }
  }

  /** Runs `fn` against the worker, tracked so a worker death re-runs it on the next worker. */
  call<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The runtime was disposed'));
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { fn, resolve: resolve as (value: unknown) => void, reject };
      this.pending.add(call);
      this.attempt(call);
    });
  }

  private attempt(call: PendingCall): void {
    const generation = this.generation;
    let answer: Promise<unknown>;
    try {
      // With the worker up, `fn` runs now, in this task: a batch that fills while the app is still making
      // calls is posted at once, so the worker starts on it while the main thread queues the rest.
      answer = this.readyApi ? call.fn(this.readyApi) : this.api().then((api) => call.fn(api));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (value) => {
        // A promise settles once: if a re-sent copy already answered, this is a no-op.
        this.pending.delete(call);
        call.resolve(value);
      },
      (error) => {
        // A failure of a worker that has since died is not the caller's answer: the re-sent copy will be.
        if (generation !== this.generation && this.pending.has(call)) return;
        this.pending.delete(call);
        call.reject(error);
      },
    );
  }

  private api(): Promise<WorkerApi> {
    const generation = this.generation;
    this.apiPromise ??= this.start().then(
      (api) => {
        if (generation === this.generation && !this.disposed) this.readyApi = api;
        return api;
      },
      (error) => {
        this.apiPromise = undefined;
        this.rawWorker?.terminate();
        throw error;
      },
    );
    return this.apiPromise;
  }

  private async start(): Promise<WorkerApi> {
    const useWorker = this.options.worker ?? (hasWorker() || this.options.createWorker !== undefined);
    const config = {
      backends: this.options.backends ?? 'auto',
      dbName: this.options.dbName ?? DEFAULT_DB_NAME,
      flushIntervalMs: this.options.flushIntervalMs ?? 5000,
      windowMs: this.options.windowMs ?? 3_600_000,
      rememberBackend: this.options.rememberBackend ?? true,
      artifactTimeoutMs: this.options.artifactTimeoutMs,
      monitoring: this.options.monitoring ?? true,
      sketchScores: this.options.sketchScores ?? false,
      ...(this.options.retention ? { retention: this.options.retention } : {}),
      ...(this.options.recentPredictions ? { recentPredictions: this.options.recentPredictions } : {}),
      ...(this.options.monitoringBudget ? { monitoringBudget: this.options.monitoringBudget } : {}),
    };
    let api: WorkerApi;
    if (!useWorker) {
      // Same API object, in this thread: loaded only when needed so pages with workers never pay for it.
      const { createWorkerApi } = await import('../../workers/workerApi.ts');
      api = createWorkerApi();
      await api.configure(config);
    } else {
      installErrorTransferHandler();
      const generation = this.generation;
      const worker = (this.options.createWorker ?? defaultWorker)();
      this.rawWorker = worker;
      const remote = wrap<WorkerApi>(worker) as unknown as WorkerApi;
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      const lifeLock = locks ? `edgewatch-worker-${crypto.randomUUID()}` : undefined;
      const failedToStart = new Promise<never>((_, reject) =>
        worker.addEventListener('error', (event) => reject(new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker failed to start: ${event.message ?? 'script error'}`)), { once: true }),
      );
      await Promise.race([(remote as unknown as Remote<WorkerApi>).configure({ ...config, lifeLock }), failedToStart]);
      if (locks && lifeLock) {
        // Granted only when the worker is gone: that is our crash signal.
        void locks.request(lifeLock, () => this.onWorkerDied(generation));
      }
      const channel = new MessageChannel();
      await remote.openPredictPort(transfer(channel.port2, [channel.port2]));
      api = withFastPredict(remote, new PredictPortClient(channel.port1));
    }
    // A restarted worker gets back every version that was serving before the first call goes through.
    for (const request of this.serving.values()) await api.load(request);
    return api;
  }

  private async onWorkerDied(generation: number): Promise<void> {
    if (this.disposed || generation !== this.generation) return;
    this.generation++;
    this.apiPromise = undefined;
    this.readyApi = undefined;
    this.rawWorker = undefined;
    const now = Date.now();
    this.restarts = [...this.restarts.filter((t) => now - t < 60_000), now];
    const crashed = new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The inference worker stopped; restarting it', { restarts: this.restarts.length });
    this.dispatchEvent(new EdgeErrorEvent({ error: crashed }));
    if (this.restarts.length > (this.options.maxRestartsPerMinute ?? 3)) {
      const error = new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker died ${this.restarts.length} times within a minute`, { restarts: this.restarts.length });
      for (const call of this.pending) call.reject(error);
      this.pending.clear();
      return;
    }
    for (const call of [...this.pending]) this.attempt(call);
  }

  private async resolve(name: string, options: ResolveOptions) {
    await this.manifest();
    const state = this.manifests.state as ManifestState;
    const bad = await this.db()
      .then((db) => db.getAll('badVersions'))
      .catch(() => []);
    const prefix = `${this.manifestUrl}|${name}@`;
    const exclude = new Set(bad.filter((row) => row.key.startsWith(prefix) && row.manifestDigest === state.digest).map((row) => row.key.slice(prefix.length)));
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    const device: DeviceProfile = {
      backends: this.backendInfo?.available,
      maxBufferSize: this.backendInfo?.webgpuMaxBufferSize,
      freeStorageBytes: estimate?.quota !== undefined && estimate.usage !== undefined ? estimate.quota - estimate.usage : undefined,
    };
    const cohort = cohortBucket(this.options.installId ?? defaultInstallId(), name);
    const { version, entry } = resolveVersion(state.manifest, name, { ...options, cohort, device, exclude });
    return { version, entry, manifestUrl: state.url };
  }

  private onActivated(info: SessionInfo, request: LoadRequest, previous: string | undefined): void {
    this.serving.set(info.name, request);
    if (!this.backendInfo) void this.backend().then((b) => (this.backendInfo = b)).catch(() => undefined);
    this.dispatchEvent(new ActivatedEvent({ ...info, ...(previous ? { previous } : {}) }));
  }

  /** Marks the version given up as bad for this manifest, then tells the app. */
  private async onRolledBack(detail: RolledBackDetail): Promise<void> {
    const state = this.manifests.state;
    if (state) {
      await this.db()
        .then((db) =>
          db.put('badVersions', {
            key: `${this.manifestUrl}|${detail.name}@${detail.from}`,
            manifestDigest: state.digest,
            reason: detail.reason,
            at: Date.now(),
          }),
        )
        .catch(() => undefined);
    }
    this.dispatchEvent(new RolledBackEvent(detail));
  }

  override addEventListener<K extends keyof EdgeRuntimeEventMap>(
    type: K,
    listener: ((event: EdgeRuntimeEventMap[K]) => void) | EventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }
}

/** The worker's API with `predict` on the dedicated port (a plain object: comlink proxies must not be re-wrapped). */
function withFastPredict(remote: WorkerApi, port: PredictPortClient): WorkerApi {
  return {
    configure: (config) => remote.configure(config),
    // Progress callbacks cross the worker boundary as comlink proxies.
    load: (request, onProgress) => remote.load(request, onProgress ? proxy(onProgress) : undefined),
    backend: () => remote.backend(),
    openPredictPort: (p) => remote.openPredictPort(p),
    predict: (name, records) => port.predict(name, records),
    features: (name, records) => remote.features(name, records),
    flush: () => remote.flush(),
    feedback: (name, predictionId, label) => remote.feedback(name, predictionId, label),
    windows: (name, version, range) => remote.windows(name, version, range),
    unload: (name) => remote.unload(name),
    stats: () => remote.stats(),
  };
}

/** Creates a runtime. Nothing starts until a model is first used. */
export function createEdgeRuntime(options: EdgeRuntimeOptions): EdgeRuntime {
  return new EdgeRuntime(options);
}

import { wrap } from 'comlink';
import { installErrorTransferHandler } from '../errorTransfer.ts';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { hasWorker } from '../env.ts';
import { fetchManifest, type FetchedManifest } from '../registry/fetchManifest.ts';
import { resolveVersion, type ResolveOptions } from '../registry/resolveVersion.ts';
import type { RetentionPolicy } from '../monitor/store/windowStore.ts';
import { DEFAULT_DB_NAME } from '../storage/db.ts';
import type { BackendInfo, BackendPreference, LoadRequest, SessionInfo, WorkerApi } from '../../workers/protocol.ts';
import type { BatchOptions } from './Batcher.ts';
import { ActivatedEvent, DriftEvent, EdgeErrorEvent, type EdgeRuntimeEventMap } from './events.ts';
import { ModelHandle } from './ModelHandle.ts';

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
   * `true` (default where `Worker` exists): run models in a Web Worker. `false`: on the main thread, same
   * API — for environments without workers; the page then does the inference work itself.
   */
  readonly worker?: boolean;
  /** Starts the inference worker. Default: the bundled worker. Tests and custom bundlers pass their own. */
  readonly createWorker?: () => Worker;
  /** How many times the worker may be restarted within a minute before calls fail with `WORKER_CRASHED`. Default 3. */
  readonly maxRestartsPerMinute?: number;
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
  private manifestPromise: Promise<FetchedManifest> | undefined;
  private apiPromise: Promise<WorkerApi> | undefined;
  private rawWorker: Worker | undefined;
  private generation = 0;
  private restarts: number[] = [];
  private disposed = false;
  private readonly onHide = () => {
    if (document.visibilityState === 'hidden') void this.flush().catch(() => undefined);
  };
  private readonly onPageHide = () => void this.flush().catch(() => undefined);

  constructor(options: EdgeRuntimeOptions) {
    super();
    this.options = options;
    if (typeof document !== 'undefined') {
      // Counts live in the worker's memory between flushes: push them out when the page may go away.
      document.addEventListener('visibilitychange', this.onHide);
      globalThis.addEventListener?.('pagehide', this.onPageHide);
    }
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
          activated: (info, request) => this.onActivated(info, request),
          failed: (n, error) => this.dispatchEvent(new EdgeErrorEvent({ name: n, error })),
          drift: (detail) => this.dispatchEvent(new DriftEvent(detail)),
        },
        { channel: this.options.channel, ...options },
        batch,
      );
      this.handles.set(name, handle);
    }
    return handle;
  }

  /** The manifest, fetched and validated once. */
  manifest(): Promise<FetchedManifest> {
    this.manifestPromise ??= fetchManifest(this.options.registry).catch((error) => {
      this.manifestPromise = undefined;
      throw error;
    });
    return this.manifestPromise;
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
      for (const call of this.pending) call.reject(new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The runtime was disposed'));
      this.pending.clear();
      if (typeof document !== 'undefined') {
        document.removeEventListener('visibilitychange', this.onHide);
        globalThis.removeEventListener?.('pagehide', this.onPageHide);
      }
    }
  }

  /** Runs `fn` against the worker, tracked so a worker death re-runs it on the next worker. */
  call<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The runtime was disposed'));
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { fn, resolve: resolve as (value: unknown) => void, reject };
      this.pending.add(call);
      void this.attempt(call);
    });
  }

  private async attempt(call: PendingCall): Promise<void> {
    const generation = this.generation;
    try {
      const api = await this.api();
      const value = await call.fn(api);
      // A promise settles once: if a re-sent copy already answered, this is a no-op.
      this.pending.delete(call);
      call.resolve(value);
    } catch (error) {
      // A failure of a worker that has since died is not the caller's answer: the re-sent copy will be.
      if (generation !== this.generation && this.pending.has(call)) return;
      this.pending.delete(call);
      call.reject(error);
    }
  }

  private api(): Promise<WorkerApi> {
    this.apiPromise ??= this.start().catch((error) => {
      this.apiPromise = undefined;
      this.rawWorker?.terminate();
      throw error;
    });
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
      monitoring: this.options.monitoring ?? true,
      sketchScores: this.options.sketchScores ?? false,
      ...(this.options.retention ? { retention: this.options.retention } : {}),
      ...(this.options.recentPredictions ? { recentPredictions: this.options.recentPredictions } : {}),
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
      await Promise.race([remote.configure({ ...config, lifeLock }), failedToStart]);
      if (locks && lifeLock) {
        // Granted only when the worker is gone: that is our crash signal.
        void locks.request(lifeLock, () => this.onWorkerDied(generation));
      }
      api = remote;
    }
    // A restarted worker gets back every version that was serving before the first call goes through.
    for (const request of this.serving.values()) await api.load(request);
    return api;
  }

  private async onWorkerDied(generation: number): Promise<void> {
    if (this.disposed || generation !== this.generation) return;
    this.generation++;
    this.apiPromise = undefined;
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
    for (const call of [...this.pending]) void this.attempt(call);
  }

  private async resolve(name: string, options: ResolveOptions) {
    const { url, manifest } = await this.manifest();
    const { version, entry } = resolveVersion(manifest, name, options);
    return { version, entry, manifestUrl: url };
  }

  private onActivated(info: SessionInfo, request: LoadRequest): void {
    this.serving.set(info.name, request);
    this.dispatchEvent(new ActivatedEvent({ ...info }));
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

/** Creates a runtime. Nothing starts until a model is first used. */
export function createEdgeRuntime(options: EdgeRuntimeOptions): EdgeRuntime {
  return new EdgeRuntime(options);
}

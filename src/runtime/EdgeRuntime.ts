import { wrap, type Remote } from 'comlink';
import { installErrorTransferHandler } from '../errorTransfer.ts';
import { EdgewatchError as Err, ErrorCode } from '../errors.ts';
import { hasWorker } from '../env.ts';
import { fetchManifest, type FetchedManifest } from '../registry/fetchManifest.ts';
import { resolveVersion, type ResolveOptions } from '../registry/resolveVersion.ts';
import { DEFAULT_DB_NAME } from '../storage/db.ts';
import type { BackendInfo, BackendPreference, SessionInfo, WorkerApi } from '../../workers/protocol.ts';
import type { BatchOptions } from './Batcher.ts';
import { ActivatedEvent, EdgeErrorEvent, type EdgeRuntimeEventMap } from './events.ts';
import { ModelHandle } from './ModelHandle.ts';

/** Options of {@link createEdgeRuntime}. */
export interface EdgeRuntimeOptions {
  /** URL of the registry manifest (relative URLs resolve against the page). */
  readonly registry: string | URL;
  /** `'auto'` (default) or backends to try in order, e.g. `['wasm', 'cpu']`. */
  readonly backends?: BackendPreference;
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
  /** Starts the inference worker. Default: the bundled worker. Tests and custom bundlers pass their own. */
  readonly createWorker?: () => Worker;
}

/** Starts the bundled inference worker. */
function defaultWorker(): Worker {
  return new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'edgewatch-inference' });
}

/**
 * The Edgewatch runtime of a page: one inference worker, the registry manifest, and a handle per model.
 * Dispatches `activated` and `error` events (see {@link EdgeRuntimeEventMap}).
 */
export class EdgeRuntime extends EventTarget {
  readonly options: EdgeRuntimeOptions;
  private readonly handles = new Map<string, ModelHandle>();
  private manifestPromise: Promise<FetchedManifest> | undefined;
  private workerPromise: Promise<Remote<WorkerApi>> | undefined;
  private rawWorker: Worker | undefined;
  private backendInfo: BackendInfo | undefined;
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
          worker: () => this.worker(),
          resolve: (n, o) => this.resolve(n, o),
          activated: (info) => this.onActivated(info),
          failed: (n, error) => this.dispatchEvent(new EdgeErrorEvent({ name: n, error })),
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

  /** The backend the worker chose (starts the worker). */
  async backend(): Promise<BackendInfo> {
    await this.worker();
    return this.backendInfo as BackendInfo;
  }

  /** Writes pending monitoring counts to IndexedDB now. */
  async flush(): Promise<void> {
    if (!this.workerPromise) return;
    await (await this.workerPromise).flush();
  }

  /** Live tensors and backend inside the worker. */
  async stats(): Promise<{ numTensors: number; backend: string | null }> {
    return (await this.worker()).stats();
  }

  /** Flushes, then stops the worker. The runtime is unusable afterwards. */
  async dispose(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.rawWorker?.terminate();
      this.rawWorker = undefined;
      this.workerPromise = undefined;
      if (typeof document !== 'undefined') {
        document.removeEventListener('visibilitychange', this.onHide);
        globalThis.removeEventListener?.('pagehide', this.onPageHide);
      }
    }
  }

  private worker(): Promise<Remote<WorkerApi>> {
    this.workerPromise ??= this.startWorker().catch((error) => {
      this.workerPromise = undefined;
      this.rawWorker?.terminate();
      throw error;
    });
    return this.workerPromise;
  }

  private async startWorker(): Promise<Remote<WorkerApi>> {
    if (!hasWorker() && !this.options.createWorker) {
      throw new Err(ErrorCode.BACKEND_UNAVAILABLE, 'Web Workers are not available here');
    }
    installErrorTransferHandler();
    this.rawWorker = (this.options.createWorker ?? defaultWorker)();
    const api = wrap<WorkerApi>(this.rawWorker);
    this.backendInfo = await api.configure({
      backends: this.options.backends ?? 'auto',
      dbName: this.options.dbName ?? DEFAULT_DB_NAME,
      flushIntervalMs: this.options.flushIntervalMs ?? 5000,
      windowMs: this.options.windowMs ?? 3_600_000,
    });
    return api;
  }

  private async resolve(name: string, options: ResolveOptions) {
    const { url, manifest } = await this.manifest();
    const { version, entry } = resolveVersion(manifest, name, options);
    return { version, entry, manifestUrl: url };
  }

  private onActivated(info: SessionInfo): void {
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

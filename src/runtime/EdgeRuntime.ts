import type { IDBPDatabase } from 'idb';
import { type EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import { ManifestSource, type ManifestState } from '../registry/ManifestSource.ts';
import type { ResolveOptions } from '../registry/resolveVersion.ts';
import { versionKey } from '../registry/versionKey.ts';
import { openEdgewatchDB, type EdgewatchDB } from '../storage/db.ts';
import { storageError } from '../storage/storageError.ts';
import type { BackendChangeReport, BackendInfo, BackendReport, BackendTrialReport, LoadRequest } from '../../workers/protocol.ts';
import type { EdgeRuntimeOptions } from './EdgeRuntimeOptions.ts';
import { BackendChangedEvent, BackendTrialEvent, EdgeErrorEvent, UpdateAvailableEvent, type EdgeRuntimeEventMap } from './events.ts';
import { ModelHandle } from './ModelHandle.ts';
import { resolveOptions, type ResolvedRuntimeOptions } from './resolveOptions.ts';
import { UpdateScheduler } from './UpdateScheduler.ts';
import { VersionResolver } from './VersionResolver.ts';
import { RuntimeCache } from './RuntimeCache.ts';
import { WorkerConnection } from './WorkerConnection.ts';

export type { DownloadConditions, EdgeRuntimeOptions } from './EdgeRuntimeOptions.ts';

/**
 * The Edgewatch runtime of a page: one inference worker, the registry manifest, and a handle per model.
 * A facade over its parts: {@link WorkerConnection} (the worker, restarted after a crash with nothing
 * lost), {@link VersionResolver} (which version this device serves), {@link UpdateScheduler} (when to
 * look for updates and whether to download them) and the {@link ModelHandle}s, which dispatch their
 * events here. Dispatches the events of {@link EdgeRuntimeEventMap}.
 */
export class EdgeRuntime extends EventTarget {
  readonly options: EdgeRuntimeOptions;
  private readonly resolved: ResolvedRuntimeOptions;
  private readonly handles = new Map<string, ModelHandle>();
  private readonly manifests: ManifestSource;
  private readonly connection: WorkerConnection;
  private readonly versions: VersionResolver;
  private readonly updates: UpdateScheduler;
  /** The verified-artifact cache: list, usage, delete, clear (see {@link RuntimeCache}). */
  readonly cache: RuntimeCache;
  private firstManifest: Promise<ManifestState> | undefined;
  private updating: Promise<void> | undefined;
  private dbPromise: Promise<IDBPDatabase<EdgewatchDB>> | undefined;
  private disposed = false;
  private readonly degradedSeen = new Set<string>();
  private readonly dispatch = (event: Event): void => void this.dispatchEvent(event);

  constructor(options: EdgeRuntimeOptions) {
    super();
    // Nothing here touches the page, the network or a worker: that starts with a model's first use.
    this.options = options;
    this.resolved = resolveOptions(options);
    const { manifestUrl, publicKeys, fetch, artifactOrigins, maxManifestBytes } = this.resolved;
    this.manifests = new ManifestSource({ url: manifestUrl, publicKeys, db: () => this.db(), fetch, artifactOrigins, maxManifestBytes });
    this.connection = new WorkerConnection(this.resolved, this.dispatch, (report) => this.backendReport(report));
    this.versions = new VersionResolver(this.resolved, {
      manifest: () => this.manifest(),
      currentManifest: () => this.manifests.state,
      db: () => this.db(),
      backend: async () => (this.connection.started ? this.backend() : undefined),
    });
    this.updates = new UpdateScheduler(this.resolved, { check: () => this.checkForUpdates(), flush: () => this.flush() });
    this.cache = new RuntimeCache(
      this.resolved.workerConfig.cacheName ?? '',
      () => this.db(),
      () => new Set([...this.handles.values()].flatMap((h) => (h.version === undefined ? [] : [versionKey(h.name, h.version)]))),
    );
  }

  private db(): Promise<IDBPDatabase<EdgewatchDB>> {
    if (!this.dbPromise) {
      this.dbPromise = openEdgewatchDB(this.resolved.dbName);
      // Everything that reads it falls back to memory; the app hears once what that costs.
      this.dbPromise.catch((error) => this.degraded(storageError(error, 'manifest, rollback floor, bad-version marks and monitoring rows')));
    }
    return this.dbPromise;
  }

  /** The worker's background trials and backend changes, as `backend-trial` / `backend-changed`. */
  private backendReport(report: BackendReport): void {
    if (this.disposed) return;
    const { type, ...detail } = report;
    if (report.type === 'trial') {
      this.dispatch(new BackendTrialEvent(detail as Omit<BackendTrialReport, 'type'>));
      return;
    }
    for (const handle of this.handles.values()) if (handle.backend !== undefined) handle.backend = report.to;
    this.dispatch(new BackendChangedEvent(detail as Omit<BackendChangeReport, 'type'>));
  }

  /** One `error` event per kind of storage loss (quota, storage unavailable); `details.degraded` says what is kept in memory only. */
  private degraded(error: EdgewatchError): void {
    if (this.degradedSeen.has(error.code)) return;
    this.degradedSeen.add(error.code);
    this.dispatch(new EdgeErrorEvent({ error }));
  }

  /** The handle of model `name` (one per name; pass `version` to pin one). */
  model(name: string, options: ResolveOptions = {}): ModelHandle {
    let handle = this.handles.get(name);
    if (!handle) {
      const { health, channel, maxQueued } = this.resolved;
      const batch = { ...this.resolved.batch, maxQueued };
      handle = new ModelHandle(
        name,
        { connection: this.connection, versions: this.versions, dispatch: this.dispatch, health, batch, degraded: (error) => this.degraded(error) },
        { channel, ...options },
      );
      this.handles.set(name, handle);
    }
    return handle;
  }

  /**
   * The manifest in force: fetched (conditionally) on first use, or the last good one from IndexedDB when
   * the registry is unreachable, malformed or wrongly signed. Later checks happen in `checkForUpdates()`;
   * once one has, this is the manifest that check left in force (a version published since is in it).
   */
  manifest(): Promise<ManifestState> {
    this.firstManifest ??= this.manifests.refresh().then(
      (state) => {
        if (state.refused) this.dispatch(new EdgeErrorEvent({ error: state.refused }));
        if (!this.disposed) this.updates.start();
        return state;
      },
      (error) => {
        this.firstManifest = undefined;
        throw error;
      },
    );
    return this.firstManifest.then((first) => this.manifests.state ?? first);
  }

  /** Rolls model `name` back to the version it served before (marking the current one bad here); see {@link ModelHandle.rollback}. */
  async rollback(name: string, reason?: string): Promise<void> {
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
    if (state.refused) this.dispatch(new EdgeErrorEvent({ error: state.refused }));
    for (const handle of [...this.handles.values()]) {
      if (handle.version === undefined) continue;
      let target: LoadRequest;
      try {
        target = await handle.resolveTarget();
      } catch (error) {
        this.dispatch(new EdgeErrorEvent({ name: handle.name, error: error as EdgewatchError }));
        continue;
      }
      if (target.version === handle.version) continue;
      const bytes = target.entry.artifacts.reduce((sum, a) => sum + a.bytes, 0);
      const deferred = await this.updates.deferral(bytes);
      this.dispatch(new UpdateAvailableEvent({ name: handle.name, from: handle.version, to: target.version, ...(deferred ? { deferred } : {}) }));
      if (deferred) continue;
      await this.updates.withDownloadLock(versionKey(handle.name, target.version), async () => {
        if (handle.version === target.version) return;
        await handle.activateResolved(target).catch(() => undefined); // reported through events; the old version serves on
      });
      if (handle.version === target.version) this.updates.announce(handle.name, target.version);
    }
  }

  /** The backend in use and how it was chosen; undefined until a model has loaded. */
  async backend(): Promise<BackendInfo | undefined> {
    return this.connection.call((api) => api.backend());
  }

  /**
   * Writes pending monitoring counts to IndexedDB now. Where storage is gone or full it rejects with
   * `STORAGE_UNAVAILABLE` or `QUOTA_EXCEEDED` (never a raw DOMException); the counts stay in the worker's
   * memory and are written by a later flush that succeeds.
   */
  async flush(): Promise<void> {
    if (!this.connection.started) return;
    try {
      // After a handoff, the old worker's counts too: written by its retirement, waited for here.
      await this.connection.readAfterHandover((api) => api.flush());
    } catch (error) {
      if (isEdgewatchError(error)) throw error;
      throw storageError(error, 'monitoring windows');
    }
  }

  /** Live tensors and backend inside the worker. */
  async stats(): Promise<{ numTensors: number; backend: string | null; onnxSessions?: number }> {
    return this.connection.call((api) => api.stats());
  }

  /** Unloads model `name` from the worker (its handle loads it again on the next predict). */
  async unload(name: string): Promise<void> {
    this.connection.forget(name);
    this.handles.delete(name);
    await this.connection.call((api) => api.unload(name));
  }

  /**
   * Flushes, then stops the worker and every listener. Calls afterwards fail with `DISPOSED`. Never
   * rejects: a flush that storage refuses is reported as an `error` event, and disposing goes on.
   */
  async dispose(): Promise<void> {
    try {
      await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    } catch (error) {
      if (isEdgewatchError(error) && (error.code === ErrorCode.STORAGE_UNAVAILABLE || error.code === ErrorCode.QUOTA_EXCEEDED)) this.degraded(error);
    } finally {
      this.disposed = true;
      this.connection.dispose();
      this.updates.dispose();
      void this.dbPromise?.then((db) => db.close()).catch(() => undefined);
    }
  }

  override addEventListener<K extends keyof EdgeRuntimeEventMap>(
    type: K,
    listener: ((event: EdgeRuntimeEventMap[K]) => void) | EventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof EdgeRuntimeEventMap>(
    type: K,
    listener: ((event: EdgeRuntimeEventMap[K]) => void) | EventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }
}

/** Creates a runtime. Nothing starts until a model is first used. */
export function createEdgeRuntime(options: EdgeRuntimeOptions): EdgeRuntime {
  return new EdgeRuntime(options);
}

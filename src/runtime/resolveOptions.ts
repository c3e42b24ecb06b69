import { hasWorker } from '../env.ts';
import { installId as defaultInstallId } from '../registry/cohort.ts';
import { DEFAULT_MAX_MANIFEST_BYTES } from '../registry/ManifestSource.ts';
import { DEFAULT_CHANNEL } from '../registry/resolveVersion.ts';
import { DEFAULT_DB_NAME } from '../storage/db.ts';
import type { WorkerConfig } from '../../workers/protocol.ts';
import type { BatchOptions } from './Batcher.ts';
import type { DownloadConditions, EdgeRuntimeOptions } from './EdgeRuntimeOptions.ts';
import { startBundledWorker } from './bundledWorker.ts';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy } from './HealthWatch.ts';

/** {@link EdgeRuntimeOptions} with every default applied: what the runtime's parts read. */
export interface ResolvedRuntimeOptions {
  /** Absolute URL of the manifest. */
  readonly manifestUrl: string;
  readonly channel: string;
  readonly batch: Required<Omit<BatchOptions, 'maxQueued'>>;
  /** `batch.maxQueued`: records a handle's batcher may hold unanswered before `QUEUE_FULL`. */
  readonly maxQueued: number;
  readonly dbName: string;
  /** Run the models in a Web Worker (false: on this thread). */
  readonly worker: boolean;
  readonly createWorker: () => Worker;
  /** The URL the last worker was started from (undefined for a `createWorker` of the app's): named when it fails to start. */
  readonly workerUrl: () => string | undefined;
  readonly maxRestartsPerMinute: number;
  readonly workerStartTimeoutMs: number;
  readonly publicKeys: readonly JsonWebKey[] | undefined;
  readonly artifactOrigins: readonly string[];
  readonly maxManifestBytes: number;
  readonly updateIntervalMs: number;
  readonly downloadConditions: Required<DownloadConditions>;
  readonly health: HealthPolicy;
  /** This install's id for rollout cohorts; read when first needed (the default lives in localStorage). */
  readonly installId: () => string;
  readonly fetch: typeof fetch | undefined;
  /** What the worker is configured with (everything but the life lock, which is per worker). */
  readonly workerConfig: Readonly<WorkerConfig>;
}

/**
 * Every default of the runtime, in one place: the result is complete and frozen, and nothing downstream
 * applies a default of its own. Pure apart from reading the page's URL; capabilities are checked here
 * (lazily, at construction, never at import).
 */
export function resolveOptions(options: EdgeRuntimeOptions): ResolvedRuntimeOptions {
  const dbName = options.dbName ?? DEFAULT_DB_NAME;
  const { maxQueued = 100_000, ...batch } = options.batch ?? {};
  let installId = options.installId;
  const workerConfig: WorkerConfig = Object.freeze({
    backends: options.backends ?? 'auto',
    dbName,
    flushIntervalMs: options.flushIntervalMs ?? 5000,
    windowMs: options.windowMs ?? 3_600_000,
    rememberBackend: options.rememberBackend ?? true,
    artifactTimeoutMs: options.artifactTimeoutMs ?? 60_000,
    // The worker and runtime.cache read the same Cache Storage; '' keeps artifacts in memory only.
    cacheName: options.cacheArtifacts === false ? '' : `${dbName}-artifacts`,
    monitoring: options.monitoring ?? true,
    sketchScores: options.sketchScores ?? false,
    ...(options.retention ? { retention: options.retention } : {}),
    ...(options.recentPredictions ? { recentPredictions: options.recentPredictions } : {}),
    ...(options.monitoringBudget ? { monitoringBudget: options.monitoringBudget } : {}),
    ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
    ...(options.backendTrials ? { backendTrials: Object.freeze([...options.backendTrials]) } : {}),
    ...(options.backendSwapSpeedup !== undefined ? { backendSwapSpeedup: options.backendSwapSpeedup } : {}),
    ...(options.wasmThreads !== undefined ? { wasmThreads: options.wasmThreads } : {}),
  });
  const pageUrl = globalThis.location?.href ?? 'http://localhost/';
  let workerUrl = options.createWorker || !options.workerUrl ? undefined : new URL(options.workerUrl, pageUrl).href;
  const createWorker =
    options.createWorker ??
    (workerUrl !== undefined
      ? () => new Worker(workerUrl as string, { type: 'module', name: 'edgewatch-inference' })
      : () => {
          const started = startBundledWorker();
          workerUrl = started.url;
          return started.worker;
        });
  return Object.freeze({
    manifestUrl: new URL(options.registry, pageUrl).href,
    channel: options.channel ?? DEFAULT_CHANNEL,
    batch: Object.freeze({ maxSize: 64, maxWaitMs: 2, maxInFlight: 2, ...batch }),
    maxQueued,
    dbName,
    worker: options.worker ?? (hasWorker() || options.createWorker !== undefined),
    createWorker,
    workerUrl: () => workerUrl,
    maxRestartsPerMinute: options.maxRestartsPerMinute ?? 3,
    workerStartTimeoutMs: options.workerStartTimeoutMs ?? 30_000,
    publicKeys: options.publicKeys,
    artifactOrigins: Object.freeze([...(options.artifactOrigins ?? [])]),
    maxManifestBytes: options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES,
    updateIntervalMs: options.updateIntervalMs ?? 30 * 60_000,
    downloadConditions: Object.freeze({ allowSaveData: false, allowSlowNetwork: false, storageHeadroom: 2, ...options.downloadConditions }),
    health: Object.freeze({ ...DEFAULT_HEALTH_POLICY, ...options.health }),
    installId: () => (installId ??= defaultInstallId()),
    fetch: options.fetch,
    workerConfig,
  });
}

/**
 * The inference worker's implementation of {@link WorkerApi}: the backend (measured on the first model),
 * sessions (one serving version per model name, swapped atomically), and the monitoring counts. Kept apart
 * from inference.worker.ts so the same object can also run on the main thread where `Worker` is missing.
 */
import * as tf from '@tensorflow/tfjs';
import { transfer } from 'comlink';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../src/errors.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import type { FeatureStats } from '../src/features/FeatureStats.ts';
import { batchRows, type RecordBatch } from '../src/features/RecordBatch.ts';
import { ArtifactCache } from '../src/models/ArtifactCache.ts';
import { loadArtifacts, type DownloadProgress } from '../src/models/loadArtifacts.ts';
import { ModelMonitor, type MonitoredVersion } from '../src/monitor/ModelMonitor.ts';
import { batchIdPrefix } from '../src/monitor/RecentPredictions.ts';
import { topClasses } from '../src/monitor/topClasses.ts';
import { reduceWideColumns } from '../src/monitor/reduceWideColumns.ts';
import { PredictionMonitor } from '../src/monitor/PredictionMonitor.ts';
import { sketchLayout } from '../src/monitor/WindowSketch.ts';
import { openEdgewatchDB } from '../src/storage/db.ts';
import { backendOrder, backends, firstWorkingBackend, measureBackends, webgpuAdapterInfo } from './backend.ts';
import { BackendName, type BackendInfo, type LoadRequest, type PredictResponse, type SessionInfo, type WorkerApi, type WorkerConfig } from './protocol.ts';
import { servePredictPort } from './servePredictPort.ts';
import { ModelSession } from './session.ts';

/** Rows of the warm-up batch a backend is timed on, and how long timing may take per backend. */
const TRIAL_ROWS = 32;
const TRIAL_RUNS = 5;
const TRIAL_BUDGET_MS = 1500;

/** Rows `sample[0..count)` of a row-major `width`-wide batch, one after another into `out` (no views made). */
function copyRows(from: Float32Array, sample: Int32Array, count: number, width: number, out: Float32Array): void {
  for (let i = 0, o = 0; i < count; i++) for (let c = 0, at = sample[i] * width; c < width; c++) out[o++] = from[at + c];
}

/** Builds a fresh worker API (one per worker). */
export function createWorkerApi(): WorkerApi {
  let config: WorkerConfig | undefined;
  let backend: BackendInfo | undefined;
  let choosing: Promise<BackendInfo> | undefined;
  let monitor: PredictionMonitor | undefined;
  let models: ModelMonitor | undefined;
  const monitored = new WeakMap<ModelSession, MonitoredVersion>();
  let db: ReturnType<typeof openEdgewatchDB> | undefined;
  const sessions = new Map<string, ModelSession>();
  let batchCounter = 0;
  /** Constant for the worker's life; read once (it is a call into the browser each time). */
  const timeOrigin = performance.timeOrigin;
  const workerId = crypto.randomUUID().slice(0, 8);

  const database = () => (db ??= openEdgewatchDB(config?.dbName));
  let cache: ArtifactCache | undefined;

  /** Artifacts of a version: cache first, verified, with the serving versions protected from eviction. */
  function fetchVersion(request: LoadRequest, onProgress?: (progress: DownloadProgress) => void) {
    const protect = new Set([...sessions.values()].map((s) => `${s.name}@${s.version}`));
    return loadArtifacts(request.manifestUrl, request.entry.artifacts, {
      cache,
      model: request.name,
      version: request.version,
      protect,
      onProgress,
      timeoutMs: config?.artifactTimeoutMs,
    });
  }

  function session(name: string): ModelSession {
    const found = sessions.get(name);
    if (!found) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `No version of "${name}" is loaded in the worker`, { name });
    return found;
  }

  /** What the monitor needs to know about a session's version, built once per session. */
  function monitoredVersion(active: ModelSession): MonitoredVersion {
    let v = monitored.get(active);
    if (!v) {
      const { outputs, baseline } = active.entry;
      const reduction = reduceWideColumns(active.features.columns);
      v = {
        model: active.name,
        version: active.version,
        reduction,
        layout: sketchLayout(
          reduction?.columns ?? active.features.columns,
          outputs.kind === 'classification' ? outputs : { kind: 'regression', names: outputs.names ?? [] },
          baseline,
          { scores: config?.sketchScores ?? false },
        ),
      };
      monitored.set(active, v);
    }
    return v;
  }

  function requireConfig(): WorkerConfig {
    if (!config) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, 'configure() must run before models load');
    return config;
  }

  /** Device identity for remembered decisions: a browser update or another GPU means measuring again. */
  async function deviceKey(): Promise<string> {
    const adapter = await webgpuAdapterInfo();
    return [navigator.userAgent, navigator.hardwareConcurrency, adapter?.description ?? 'no-webgpu'].join('|');
  }

  /** Times a freshly loaded copy of the model on the active backend, on rows of its real input shape. */
  async function trial(request: LoadRequest, files: ReadonlyMap<string, Uint8Array>, name: BackendName) {
    const candidate = await ModelSession.create(request, files, name);
    try {
      const goldens = request.entry.goldens ?? [];
      const batch = new Float32Array(TRIAL_ROWS * candidate.features.width);
      if (goldens.length > 0) {
        // Real records where the publisher gave some: zeros hide numerical differences between backends.
        const rows = Array.from({ length: TRIAL_ROWS }, (_, i) => goldens[i % goldens.length].record);
        batch.set(candidate.features.transform(rows));
      }
      const times: number[] = [];
      let outputs: Float32Array = new Float32Array(0);
      const started = performance.now();
      while (times.length < TRIAL_RUNS && (times.length === 0 || performance.now() - started < TRIAL_BUDGET_MS)) {
        const t0 = performance.now();
        outputs = await candidate.predictBatch(batch, TRIAL_ROWS);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return { medianMs: times[times.length >> 1], outputs };
    } finally {
      candidate.dispose();
    }
  }

  /**
   * Picks the worker's backend on its first model. One backend per worker: TF.js has one active backend,
   * and weights moved between backends per call would cost more than any difference between them.
   */
  async function chooseBackend(request: LoadRequest, files: ReadonlyMap<string, Uint8Array>): Promise<BackendInfo> {
    const { backends: preference, rememberBackend = true } = requireConfig();
    const order = backendOrder(preference);
    const adapter = order.some((b) => b.name === 'webgpu') ? await webgpuAdapterInfo() : undefined;
    const withAdapter = (info: Omit<BackendInfo, 'webgpuFallbackAdapter'>): BackendInfo => ({
      ...info,
      webgpuFallbackAdapter: adapter?.fallback,
      webgpuMaxBufferSize: adapter?.maxBufferSize,
    });
    if (preference !== 'auto') {
      const failed: Partial<Record<BackendName, string>> = {};
      const name = await firstWorkingBackend(order, failed);
      return withAdapter({ name, available: [name], failed, chosenBy: 'order' });
    }
    const key = `${request.name}@${request.version}|${order.map((b) => b.name).join(',')}|${await deviceKey()}`;
    if (rememberBackend) {
      const remembered = await database()
        .then((d) => d.get('backendChoices', key))
        .catch(() => undefined);
      if (remembered) {
        const failed: Partial<Record<BackendName, string>> = {};
        const name = await firstWorkingBackend([...order.filter((b) => b.name === remembered.backend), ...order], failed);
        if (name === remembered.backend) {
          return withAdapter({ name, available: [name], failed, chosenBy: 'remembered', trials: remembered.trials as BackendInfo['trials'] });
        }
      }
    }
    const reference = backends.find((b) => b.name === BackendName.cpu) as (typeof backends)[number];
    const { winner, trials, failed } = await measureBackends(order, reference, (name) => trial(request, files, name));
    const reason = await backendOrder([winner])[0].probe();
    if (reason !== null) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `${winner} failed after measuring: ${reason}`);
    if (rememberBackend) {
      await database()
        .then((d) => d.put('backendChoices', { key, backend: winner, trials, measuredAt: Date.now() }))
        .catch(() => undefined); // a forgotten decision only costs a re-measure next time
    }
    const available = (Object.keys(trials) as BackendName[]).filter((name) => !trials[name]?.rejected);
    return withAdapter({ name: winner, available, failed, chosenBy: 'measured', trials });
  }

  /** Set while the models are being moved off a lost GPU device; predictions wait for it. */
  let recovering: Promise<void> | undefined;

  /**
   * WebGPU device lost (driver reset, GPU removed, `device.destroy()`): choose again without webgpu and
   * reload every serving version from the verified cache. Predictions that arrive meanwhile wait, and a
   * batch that failed on the dead device is run again once on the new backend.
   */
  function watchDeviceLoss(): void {
    if (backend?.name !== 'webgpu') return;
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<unknown> } }).device;
    void device?.lost?.then(() => {
      recovering = (async () => {
        const current = config as WorkerConfig;
        const remaining = backendOrder(current.backends).filter((b) => b.name !== 'webgpu');
        const name = await firstWorkingBackend(remaining.length > 0 ? remaining : backendOrder(['cpu']));
        backend = { ...(backend as BackendInfo), name, failed: { ...backend?.failed, webgpu: 'device lost' }, chosenBy: 'order' };
        for (const [model, old] of [...sessions]) {
          const files = await fetchVersion(old.request);
          // The old session's GPU memory went with the device: nothing to dispose.
          sessions.set(model, await ModelSession.create(old.request, files, name));
        }
      })().finally(() => (recovering = undefined));
    });
  }

  /**
   * Monitoring of answered batches, run a millisecond later rather than right after the answer is posted:
   * by then the page has taken the answer, so on a small machine the sketches do not compete with it for
   * a core. Calls that read monitoring state (flush, feedback, windows) run what is pending first.
   */
  const deferred: (() => void)[] = [];
  let deferredTimer: ReturnType<typeof setTimeout> | undefined;
  function runDeferred(): void {
    if (deferredTimer !== undefined) clearTimeout(deferredTimer);
    deferredTimer = undefined;
    for (const after of deferred.splice(0)) {
      try {
        after();
      } catch (error) {
        // Monitoring must never break serving; the counts of this one batch are what is lost.
        console.error('edgewatch: monitoring a batch failed', error);
      }
    }
  }
  function deferAfter(after: () => void): void {
    deferred.push(after);
    // Under sustained load the timer still gets its turn between messages; the cap bounds what waits.
    if (deferred.length >= 64) runDeferred();
    else deferredTimer ??= setTimeout(runDeferred, 1);
  }

  async function runPredict(name: string, records: RecordBatch): Promise<{ response: PredictResponse; after?: () => void }> {
    if (recovering) await recovering;
    const rows = batchRows(records);
    let active = session(name);
    const seq = batchCounter++;
    const idPrefix = batchIdPrefix(workerId, seq);
    const watch = models;
    const v = watch ? monitoredVersion(active) : undefined;
    const started = performance.now();
    let monitorMs = 0;
    let keptFeatures: Float32Array | undefined;
    let keptStats: FeatureStats | undefined;
    // Rows the monitoring budget lets us sketch, and which (undefined: all of them).
    let sketchRows = 0;
    let reservedMs = 0;
    let sample: Int32Array | undefined;
    let scores: Float32Array;
    try {
      try {
        scores = await active.predict(
          records,
          watch && v
            ? (batch, n) => {
                // Most batches need no repair: then there are no counters to take.
                if (active.features.issues > 0) keptStats = active.features.takeStats();
                const budget = watch.budget(v);
                sketchRows = budget.rowsToSketch(n);
                reservedMs = budget.reservedMs;
                if (sketchRows === 0) return;
                // The batch is a buffer the next call reuses: keep a copy of the rows to sketch, sketch it
                // after answering.
                const t = performance.now();
                const width = active.features.width;
                keptFeatures = watch.buffers.take(sketchRows * width);
                if (sketchRows === n) keptFeatures.set(batch.subarray(0, n * width));
                else {
                  sample = budget.sample(n, sketchRows, new Int32Array(sketchRows));
                  copyRows(batch, sample, sketchRows, width, keptFeatures);
                }
                monitorMs += performance.now() - t;
              }
            : undefined,
        );
      } catch (error) {
        // Lost the GPU mid-batch: once the models are on the new backend, this batch runs again there
        // (its features were already observed).
        if (!recovering || error instanceof EdgewatchError) throw error;
        await recovering;
        active = session(name);
        scores = await active.predict(records);
      }
    } catch (error) {
      // Bad input is monitored too: the counts survive the refusal.
      if (watch && v && isEdgewatchError(error, ErrorCode.INPUT_INVALID)) watch.observeInvalid(v, error.details.field as string | undefined);
      // nothing will be sketched: the budget gets back what it set aside
      if (watch && v && reservedMs > 0) watch.budget(v).account(0, 0, 0, 0, reservedMs);
      throw error;
    }
    const { outputs } = active.entry;
    const labels = outputs.kind === 'classification' ? outputs.labels : undefined;
    // Part of the answer: each row's class, so the page need not scan the scores (monitoring counts them).
    const classes = labels ? topClasses(scores, rows, active.outputWidth, new Int32Array(rows)) : undefined;
    const inferred = performance.now();
    const inferenceMs = inferred - started - monitorMs;
    const served = active;
    // The exact part of monitoring, for every batch, before the answer: counts (predictions, classes, NaN),
    // repairs, health, and a copy of the scores kept for feedback (the scores themselves are transferred
    // away) in the monitor's ring of recent predictions. A few µs (queued after the answer and run in bulk
    // they were no cheaper in bench:monitor, and here they read the scores without a copy of their own).
    // The sketches, the costly part, wait until after the answer (see deferAfter), and only when the
    // budget affords them. With per-feature monitoring on, the class histogram is written from the
    // windows' class counts at flush.
    let keptScores: Float32Array | undefined;
    // wall-clock time from the timer already read (Date.now() costs another call)
    const at = timeOrigin + inferred;
    const window = watch && v ? watch.window(v, at) : undefined;
    if (watch && v && window) {
      if (classes) window.countClasses(classes, rows);
      else window.countOutputs(scores, rows);
      if (keptStats) watch.observeFeatureStats(v, keptStats, at);
      window.observeBatch(inferenceMs, served.info.backend, inferenceMs);
      watch.remember(v, seq, scores, served.outputWidth, at);
      if (sketchRows > 0) {
        // the sketched rows' scores, compacted like their features (the ring feedback reads from is
        // overwritten as it goes round)
        const width = served.outputWidth;
        keptScores = watch.buffers.take(sketchRows * width);
        if (sample) copyRows(scores, sample, sketchRows, width, keptScores);
        else keptScores.set(scores);
      }
    } else if (labels && classes) {
      monitor?.observeClassification(active.name, active.version, labels, classes, rows);
    }
    const answered = performance.now();
    // Timing costs too (~0.2 µs a read in a worker): the bookkeeping above is timed by the two reads the
    // answer needs anyway, the sketches below by two more.
    if (watch && v && window) {
      monitorMs += answered - inferred;
      window.monitorMs += monitorMs;
      if (sketchRows === 0) watch.budget(v).account(inferenceMs, monitorMs, 0, 0, reservedMs);
    }
    const after =
      watch && v && keptFeatures && keptScores
        ? () => {
            const features = keptFeatures as Float32Array;
            const scoreRows = keptScores as Float32Array;
            // the batch's own window (after a flush in between, a new one for the same hour: rows merge)
            const window = watch.window(v, at);
            const t0 = performance.now();
            window.observeFeatures(v.reduction ? v.reduction.apply(features, sketchRows) : features, sketchRows);
            window.sketchOutputs(scoreRows, undefined, sketchRows);
            const sketchMs = performance.now() - t0;
            watch.buffers.give(features);
            watch.buffers.give(scoreRows);
            window.monitorMs += sketchMs;
            watch.budget(v).account(inferenceMs, monitorMs + sketchMs, sketchRows, sketchMs, reservedMs);
          }
        : undefined;
    const response: PredictResponse = {
      version: active.version,
      backend: active.info.backend,
      rows,
      outputWidth: active.outputWidth,
      scores,
      classes,
      idPrefix,
      workerMs: answered - started,
    };
    return { response, after };
  }

  const api: WorkerApi = {
    async configure(next: WorkerConfig) {
      config = next;
      const cacheName = next.cacheName ?? `${next.dbName}-artifacts`;
      cache = cacheName && ArtifactCache.available() ? new ArtifactCache(cacheName, database) : undefined;
      monitor?.stop();
      monitor = new PredictionMonitor(database, next.windowMs);
      monitor.start(next.flushIntervalMs);
      models?.stop();
      models = undefined;
      if (next.monitoring !== false) {
        models = new ModelMonitor(database, {
          windowMs: next.windowMs,
          retention: next.retention,
          maxRecent: next.recentPredictions?.count,
          maxRecentAgeMs: next.recentPredictions?.ageMs,
          budget: next.monitoringBudget,
          idBase: workerId,
        });
        models.start(next.flushIntervalMs);
      }
      const locks = (globalThis.navigator as Navigator | undefined)?.locks;
      if (next.lifeLock && locks) {
        // Held until this worker dies; resolves once it is held so the runtime can queue behind it.
        await new Promise<void>((held) => {
          void locks.request(next.lifeLock as string, () => {
            held();
            return new Promise<never>(() => undefined);
          });
        });
      }
    },

    async load(request: LoadRequest, onProgress?: (progress: DownloadProgress) => void): Promise<SessionInfo> {
      requireConfig();
      let downloadedBytes = 0;
      let reported = -Infinity;
      const files = await fetchVersion(request, (progress) => {
        downloadedBytes = progress.loadedBytes - progress.cachedBytes;
        // Every 1% at most: each report is a message to the page. The page's callback may be gone; best effort.
        if (progress.loadedBytes - reported < progress.totalBytes / 100 && progress.loadedBytes < progress.totalBytes) return;
        reported = progress.loadedBytes;
        void Promise.resolve(onProgress?.(progress)).catch(() => undefined);
      });
      if (!backend) {
        choosing ??= chooseBackend(request, files).finally(() => (choosing = undefined));
        backend = await choosing;
        watchDeviceLoss();
      }
      const loaded = await ModelSession.create(request, files, backend.name);
      // The swap: one synchronous map update between two batches. Batches already running keep the
      // session they started with; the old one is disposed when its last batch has read its outputs.
      const previous = sessions.get(request.name);
      sessions.set(request.name, loaded);
      previous?.retire();
      return { ...loaded.info, downloadedBytes };
    },

    async backend() {
      return backend;
    },

    async openPredictPort(port: MessagePort) {
      servePredictPort(port, runPredict, deferAfter);
    },

    async predict(name: string, records: RecordBatch): Promise<PredictResponse> {
      const { response, after } = await runPredict(name, records);
      after?.();
      return transfer(response, [response.scores.buffer]);
    },

    async features(name: string, records: readonly RawRecord[]) {
      const copy = Float32Array.from(session(name).features.transform(records));
      return transfer(copy, [copy.buffer]);
    },

    async flush() {
      runDeferred();
      await Promise.all([monitor?.flush(), models?.flush()]);
    },

    async feedback(name: string, predictionId: string, label: string | number) {
      runDeferred(); // the prediction may still be waiting to be remembered
      if (!models) return { matched: false, drift: [] };
      // The model may have been unloaded since: the label still joins a kept prediction.
      const active = sessions.get(name);
      return models.feedback(predictionId, label, active ? monitoredVersion(active) : undefined);
    },

    async windows(name: string, version: string, range?: { readonly from?: number; readonly to?: number }) {
      runDeferred();
      return models?.windows(name, version, range);
    },

    async unload(name: string) {
      session(name).retire();
      sessions.delete(name);
    },

    async stats() {
      return { numTensors: tf.memory().numTensors, backend: tf.getBackend() ?? null };
    },
  };
  return api;
}

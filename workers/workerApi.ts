/**
 * The inference worker's implementation of {@link WorkerApi}, composed of its parts: the sessions and
 * their backend (`sessions.ts`, `chooseBackend.ts`), monitoring (`workerMonitoring.ts`, all of whose work
 * happens in `src/monitor/`) and the inference path below. Kept apart from inference.worker.ts so the same
 * object can also run on the main thread where `Worker` is missing.
 */
import * as tf from '@tensorflow/tfjs';
import { transfer } from 'comlink';
import { EdgewatchError } from '../src/errors.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import { batchRows, PACK_FROM_ROWS, packRecords, type RecordBatch } from '../src/features/RecordBatch.ts';
import type { DownloadProgress } from '../src/models/loadArtifacts.ts';
import { batchIdPrefix } from '../src/monitor/RecentPredictions.ts';
import { topClasses } from '../src/monitor/topClasses.ts';
import { openEdgewatchDB } from '../src/storage/db.ts';
import type { TimeRange } from '../src/TimeRange.ts';
import {
  handoverBuffers,
  type LoadRequest,
  type PredictEndpoint,
  type PredictResponse,
  type SessionInfo,
  type WorkerApi,
  type WorkerConfig,
} from './protocol.ts';
import { configureWasmPaths } from './backend.ts';
import { configureOrtThreads, configureOrtWasmPaths, liveOrtSessions } from './engines/ortEngine.ts';
import { timeSession, trialRun } from './threadTrials.ts';
import { configureWasmThreads } from './wasmThreads.ts';
import { servePredictPort } from './servePredictPort.ts';
import { WorkerSessions } from './sessions.ts';
import { checkShadowShare, WorkerShadows } from './shadow.ts';
import { type ScratchMonitoring, WorkerMonitoring } from './workerMonitoring.ts';

/** Builds a fresh worker API (one per worker). */
export function createWorkerApi(): WorkerApi {
  let config: WorkerConfig | undefined;
  let db: ReturnType<typeof openEdgewatchDB> | undefined;
  const database = () => (db ??= openEdgewatchDB(config?.dbName));
  const workerId = crypto.randomUUID().slice(0, 8);
  const sessions = new WorkerSessions(database);
  const monitoring = new WorkerMonitoring(database, workerId);
  const shadows = new WorkerShadows();
  let batchCounter = 0;

  /**
   * One batch: features, model, readback, each row's class. Monitoring sees the batch through one
   * observation (its features before the model runs, the answer after), and sketches after the answer
   * is posted (`after`). A warm-up run (`warm`, see `warmPredict`) is observed by a scratch monitor instead,
   * takes no batch number and tells no trial or shadow about itself.
   */
  async function runPredict(name: string, records: RecordBatch, warm?: ScratchMonitoring): Promise<{ response: PredictResponse; after?: () => void }> {
    if (sessions.recovering) await sessions.recovering;
    const rows = batchRows(records);
    let active = sessions.get(name);
    // A warm-up batch is numbered 0 in its scratch monitor (-1 marks an empty slot of the recent predictions).
    const seq = warm ? 0 : batchCounter++;
    const started = performance.now();
    const watch = (warm ?? monitoring).begin(active, records);
    let scores: Float32Array;
    try {
      try {
        scores = await active.predict(records, watch?.onFeatures);
      } catch (error) {
        // Lost the GPU mid-batch: once the models are on the new backend, this batch runs again there
        // (its features were already observed).
        if (!sessions.recovering || error instanceof EdgewatchError) throw error;
        await sessions.recovering;
        active = sessions.get(name);
        scores = await active.predict(records);
      }
    } catch (error) {
      watch?.failed(error);
      throw error;
    }
    const { outputWidth, info } = active;
    // Part of the answer: each row's class, so the page need not scan the scores (monitoring counts them).
    const classes = active.entry.outputs.kind === 'classification' ? topClasses(scores, rows, outputWidth, new Int32Array(rows)) : undefined;
    const inferred = performance.now();
    const answered = watch
      ? watch.answered({ seq, rows, scores, outputWidth, classes, backend: info.backend, startedAt: started, inferredAt: inferred })
      : inferred;
    const idPrefix = batchIdPrefix(workerId, seq);
    const response: PredictResponse = {
      version: active.version,
      backend: info.backend,
      rows,
      outputWidth,
      scores,
      classes,
      idPrefix,
      workerMs: answered - started,
    };
    if (warm) return { response };
    sessions.trials?.served();
    sessions.engineTrials?.served(active);
    sessions.ortTrials?.served(active);
    // A shadow runs on its sample once the answer is out, as the sketches do.
    const shadow = shadows.after(active, records, rows, classes, idPrefix, inferred - started);
    const after = shadow
      ? () => {
          monitoring.sketchSoon();
          void shadow();
        }
      : monitoring.sketchSoon;
    return { response, after };
  }

  const api: WorkerApi = {
    async configure(next: WorkerConfig) {
      config = next;
      configureWasmPaths(next.wasmPaths);
      configureOrtWasmPaths(next.wasmPaths);
      if (typeof next.wasmThreads === 'number') {
        configureWasmThreads(next.wasmThreads);
        configureOrtThreads(next.wasmThreads);
      }
      sessions.configure(next);
      monitoring.configure(next);
      shadows.configure(next.monitoringBudget);
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
      const info = await sessions.load(request, onProgress);
      // before its first label can arrive (the load has not answered yet): concept drift judged across visits
      await monitoring.restoreDetectors(sessions.find(request.name));
      return info;
    },

    async backend() {
      return sessions.backend;
    },

    async watchBackend(listener) {
      sessions.watchBackend(listener);
    },

    async openPredictPort(port?: MessagePort) {
      // Without a port: this worker's own scope (never called on the page, where `worker: false` calls predict directly).
      servePredictPort(port ?? (globalThis as unknown as PredictEndpoint), runPredict);
    },

    async predict(name: string, records: RecordBatch): Promise<PredictResponse> {
      const { response, after } = await runPredict(name, records);
      monitoring.runPending(); // this path sketches before answering, as it always did
      if (shadows.has(name)) setTimeout(() => after?.(), 0);
      return transfer(response, [response.scores.buffer]);
    },

    async features(name: string, records: readonly RawRecord[]) {
      const copy = Float32Array.from(sessions.get(name).features.transform(records));
      return transfer(copy, [copy.buffer]);
    },

    async flush() {
      await monitoring.flush();
    },

    async feedback(name: string, predictionId: string, label: string | number) {
      const result = monitoring.feedback(sessions.find(name), predictionId, label);
      if (!result.duplicate) shadows.feedback(name, predictionId, label);
      return result;
    },

    async handOver() {
      const handover = {
        recent: monitoring.exportRecent(),
        shadows: shadows.export(),
        labelled: monitoring.exportLabelled(),
        detectors: monitoring.exportDetectors(),
      };
      return transfer(handover, handoverBuffers(handover));
    },

    async takeOver(handover) {
      const list = <T>(x: unknown): T[] => (Array.isArray(x) ? x : []);
      return {
        predictions: monitoring.adoptRecent(list(handover?.recent), (name) => sessions.find(name)),
        labelled: monitoring.adoptLabelled(handover?.labelled),
        detectors: monitoring.adoptDetectors(handover?.detectors, (name) => sessions.find(name)),
        shadows: shadows.adopt(list(handover?.shadows)),
      };
    },

    async loadShadow(request: LoadRequest, share?: number) {
      if (share !== undefined) checkShadowShare(share);
      const session = await sessions.loadBeside(request);
      shadows.start(session, sessions.get(request.name).version, share);
      return session.info;
    },

    async unloadShadow(name: string) {
      shadows.stop(name);
    },

    async shadow(name: string) {
      return shadows.summary(name);
    },

    async windows(name: string, version: string, range?: TimeRange) {
      return monitoring.windows(name, version, range);
    },

    async windowBuckets(name: string, version: string, range: TimeRange, bucketMs: number) {
      return monitoring.windowBuckets(name, version, range, bucketMs);
    },

    async unload(name: string) {
      sessions.unload(name);
    },

    async timeModel(name: string, rounds: number, maxRows?: number, minRoundMs?: number) {
      return timeSession(sessions.get(name), rounds, maxRows, minRoundMs);
    },

    async warmPredict(name: string, rounds: number, rows: number, budgetMs: number) {
      const goldens = (sessions.get(name).entry.goldens ?? []).map((g) => g.record);
      if (goldens.length === 0) return 0;
      const fill = (n: number) => Array.from({ length: n }, (_, i) => goldens[i % goldens.length]);
      // The shapes real calls arrive in: one record, a few, and a batch packed by column (`PACK_FROM_ROWS`).
      const batches: RecordBatch[] = [fill(1), fill(rows)];
      const packed = packRecords(fill(Math.max(rows, PACK_FROM_ROWS)));
      if (packed) batches.push(packed);
      const scratch = monitoring.scratch();
      const t0 = performance.now();
      let done = 0;
      try {
        for (; done < rounds && performance.now() - t0 < budgetMs; done++) {
          await runPredict(name, batches[done % batches.length], scratch);
          scratch.runPending();
        }
      } catch {
        // A warm-up is an optimisation: the version was checked at load, and what failed here fails a real call too.
      }
      return done;
    },

    async trialRun(name: string) {
      const run = await trialRun(sessions.get(name));
      return transfer(run, [run.outputs.buffer]);
    },

    async stats() {
      // A worker serving only ONNX versions never starts TF.js (tf.memory() would pick and start a backend).
      const tfjs = sessions.tfjsStarted || sessions.backend === undefined;
      return { numTensors: tfjs ? tf.memory().numTensors : 0, backend: tfjs ? (tf.getBackend() ?? null) : null, onnxSessions: liveOrtSessions() };
    },
  };
  return api;
}

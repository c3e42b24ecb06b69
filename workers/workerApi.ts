/**
 * The inference worker's implementation of {@link WorkerApi}: backend, sessions (one active version per
 * model name), and the monitoring counts. Kept apart from inference.worker.ts so it can be exercised
 * without a worker, too.
 */
import * as tf from '@tensorflow/tfjs';
import { transfer } from 'comlink';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import { PredictionMonitor } from '../src/monitor/PredictionMonitor.ts';
import { openEdgewatchDB } from '../src/storage/db.ts';
import { selectBackend } from './backend.ts';
import type { BackendInfo, LoadRequest, PredictResponse, SessionInfo, WorkerApi, WorkerConfig } from './protocol.ts';
import { ModelSession } from './session.ts';

/** Builds a fresh worker API (one per worker). */
export function createWorkerApi(): WorkerApi {
  let backend: BackendInfo | undefined;
  let monitor: PredictionMonitor | undefined;
  const sessions = new Map<string, ModelSession>();
  let batchCounter = 0;
  const workerId = crypto.randomUUID().slice(0, 8);

  function session(name: string): ModelSession {
    const found = sessions.get(name);
    if (!found) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `No version of "${name}" is loaded in the worker`, { name });
    return found;
  }

  function requireBackend(): BackendInfo {
    if (!backend) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, 'configure() must run before models load');
    return backend;
  }

  return {
    async configure(config: WorkerConfig) {
      backend = await selectBackend(config.backends);
      monitor?.stop();
      let db: ReturnType<typeof openEdgewatchDB> | undefined;
      monitor = new PredictionMonitor(() => (db ??= openEdgewatchDB(config.dbName)), config.windowMs);
      monitor.start(config.flushIntervalMs);
      return backend;
    },

    async load(request: LoadRequest): Promise<SessionInfo> {
      const { name } = requireBackend();
      const loaded = await ModelSession.load(request, name);
      const previous = sessions.get(request.name);
      sessions.set(request.name, loaded);
      previous?.dispose();
      return loaded.info;
    },

    async predict(name: string, records: readonly RawRecord[]): Promise<PredictResponse> {
      const active = session(name);
      const scores = await active.predict(records);
      const { outputs } = active.entry;
      if (outputs.kind === 'classification') {
        monitor?.observeClassification(active.name, active.version, outputs.labels, scores, records.length);
      }
      const response: PredictResponse = {
        version: active.version,
        backend: requireBackend().name,
        rows: records.length,
        outputWidth: active.outputWidth,
        scores,
        idPrefix: `${workerId}-${(batchCounter++).toString(36)}`,
      };
      return transfer(response, [scores.buffer]);
    },

    async features(name: string, records: readonly RawRecord[]) {
      const copy = Float32Array.from(session(name).features.transform(records));
      return transfer(copy, [copy.buffer]);
    },

    async flush() {
      await monitor?.flush();
    },

    async unload(name: string) {
      session(name).dispose();
      sessions.delete(name);
    },

    async stats() {
      return { numTensors: tf.memory().numTensors, backend: tf.getBackend() ?? null };
    },
  };
}

/**
 * The worker's backend decision on its first model: in the configured order, or (`'auto'`) measured on
 * the model itself and remembered per device and model version.
 */
import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import { versionKey } from '../src/registry/versionKey.ts';
import type { EdgewatchDB } from '../src/storage/db.ts';
import { backendOrder, backends, firstWorkingBackend, measureBackends, webgpuAdapterInfo } from './backend.ts';
import { BackendName, type BackendInfo, type LoadRequest, type WorkerConfig } from './protocol.ts';
import { ModelSession } from './session.ts';

/** Rows of the warm-up batch a backend is timed on, and how long timing may take per backend. */
const TRIAL_ROWS = 32;
const TRIAL_RUNS = 5;
const TRIAL_BUDGET_MS = 1500;

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
export async function chooseBackend(
  request: LoadRequest,
  files: ReadonlyMap<string, Uint8Array>,
  config: WorkerConfig,
  database: () => Promise<IDBPDatabase<EdgewatchDB>>,
): Promise<BackendInfo> {
  const { backends: preference, rememberBackend = true } = config;
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
  const key = `${versionKey(request.name, request.version)}|${order.map((b) => b.name).join(',')}|${await deviceKey()}`;
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

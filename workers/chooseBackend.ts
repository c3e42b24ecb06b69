/**
 * The worker's backend on its first model. A list: the first that starts, in order. `'auto'`: the
 * remembered decision for this device and model version when there is one; otherwise the first backend
 * of the version's first-serving order (`firstServingOrder.ts`: cpu, then wasm for a small tabular model;
 * wasm, then cpu for the rest) serves at once and the others are timed in the background
 * (`backgroundTrials.ts`), which also remembers the outcome.
 */
import type { IDBPDatabase } from 'idb';
import { versionKey } from '../src/registry/versionKey.ts';
import type { EdgewatchDB } from '../src/storage/db.ts';
import { backendOrder, firstWorkingBackend, webgpuAdapterInfo } from './backend.ts';
import { firstServingOrder } from './firstServingOrder.ts';
import { BackendName, type BackendInfo, type LoadRequest, type MeasuredBackend, type WorkerConfig } from './protocol.ts';
import { storedThreadCount } from './threadCount.ts';
import { configureWasmThreads, wasmThreads, wasmThreadsPossible } from './wasmThreads.ts';

/** Device identity for remembered decisions: a browser update or another GPU means measuring again. */
async function deviceKey(): Promise<string> {
  const adapter = await webgpuAdapterInfo();
  return [navigator.userAgent, navigator.hardwareConcurrency, adapter?.description ?? 'no-webgpu'].join('|');
}

/** The key of a remembered decision: model version, the candidates, the device. */
export async function backendChoiceKey(request: LoadRequest, config: WorkerConfig): Promise<string> {
  const order = backendOrder(config.backends);
  return `${versionKey(request.name, request.version)}|${order.map((b) => b.name).join(',')}|${await deviceKey()}`;
}

/**
 * Picks the worker's backend on its first model, without timing anything: one backend per worker
 * (TF.js has one active backend; weights moved between backends per call would cost more than any
 * difference between them).
 */
export async function chooseBackend(request: LoadRequest, config: WorkerConfig, database: () => Promise<IDBPDatabase<EdgewatchDB>>): Promise<BackendInfo> {
  const { backends: preference, rememberBackend = true } = config;
  const order = backendOrder(preference);
  const failed: Partial<Record<BackendName, string>> = {};
  // What serves first, from the manifest's entry alone (nothing fetched yet); GPU backends are never first:
  // shader compilation first, and often a software adapter.
  const serving = firstServingOrder(request.entry);
  const rank = (name: BackendName) => (serving.includes(name) ? serving.indexOf(name) : serving.length);
  const first = [...order].sort((a, b) => rank(a.name) - rank(b.name)); // stable: the rest keep their order
  // Under 'auto' a first visit waits for nothing it need not: the adapter query (slow on a software
  // adapter), the remembered lookup and the first backend's start run at once. Where threaded wasm can
  // run, only the backends before wasm start early (cpu, for a small model): the remembered thread
  // count must be known before wasm starts.
  const wasmAt = first.findIndex((b) => b.name === BackendName.wasm);
  const earlyOrder = wasmThreadsPossible() && wasmAt >= 0 ? first.slice(0, wasmAt) : first;
  const early =
    preference === 'auto' && earlyOrder.length > 0 && config.measured?.backend === undefined
      ? firstWorkingBackend(earlyOrder, failed).catch((error: unknown) => error)
      : undefined;
  const db = preference === 'auto' && rememberBackend ? database().catch(() => undefined) : undefined;
  const adapter = order.some((b) => b.name === 'webgpu') ? await webgpuAdapterInfo() : undefined;
  const withAdapter = (info: Omit<BackendInfo, 'webgpuFallbackAdapter'>): BackendInfo => ({
    ...info,
    ...(info.name === 'wasm' ? { threads: wasmThreads() } : {}),
    webgpuFallbackAdapter: adapter?.fallback,
    webgpuMaxBufferSize: adapter?.maxBufferSize,
  });
  if (preference !== 'auto') {
    const name = await firstWorkingBackend(order, failed);
    return withAdapter({ name, available: [name], failed, chosenBy: 'order' });
  }
  if (config.measured?.backend !== undefined) {
    // A handoff worker (or its restart): the trials' outcome, as a remembered decision would be used.
    const { backend, threads, trials, threadTrials } = config.measured as MeasuredBackend;
    if ((config.wasmThreads ?? 'auto') === 'auto' && threads !== undefined) configureWasmThreads(threads);
    const name = await firstWorkingBackend([...order.filter((b) => b.name === backend), ...order], failed);
    if (name === backend) return withAdapter({ name, available: [name], failed, chosenBy: 'measured', trials, ...(threadTrials ? { threadTrials } : {}) });
    return withAdapter({ name, available: [name], failed, chosenBy: 'measuring' });
  }
  if (db) {
    const key = await backendChoiceKey(request, config);
    const remembered = await db.then((d) => d?.get('backendChoices', key)).catch(() => undefined);
    if (remembered) {
      await early; // whatever started first, the remembered one is brought up now
      // Threads must be known before wasm starts: its pool is sized then.
      if ((config.wasmThreads ?? 'auto') === 'auto') configureWasmThreads(storedThreadCount(remembered.threads));
      const name = await firstWorkingBackend([...order.filter((b) => b.name === remembered.backend), ...order], failed);
      if (name === remembered.backend) {
        const { threads: threadTrials, ...trials } = remembered.trials as { threads?: Record<string, number> };
        return withAdapter({
          name,
          available: [name],
          failed,
          chosenBy: 'remembered',
          trials: trials as BackendInfo['trials'],
          ...(threadTrials ? { threadTrials } : {}),
        });
      }
      // The remembered backend no longer starts: serve on what did, and measure again.
      return withAdapter({ name, available: [name], failed, chosenBy: 'measuring' });
    }
  }
  const started = await early;
  // What failed early is in `failed` and skipped here; none left: BACKEND_UNAVAILABLE with every reason.
  const name = typeof started === 'string' ? (started as BackendName) : await firstWorkingBackend(first, failed);
  return withAdapter({ name, available: [name], failed, chosenBy: 'measuring' });
}

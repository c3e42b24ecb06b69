/**
 * wasm thread counts measured on the model itself, each in its own worker: the thread pool is sized once,
 * when a worker's wasm backend starts (`wasmThreads.ts`), so the serving worker cannot try another count.
 * Each count gets a fresh worker of the same script with `backends: ['wasm']` and `wasmThreads: n`, loads
 * the model from the verified artifact cache and times it in-worker; the counts alternate round by round
 * (A B A B) so machine load hits them alike, with idle gaps between steps (`takeTurns.ts`). The outcome is remembered and used from the next start.
 */
import { type Remote, releaseProxy, wrap } from 'comlink';
import { MIN_TIMING_MS, timeCalls } from './timeCalls.ts';
import type { LoadRequest, WorkerApi, WorkerConfig } from './protocol.ts';
import type { ModelSession } from './session.ts';
import { paced, takeTurns } from './takeTurns.ts';
import { deviceCores } from './threadCount.ts';
import { wasmThreadsPossible } from './wasmThreads.ts';

const ROUNDS = 5;
const TRIAL_FLOATS = 1 << 16;

/** The trial batch of `session`: up to 32 rows of its goldens (zeros without), at most 64 Ki floats. */
export function trialBatch(session: ModelSession, maxRows = 32): { batch: Float32Array; rows: number } {
  const width = session.features.width;
  const rows = Math.max(1, Math.min(maxRows, Math.floor(TRIAL_FLOATS / width)));
  const batch = new Float32Array(rows * width);
  const goldens = session.entry.goldens ?? [];
  // Real records where the publisher gave some: zeros hide numerical differences between backends.
  if (goldens.length > 0) batch.set(session.features.transform(Array.from({ length: rows }, (_, i) => goldens[i % goldens.length].record)));
  return { batch, rows };
}

/**
 * Median ms of `session` on its trial batch ({@link trialBatch}; at most `maxRows` rows), in this worker,
 * over `rounds` timings: one call each, or with `minRoundMs` the mean of calls repeated until that span
 * is covered ({@link timeCalls}: what trials compare).
 */
export async function timeSession(session: ModelSession, rounds: number, maxRows?: number, minRoundMs?: number): Promise<number> {
  const { batch, rows } = trialBatch(session, maxRows);
  const run = () => session.predictBatch(batch, rows);
  const times: number[] = [];
  // A span of 0 is one call (no elapsed time is below it).
  for (let i = 0; i < Math.max(1, rounds); i++) times.push((await timeCalls(run, minRoundMs ?? 0)).ms);
  return times.sort((a, b) => a - b)[times.length >> 1];
}

/** One timed run of `session` on its trial batch, with its outputs. */
export async function trialRun(session: ModelSession): Promise<{ ms: number; outputs: Float32Array }> {
  const { batch, rows } = trialBatch(session);
  const t0 = performance.now();
  const outputs = await session.predictBatch(batch, rows);
  const ms = performance.now() - t0;
  // Its own buffer: the answer transfers it.
  return { ms, outputs: outputs.byteOffset === 0 && outputs.length === outputs.buffer.byteLength / 4 ? outputs : outputs.slice() };
}

/** Thread counts worth measuring here: 1…hardwareConcurrency (at most 8), or none where threads cannot run. */
export function threadCounts(): number[] {
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function';
  const cores = deviceCores();
  if (!inWorker || typeof Worker !== 'function' || !wasmThreadsPossible() || cores < 2) return [];
  return Array.from({ length: Math.min(8, cores) }, (_, i) => i + 1);
}

/** Median ms per thread count on the trial batch and on one row (what a lone caller sends). */
export interface ThreadMedians {
  readonly batch: Record<number, number>;
  readonly single: Record<number, number>;
}

/**
 * Median ms per thread count for the model of `request`, each count in its own worker. The workers start
 * one at a time and every step is followed by an idle gap as long as it ({@link takeTurns}), so the serving
 * worker keeps a core while they run.
 */
export async function measureThreads(request: LoadRequest, config: WorkerConfig, counts: readonly number[]): Promise<ThreadMedians> {
  const children: { threads: number; worker: Worker; api: Remote<WorkerApi> }[] = [];
  try {
    const { lifeLock: _own, ...rest } = config;
    for (const threads of counts) {
      const worker = new Worker((globalThis as unknown as { location: Location }).location.href, { type: 'module', name: `edgewatch-threads-${threads}` });
      const child = { threads, worker, api: wrap<WorkerApi>(worker) };
      children.push(child);
      await paced(async () => {
        await child.api.configure({ ...rest, backends: ['wasm'], wasmThreads: child.threads, rememberBackend: false, monitoring: false });
        await child.api.load(request);
      });
    }
    // Round -1 warms each child up (its first runs after a load are slower) and is not counted.
    const kept = await takeTurns(
      children.map((child) => async () => ({
        batch: await child.api.timeModel(request.name, 1, undefined, MIN_TIMING_MS),
        single: await child.api.timeModel(request.name, 3, 1, MIN_TIMING_MS),
      })),
      { rounds: ROUNDS, warmup: 1 },
    );
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
    const batch: Record<number, number> = {};
    const single: Record<number, number> = {};
    for (const [k, child] of children.entries()) {
      batch[child.threads] = median(kept[k].map((t) => t.batch));
      single[child.threads] = median(kept[k].map((t) => t.single));
    }
    return { batch, single };
  } finally {
    for (const child of children) {
      child.api[releaseProxy]();
      child.worker.terminate();
    }
  }
}

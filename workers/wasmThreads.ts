/**
 * The one place the TF.js wasm thread pool is sized. tfjs-backend-wasm sizes XNNPACK's pool when the
 * backend is constructed, from `setThreadsCount` capped at half of `navigator.hardwareConcurrency` as the
 * worker reads it then: on a 2-core device one thread, whatever is asked. The only lever is what the
 * worker's navigator says at that moment, so the wasm backend's start presents `2 × threads` cores, and
 * the real value is restored straight after (device keys and the app read the truth). Threads exist only
 * where the page is cross-origin isolated (COOP `same-origin` + COEP `require-corp`: SharedArrayBuffer);
 * elsewhere the single-threaded SIMD binary runs and this changes nothing. How many threads pay off
 * depends on the model and the device (graph models 0.51–0.56× the time with 2 threads on 2 cores, a
 * small MLP 1.1–1.3× slower): the count is measured (`threadTrials.ts`), not assumed.
 */
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { threadCount } from './threadCount.ts';

let wanted: number | undefined;

/** Threads the wasm backend will start with (before its first start in this worker); undefined: the library's default. */
export function configureWasmThreads(threads: number | undefined): void {
  wanted = threadCount(threads);
}

/** True where threaded wasm can run: SharedArrayBuffer, which needs cross-origin isolation. */
export function wasmThreadsPossible(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
}

/** Runs the wasm backend's start (`init`) with the configured thread count presented to tfjs-backend-wasm. */
export async function withWasmThreads<T>(init: () => Promise<T>): Promise<T> {
  if (wanted === undefined || typeof navigator === 'undefined') return init();
  const threads = wanted;
  setThreadsCount(threads);
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => threads * 2 });
  try {
    return await init();
  } finally {
    if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
    else delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Threads the started wasm backend runs (1 without cross-origin isolation); undefined before it started. */
export function wasmThreads(): number | undefined {
  try {
    return getThreadsCount();
  } catch {
    return undefined;
  }
}

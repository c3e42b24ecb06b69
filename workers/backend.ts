/**
 * TF.js backends as small described objects, probed inside the worker. A probe both checks and
 * initialises: a backend that exists on paper (navigator.gpu) can still fail to give an adapter.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import { hasOffscreenWebGL2, hasWebGPU } from '../src/env.ts';
import { BackendName, type BackendPreference, type WasmPaths } from './protocol.ts';
import { defaultWasmPaths } from './wasmPaths.ts';

/** A backend: its name, the default order of trial, and how to bring it up. */
export interface Backend {
  readonly name: BackendName;
  /** Lower is tried first under `'auto'`. */
  readonly priority: number;
  /** Returns null when the backend initialised and is now active, or the reason it cannot run. */
  probe(): Promise<string | null>;
}

async function activate(name: string): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    return null;
  } catch (error) {
    return String(error);
  }
}

let wasmPathsSet = false;
let wasmPathsOption: WasmPaths | undefined;

/** Where the wasm binaries are served (the `wasmPaths` runtime option); before the wasm backend first starts. */
export function configureWasmPaths(paths: WasmPaths | undefined): void {
  wasmPathsOption = paths;
}

/**
 * The backends, in the default order of trial. WASM comes first: on devices whose only WebGPU adapter
 * is a software fallback (SwiftShader) WebGPU is 50–100× slower than WASM SIMD for small models, and
 * TF.js's own priorities (webgpu 3, webgl 2) would pick it. The measured choice refines this order.
 */
export const backends: readonly Backend[] = [
  {
    name: BackendName.wasm,
    priority: 0,
    async probe() {
      if (typeof WebAssembly !== 'object') return 'WebAssembly is not available';
      if (!wasmPathsSet) {
        setWasmPaths(wasmPathsOption ?? defaultWasmPaths());
        wasmPathsSet = true;
      }
      return activate('wasm');
    },
  },
  {
    name: BackendName.webgl,
    priority: 1,
    probe: async () => (hasOffscreenWebGL2() || typeof document !== 'undefined' ? activate('webgl') : 'no WebGL2 (OffscreenCanvas)'),
  },
  {
    name: BackendName.webgpu,
    priority: 2,
    probe: async () => (hasWebGPU() ? activate('webgpu') : 'navigator.gpu is missing'),
  },
  { name: BackendName.cpu, priority: 3, probe: () => activate('cpu') },
];

/** What the WebGPU adapter says about itself; undefined when absent. */
export async function webgpuAdapterInfo(): Promise<{ fallback?: boolean; description: string; maxBufferSize?: number } | undefined> {
  if (!hasWebGPU()) return undefined;
  try {
    type Adapter = {
      info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
      isFallbackAdapter?: boolean;
      limits?: { maxBufferSize?: number };
    };
    const gpu = (navigator as unknown as { gpu: { requestAdapter(): Promise<Adapter | null> } }).gpu;
    const adapter = await gpu.requestAdapter();
    if (!adapter) return undefined;
    const info = adapter.info ?? {};
    return {
      fallback: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
      description: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter',
      maxBufferSize: adapter.limits?.maxBufferSize,
    };
  } catch {
    return undefined;
  }
}

/** The backends a preference names, in the order to try them. */
export function backendOrder(preference: BackendPreference): Backend[] {
  if (preference === 'auto') return [...backends].sort((a, b) => a.priority - b.priority);
  if (!Array.isArray(preference) || preference.length === 0) {
    throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, 'backends must be "auto" or a non-empty list', { preference });
  }
  return preference.map((name) => {
    const backend = backends.find((b) => b.name === name);
    if (!backend) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `Unknown backend "${name}"`, { backend: name });
    return backend;
  });
}

/**
 * Brings up the first backend of `order` that initialises and leaves it active. Throws
 * `BACKEND_UNAVAILABLE` (with every reason) when none does.
 */
export async function firstWorkingBackend(order: readonly Backend[], failed: Partial<Record<BackendName, string>> = {}): Promise<BackendName> {
  for (const backend of order) {
    if (failed[backend.name]) continue;
    const reason = await backend.probe();
    if (reason === null) return backend.name;
    failed[backend.name] = reason;
  }
  throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `No TF.js backend could start (tried ${order.map((b) => b.name).join(', ')})`, { failed });
}

/** Timing and correctness of one candidate backend on a model's warm-up batch. */
export interface BackendTrial {
  /** Median ms of a predict on the warm-up batch, readback included; undefined when it could not run. */
  readonly medianMs?: number;
  /** Largest absolute difference from the reference backend's outputs. */
  readonly maxAbsDiff?: number;
  /** Why the candidate was rejected. */
  readonly rejected?: string;
}

/**
 * Measures each candidate with `trial` (which loads the model on the active backend, warms it up and
 * times it) and returns the fastest whose outputs match the reference (the first successful trial of
 * `reference`, normally cpu: plain JS arithmetic, the same as the publisher's Node run) within `tolerance`.
 */
export async function measureBackends(
  candidates: readonly Backend[],
  reference: Backend,
  trial: (backend: BackendName) => Promise<{ medianMs: number; outputs: Float32Array }>,
  tolerance = 1e-3,
): Promise<{ winner: BackendName; trials: Partial<Record<BackendName, BackendTrial>>; failed: Partial<Record<BackendName, string>> }> {
  const failed: Partial<Record<BackendName, string>> = {};
  const trials: Partial<Record<BackendName, BackendTrial>> = {};
  const referenceReason = await reference.probe();
  if (referenceReason !== null) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `Reference backend ${reference.name} failed: ${referenceReason}`);
  const expected = await trial(reference.name);
  trials[reference.name] = { medianMs: expected.medianMs, maxAbsDiff: 0 };
  for (const candidate of candidates) {
    if (candidate.name === reference.name) continue;
    const reason = await candidate.probe();
    if (reason !== null) {
      failed[candidate.name] = reason;
      continue;
    }
    try {
      const { medianMs, outputs } = await trial(candidate.name);
      let maxAbsDiff = outputs.length === expected.outputs.length ? 0 : Infinity;
      for (let i = 0; i < outputs.length && maxAbsDiff !== Infinity; i++) {
        const diff = Math.abs(outputs[i] - expected.outputs[i]);
        maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
      }
      trials[candidate.name] =
        maxAbsDiff <= tolerance ? { medianMs, maxAbsDiff } : { medianMs, maxAbsDiff, rejected: `outputs differ from ${reference.name} by ${maxAbsDiff}` };
    } catch (error) {
      trials[candidate.name] = { rejected: String(error) };
      failed[candidate.name] = String(error);
    }
  }
  let winner: BackendName = reference.name;
  let best = candidates.some((c) => c.name === reference.name) ? expected.medianMs : Infinity;
  for (const candidate of candidates) {
    const result = trials[candidate.name];
    if (result && !result.rejected && result.medianMs !== undefined && result.medianMs < best) {
      best = result.medianMs;
      winner = candidate.name;
    }
  }
  return { winner, trials, failed };
}

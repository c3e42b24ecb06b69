/**
 * TF.js backends as small described objects, probed inside the worker. A probe both checks and
 * initialises: a backend that exists on paper (navigator.gpu) can still fail to give an adapter.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Serve the wasm binaries ourselves: without explicit paths TF.js fetches them relative to the
// script, Vite answers with index.html and setBackend('wasm') silently returns false.
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import { hasOffscreenWebGL2, hasWebGPU } from '../src/env.ts';
import { BackendName, type BackendInfo, type BackendPreference } from './protocol.ts';

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
        setWasmPaths({
          'tfjs-backend-wasm.wasm': wasmPlainUrl,
          'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
        });
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

/** Whether the WebGPU adapter is a software fallback; undefined when unknown or absent. */
async function webgpuFallback(): Promise<boolean | undefined> {
  if (!hasWebGPU()) return undefined;
  try {
    const gpu = (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null> } }).gpu;
    const adapter = await gpu.requestAdapter();
    if (!adapter) return undefined;
    return adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter;
  } catch {
    return undefined;
  }
}

/**
 * Brings up the first backend of `preference` that initialises and leaves it active. Throws
 * `BACKEND_UNAVAILABLE` (with every reason) when none does.
 */
export async function selectBackend(preference: BackendPreference): Promise<BackendInfo> {
  const order =
    preference === 'auto'
      ? [...backends].sort((a, b) => a.priority - b.priority)
      : preference.map((name) => {
          const backend = backends.find((b) => b.name === name);
          if (!backend) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `Unknown backend "${name}"`, { backend: name });
          return backend;
        });
  const failed: Partial<Record<BackendName, string>> = {};
  for (const backend of order) {
    const reason = await backend.probe();
    if (reason === null) {
      return {
        name: backend.name,
        available: [backend.name],
        failed,
        webgpuFallbackAdapter: backend.name === 'webgpu' ? await webgpuFallback() : undefined,
      };
    }
    failed[backend.name] = reason;
  }
  throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `No TF.js backend could start (tried ${order.map((b) => b.name).join(', ')})`, { failed });
}

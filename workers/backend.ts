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
import { withWasmThreads } from './wasmThreads.ts';

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
      // The thread pool is sized as the backend starts: the one place that is done (wasmThreads.ts).
      return withWasmThreads(() => activate('wasm'));
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

type AdapterInfo = { fallback?: boolean; description: string; maxBufferSize?: number };
let adapterInfo: Promise<AdapterInfo | undefined> | undefined;

/**
 * What the WebGPU adapter says about itself; undefined when absent. Asked once per worker: on a software
 * adapter `requestAdapter()` alone takes hundreds of ms, and a first visit should not pay it twice.
 */
export function webgpuAdapterInfo(): Promise<AdapterInfo | undefined> {
  adapterInfo ??= queryAdapter();
  return adapterInfo;
}

async function queryAdapter(): Promise<AdapterInfo | undefined> {
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

/** Timing and correctness of one candidate backend on a model's trial batch. */
export interface BackendTrial {
  /** Median ms of a predict on the trial batch, readback included; undefined when it could not run. */
  readonly medianMs?: number;
  /** Largest absolute difference from the serving backend's outputs. */
  readonly maxAbsDiff?: number;
  /** Why the candidate was rejected (or skipped). */
  readonly rejected?: string;
}

/**
 * The WebGL renderer's name (`ANGLE (…SwiftShader…)` for Chromium's software renderer); undefined when
 * WebGL2 is missing or the name is masked.
 */
export function webglRenderer(): string | undefined {
  if (typeof OffscreenCanvas !== 'function') return undefined;
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : undefined;
    gl.getExtension('WEBGL_lose_context')?.loseContext(); // one context fewer against the browser's cap
    return name;
  } catch {
    return undefined;
  }
}

/** True for a renderer name of a software rasteriser (SwiftShader, llvmpipe, Microsoft Basic Render). */
export function isSoftwareRenderer(name: string | undefined): boolean {
  return name !== undefined && /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

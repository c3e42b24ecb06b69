/**
 * Capability detection, in one place and always lazily: nothing here runs at import time, so the
 * library imports in Node (CLI, tests) and in browsers that lack some of these APIs.
 */

/** True when dedicated module workers can be created. */
export function hasWorker(): boolean {
  return typeof Worker === 'function';
}

/** True when IndexedDB is available (absent in Node, in some private modes, in opaque origins). */
export function hasIndexedDB(): boolean {
  return typeof indexedDB !== 'undefined' && indexedDB !== null;
}

/** True when WebCrypto's SubtleCrypto is usable (secure contexts only in browsers). */
export function hasSubtleCrypto(): boolean {
  return typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';
}

/** True when `navigator.gpu` exists; an adapter may still be unavailable (see the backend probe). */
export function hasWebGPU(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && (navigator as { gpu?: unknown }).gpu != null;
}

/** True when WebGL2 can be created off-screen (what the TF.js webgl backend needs inside a worker). */
export function hasOffscreenWebGL2(): boolean {
  if (typeof OffscreenCanvas !== 'function') return false;
  try {
    return new OffscreenCanvas(1, 1).getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

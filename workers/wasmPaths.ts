// Serve the wasm binaries ourselves: without explicit paths TF.js fetches them relative to the
// script, Vite answers with index.html and setBackend('wasm') silently returns false.
// This is the source tree's (Vite's) version; the package build replaces this module with one that
// finds the binaries next to the prebuilt worker (`scripts/build-package.mjs`).
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Where the TF.js wasm backend's binaries are served, by file name (what `setWasmPaths` takes). */
export function defaultWasmPaths(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  };
}

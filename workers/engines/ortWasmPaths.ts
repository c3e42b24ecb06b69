// ONNX Runtime Web's wasm binaries, served by us (as the TF.js ones in ../wasmPaths.ts). Imported only by
// the ORT engine's lazy chunk: an app with only TF.js models never fetches them. This is the source tree's
// (Vite's) version; the package build replaces it with one that finds them next to the prebuilt worker.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortAsyncifyUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

/** Where ORT's binaries are served, by file name: the wasm EP's build and the WebGPU (asyncify) build. */
export function defaultOrtWasmPaths(): Record<string, string> {
  return {
    'ort-wasm-simd-threaded.wasm': ortWasmUrl,
    'ort-wasm-simd-threaded.asyncify.wasm': ortAsyncifyUrl,
  };
}

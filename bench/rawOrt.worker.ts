/// <reference lib="webworker" />
/**
 * The peer the ORT engine is measured against: plain onnxruntime-web (wasm EP, its default threads) in a
 * worker, the model fetched from its URL, one postMessage in and one out per call (input and output
 * transferred). No features, batching, verification or monitoring.
 */
import * as ort from 'onnxruntime-web/wasm';
import { defaultOrtWasmPaths } from '../workers/engines/ortWasmPaths.ts';

type Constant = { name: string; dtype: 'float32' | 'int64'; shape: (number | 'batch')[]; value: number };
let session: ort.InferenceSession | undefined;
let inputName = '';
let outputName = '';
let constants: Constant[] = [];

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: 'load'; url: string; input: string; output: string; constants: Constant[] }
    | { type: 'predict'; id: number; input: Float32Array; shape: number[] };
  if (message.type === 'load') {
    ort.env.wasm.wasmPaths = { wasm: defaultOrtWasmPaths()['ort-wasm-simd-threaded.wasm'] };
    const bytes = new Uint8Array(await (await fetch(message.url)).arrayBuffer());
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    ({ input: inputName, output: outputName, constants } = message);
    self.postMessage({ type: 'loaded' });
    return;
  }
  const started = performance.now();
  const rows = message.shape[0];
  const feeds: Record<string, ort.Tensor> = { [inputName]: new ort.Tensor('float32', message.input, message.shape) };
  for (const c of constants) {
    const dims = c.shape.map((d) => (d === 'batch' ? rows : d));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[c.name] =
      c.dtype === 'int64'
        ? new ort.Tensor('int64', new BigInt64Array(size).fill(BigInt(c.value)), dims)
        : new ort.Tensor('float32', new Float32Array(size).fill(c.value), dims);
  }
  const results = await (session as ort.InferenceSession).run(feeds);
  const data = results[outputName].data as Float32Array;
  for (const value of Object.values(results)) value.dispose();
  self.postMessage({ type: 'result', id: message.id, output: data, workerMs: performance.now() - started }, [data.buffer]);
};

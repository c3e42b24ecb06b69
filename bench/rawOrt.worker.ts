/// <reference lib="webworker" />
/**
 * The peer the ORT engine is measured against: plain onnxruntime-web (wasm EP, its default threads) in a
 * worker, the model fetched from its URL, one postMessage in and one out per call (input and output
 * transferred). No features, batching, verification or monitoring. It does what a careful ORT user does:
 * constant inputs (the VAD's state and sample rate) built once per row count and reused, and only the
 * output it reads fetched (`session.run(feeds, [output])`), its other outputs never copied out. Given a
 * feature spec at load, it takes records instead and runs the same compiled transform the runtime does
 * (the same input work on both sides).
 */
import * as ort from 'onnxruntime-web/wasm';
import { type CompiledFeatures, compile } from '../src/features/compile.ts';
import type { FeatureSpec, RawRecord } from '../src/features/FeatureSpec.ts';
import { defaultOrtWasmPaths } from '../workers/engines/ortWasmPaths.ts';

type Constant = { name: string; dtype: 'float32' | 'int64'; shape: (number | 'batch')[]; value: number };
let session: ort.InferenceSession | undefined;
let inputName = '';
let outputName = '';
let constants: Constant[] = [];
let features: CompiledFeatures | undefined;
const constantFeeds = new Map<number, Record<string, ort.Tensor>>();

function constantsFor(rows: number): Record<string, ort.Tensor> {
  let feeds = constantFeeds.get(rows);
  if (feeds) return feeds;
  feeds = {};
  for (const c of constants) {
    const dims = c.shape.map((d) => (d === 'batch' ? rows : d));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[c.name] =
      c.dtype === 'int64'
        ? new ort.Tensor('int64', new BigInt64Array(size).fill(BigInt(c.value)), dims)
        : new ort.Tensor('float32', new Float32Array(size).fill(c.value), dims);
  }
  constantFeeds.set(rows, feeds);
  return feeds;
}

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: 'load'; url: string; input: string; output: string; constants: Constant[]; spec?: FeatureSpec }
    | { type: 'predict'; id: number; input: Float32Array; shape: number[] }
    | { type: 'records'; id: number; records: RawRecord[] };
  if (message.type === 'load') {
    ort.env.wasm.wasmPaths = { wasm: defaultOrtWasmPaths()['ort-wasm-simd-threaded.wasm'] };
    const bytes = new Uint8Array(await (await fetch(message.url)).arrayBuffer());
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    ({ input: inputName, output: outputName, constants } = message);
    if (message.spec) features = compile(message.spec);
    self.postMessage({ type: 'loaded' });
    return;
  }
  const started = performance.now();
  const input = message.type === 'records' ? (features as CompiledFeatures).transform(message.records) : message.input;
  const shape = message.type === 'records' ? [message.records.length, (features as CompiledFeatures).width] : message.shape;
  const feeds: Record<string, ort.Tensor> = { ...constantsFor(shape[0]), [inputName]: new ort.Tensor('float32', input, shape) };
  const results = await (session as ort.InferenceSession).run(feeds, [outputName]);
  const data = results[outputName].data as Float32Array;
  self.postMessage({ type: 'result', id: message.id, output: data, workerMs: performance.now() - started }, [data.buffer]);
};

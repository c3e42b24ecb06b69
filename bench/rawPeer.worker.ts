/// <reference lib="webworker" />
/**
 * The peer the runtime is measured against: plain TF.js in a worker, the model loaded from its URL,
 * one postMessage in and one out per call (input and output transferred). No features, batching,
 * verification or monitoring: the least any worker-based integration has to do. Given a feature spec at
 * load, it takes records instead and runs the same compiled transform the runtime does (the same input
 * work on both sides).
 */
import * as tf from '@tensorflow/tfjs';
import { type CompiledFeatures, compile } from '../src/features/compile.ts';
import type { FeatureSpec, RawRecord } from '../src/features/FeatureSpec.ts';
import { selectPeerBackend, tfjsDefaultBackend } from './peerBackend.ts';

let model: tf.LayersModel | tf.GraphModel | undefined;
let features: CompiledFeatures | undefined;

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: 'load'; url: string; format: 'layers' | 'graph'; backend: string; spec?: FeatureSpec }
    | { type: 'predict'; id: number; input: Float32Array; shape?: number[] }
    | { type: 'records'; id: number; records: RawRecord[] };
  if (message.type === 'load') {
    if (message.spec) features = compile(message.spec);
    // 'tfjs-default': no backend asked for, TF.js picks (the backend-choice scenario's third side).
    if (message.backend === 'tfjs-default') await tfjsDefaultBackend();
    else await selectPeerBackend(message.backend);
    model = message.format === 'graph' ? await tf.loadGraphModel(message.url) : await tf.loadLayersModel(message.url);
    self.postMessage({ type: 'loaded', backend: tf.getBackend() });
    return;
  }
  const started = performance.now();
  const input = message.type === 'records' ? (features as CompiledFeatures).transform(message.records) : message.input;
  const shape =
    message.type === 'records' ? [message.records.length, (features as CompiledFeatures).width] : (message.shape ?? inputShape(message.input.length));
  const output = tf.tidy(() => (model as tf.LayersModel).predict(tf.tensor(input, shape)) as tf.Tensor);
  const data = (await output.data()) as Float32Array;
  output.dispose();
  self.postMessage({ type: 'result', id: message.id, output: data, workerMs: performance.now() - started }, [data.buffer]);
};

/** Without a shape (a model the bench was never told about): the model's own input shape, batch from the length. */
function inputShape(length: number): number[] {
  const dims = ((model as tf.LayersModel).inputs[0].shape as (number | null)[]).slice(1).map((d) => d ?? 1);
  return [length / dims.reduce((a, b) => a * b, 1), ...dims];
}

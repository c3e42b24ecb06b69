/// <reference lib="webworker" />
/**
 * The peer the runtime is measured against: plain TF.js in a worker, the model loaded from its URL,
 * one postMessage in and one out per call (input and output transferred). No features, batching,
 * verification or monitoring: the least any worker-based integration has to do.
 */
import * as tf from '@tensorflow/tfjs';
import { selectPeerBackend, tfjsDefaultBackend } from './peerBackend.ts';

let model: tf.LayersModel | tf.GraphModel | undefined;

self.onmessage = async (event: MessageEvent) => {
  const message = event.data as
    | { type: 'load'; url: string; format: 'layers' | 'graph'; backend: string }
    | { type: 'predict'; id: number; input: Float32Array; shape?: number[] };
  if (message.type === 'load') {
    // 'tfjs-default': no backend asked for, TF.js picks (the backend-choice scenario's third side).
    if (message.backend === 'tfjs-default') await tfjsDefaultBackend();
    else await selectPeerBackend(message.backend);
    model = message.format === 'graph' ? await tf.loadGraphModel(message.url) : await tf.loadLayersModel(message.url);
    self.postMessage({ type: 'loaded', backend: tf.getBackend() });
    return;
  }
  const started = performance.now();
  const shape = message.shape ?? inputShape(message.input.length);
  const output = tf.tidy(() => (model as tf.LayersModel).predict(tf.tensor(message.input, shape)) as tf.Tensor);
  const data = (await output.data()) as Float32Array;
  output.dispose();
  self.postMessage({ type: 'result', id: message.id, output: data, workerMs: performance.now() - started }, [data.buffer]);
};

/** Without a shape (a model the bench was never told about): the model's own input shape, batch from the length. */
function inputShape(length: number): number[] {
  const dims = ((model as tf.LayersModel).inputs[0].shape as (number | null)[]).slice(1).map((d) => d ?? 1);
  return [length / dims.reduce((a, b) => a * b, 1), ...dims];
}

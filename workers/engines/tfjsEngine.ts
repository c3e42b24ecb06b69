/** The TF.js engine: layers and graph models on the active TF.js backend (chosen by `chooseBackend.ts`). */
import * as tf from '@tensorflow/tfjs';
import { memoryIOHandler } from '../../src/models/memoryIOHandler.ts';
import { ModelFormat } from '../../src/registry/Manifest.ts';
import { BackendName } from '../protocol.ts';
import { type Engine, type EngineModel, EngineName, type TensorSignature } from './Engine.ts';

/** A TF.js model with its signature. */
export interface TfjsModel extends EngineModel {
  readonly net: tf.LayersModel | tf.GraphModel;
}

const signature = (list: readonly { name: string; shape?: readonly (number | null)[] | number[]; dtype?: string }[] | undefined): TensorSignature[] =>
  (list ?? []).map((t) => ({
    name: t.name,
    shape: (t.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
    dtype: t.dtype ?? 'float32',
  }));

/** The TF.js engine. */
export const tfjsEngine: Engine<TfjsModel> = {
  name: EngineName.tfjs,
  formats: [ModelFormat.layers, ModelFormat.graph],
  backends: [BackendName.wasm, BackendName.webgl, BackendName.webgpu, BackendName.cpu],

  async load(entry, files) {
    const handler = memoryIOHandler(files, entry.modelPath);
    const net = entry.format === ModelFormat.graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    return { net, inputs: signature(net.inputs as never), outputs: signature(net.outputs as never) };
  },

  async predict({ net }, batch, shape) {
    const output = tf.tidy(() => {
      const result = net.predict(tf.tensor(batch, [...shape])) as tf.Tensor | tf.Tensor[];
      return Array.isArray(result) ? result[0] : result;
    });
    try {
      // data(), never dataSync(): on GPU backends a sync readback blocks the worker's event loop.
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  },

  /**
   * WebGPU: run the graph once in compile-only mode so every pipeline compiles in parallel, and wait for
   * them, instead of compiling shader by shader inside the first real prediction.
   */
  async warm({ net }, shape) {
    if (tf.getBackend() !== 'webgpu') return;
    const backend = tf.backend() as unknown as { checkCompileCompletionAsync?: () => Promise<void> };
    if (typeof backend.checkCompileCompletionAsync !== 'function') return;
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
    try {
      tf.tidy(() => {
        net.predict(tf.zeros([...shape]));
      });
      await backend.checkCompileCompletionAsync();
    } finally {
      tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
    }
  },

  dispose({ net }) {
    net.dispose();
  },
};

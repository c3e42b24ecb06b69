/** The TF.js engine: layers and graph models on the active TF.js backend (chosen by `chooseBackend.ts`). */
import * as tf from '@tensorflow/tfjs';
import { memoryIOHandler } from '../../src/models/memoryIOHandler.ts';
import { ModelFormat } from '../../src/registry/Manifest.ts';
import { BackendName } from '../protocol.ts';
import { type Engine, type EngineModel, EngineName, type TensorSignature } from './Engine.ts';

/** A TF.js model with its signature. */
export interface TfjsModel extends EngineModel {
  readonly net: tf.LayersModel | tf.GraphModel;
  /** Outputs read with `dataSync()`: a backend whose read is a copy out of its own memory (wasm, cpu). */
  readonly syncRead: boolean;
}

/**
 * Backends whose `data()` is `readSync()` behind a promise: reading them synchronously gives the same copy
 * without the promise and its microtask hops. GPU backends keep `data()` (a sync readback stalls the worker).
 */
const SYNC_READ: ReadonlySet<string> = new Set([BackendName.wasm, BackendName.cpu]);

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

  async load(entry, files, backend) {
    const handler = memoryIOHandler(files, entry.modelPath);
    const net = entry.format === ModelFormat.graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    return { net, syncRead: SYNC_READ.has(backend), inputs: signature(net.inputs as never), outputs: signature(net.outputs as never) };
  },

  async predict({ net, syncRead }, batch, shape) {
    // tf.tensor copies the shape it is given: no copy of ours needed.
    const output = tf.tidy(() => {
      const result = net.predict(tf.tensor(batch, shape as number[])) as tf.Tensor | tf.Tensor[];
      return Array.isArray(result) ? result[0] : result;
    });
    try {
      // data() on GPU backends: there a sync readback blocks the worker's event loop.
      return (syncRead ? output.dataSync() : await output.data()) as Float32Array;
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

/**
 * The peer the runtime is measured against: plain TF.js in a worker (bench/rawPeer.worker.ts), one
 * message per call. `backend` is a TF.js backend name, or `'tfjs-default'` for TF.js's own choice.
 */
import type { FeatureSpec, RawRecord } from '../../src/features/FeatureSpec.ts';

export interface RawPeer {
  /** One call; `shape` defaults to the model's own input shape (the batch from the input's length). */
  predict(input: Float32Array, shape?: number[]): Promise<Float32Array>;
  /** The records as they are (structured clone), transformed in the worker by `spec`: the runtime's input work. */
  predictRecords(records: RawRecord[]): Promise<Float32Array>;
  /** The backend TF.js runs on in the worker. */
  readonly backend: string;
  /** Worker-side time of each call, in order. */
  readonly workerMs: number[];
  close(): void;
}

export async function rawPeer(url: string, format: 'layers' | 'graph', backend: string, spec?: FeatureSpec): Promise<RawPeer> {
  const worker = new Worker(new URL('../rawPeer.worker.ts', import.meta.url), { type: 'module' });
  const waiting = new Map<number, (output: Float32Array) => void>();
  const workerMs: number[] = [];
  let loaded: (value: string) => void = () => undefined;
  worker.onmessage = (event) => {
    if (event.data.type === 'loaded') loaded(event.data.backend);
    else {
      workerMs.push(event.data.workerMs);
      waiting.get(event.data.id)?.(event.data.output);
      waiting.delete(event.data.id);
    }
  };
  const ready = new Promise<string>((resolve) => (loaded = resolve));
  worker.postMessage({ type: 'load', url, format, backend, spec });
  const chosen = await ready;
  let next = 0;
  return {
    predict(input, shape) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ type: 'predict', id, input, shape }, [input.buffer]);
      });
    },
    predictRecords(records) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ type: 'records', id, records });
      });
    },
    backend: chosen,
    workerMs,
    close: () => worker.terminate(),
  };
}

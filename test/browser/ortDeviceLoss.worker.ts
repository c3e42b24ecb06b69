/// <reference lib="webworker" />
/**
 * The real inference worker plus one test hook: on "lose-device" it destroys the GPU device of ONNX
 * Runtime's WebGPU EP (the same module instance the worker's ORT engine imported).
 */
import * as ort from 'onnxruntime-web/webgpu';
import '../../workers/inference.worker.ts';

self.addEventListener('message', async (event) => {
  if (event.data === 'lose-device') ((await ort.env.webgpu.device) as unknown as { destroy(): void }).destroy();
});

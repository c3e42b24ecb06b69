/** Brings up a TF.js backend for the bench peers with the runtime's own probes (same wasm files, same flags). */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { backendOrder } from '../workers/backend.ts';
import type { BackendName } from '../workers/protocol.ts';
import { defaultWasmPaths } from '../workers/wasmPaths.ts';

export async function selectPeerBackend(name: string): Promise<void> {
  const reason = await backendOrder([name as BackendName])[0].probe();
  if (reason !== null) throw new Error(`backend ${name} did not start: ${reason}`);
}

/**
 * TF.js's own choice, with the same backends imported as the runtime's worker (cpu, webgl, wasm, webgpu):
 * no `setBackend`, so `tf.ready()` starts the highest registered priority that initialises (webgpu 3,
 * webgl 2 and wasm 2 in registration order, cpu 1). The wasm binaries are the runtime's, should it pick wasm.
 */
export async function tfjsDefaultBackend(): Promise<string> {
  setWasmPaths(defaultWasmPaths());
  await tf.ready();
  return tf.getBackend();
}

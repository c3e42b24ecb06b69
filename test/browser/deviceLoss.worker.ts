/// <reference lib="webworker" />
/**
 * The real inference worker plus one test hook: on the message "lose-device" it destroys the WebGPU
 * device TF.js uses, which is what a driver reset or an unplugged GPU looks like to the page.
 */
import * as tf from '@tensorflow/tfjs';
import '../../workers/inference.worker.ts';

self.addEventListener('message', (event) => {
  if (event.data === 'lose-device') (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
});

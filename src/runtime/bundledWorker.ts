/**
 * Starts the inference worker that ships with Edgewatch and says which URL it was started from.
 *
 * The expression `new Worker(new URL('…', import.meta.url), { type: 'module' })` is written literally because
 * that is the pattern Vite, webpack 5 and Rollup plugins detect to bundle and emit a worker. In the source
 * tree it names the TypeScript entry; the package build (`scripts/build-package.mjs`) rewrites it to the
 * prebuilt bundle `dist/worker/inference.worker.js`.
 */
export function startBundledWorker(): { readonly worker: Worker; readonly url: string } {
  const Native = globalThis.Worker;
  let url = '';
  // A bundler rewrites the URL inside the expression; what it became is only seen by the constructor,
  // so `Worker` is swapped for this one synchronous call to catch it (for the start-failure message).
  globalThis.Worker = class extends Native {
    constructor(scriptUrl: string | URL, options?: WorkerOptions) {
      url = String(scriptUrl);
      super(scriptUrl, options);
    }
  };
  try {
    const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'edgewatch-inference' });
    return { worker, url };
  } finally {
    globalThis.Worker = Native;
  }
}

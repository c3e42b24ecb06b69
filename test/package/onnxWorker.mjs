#!/usr/bin/env node
/**
 * The prebuilt worker (dist/worker/, `npm run build` first) with ONNX versions: ONNX Runtime sits in lazy
 * chunks beside the worker with its binaries, found through import.meta.url. One page loads a TF.js
 * version and must fetch nothing of ORT; another loads weather-onnx (bench/models/onnx, made by
 * scripts/build-onnx-models.ts) and must predict with it on wasm; a third loads weather-both (TF.js files with
 * their ONNX export as the alternate) under `'auto'` and must time the alternate (32 rows and one row) and
 * swap to it (forced: `backendSwapSpeedup: 0`). Run: `node test/package/onnxWorker.mjs`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { serveStatic } from './serveStatic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const server = await serveStatic(root);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const DAY = { date: '2014-11-20', precipitation: 20.3, temp_max: 11.1, temp_min: 7.2, wind: 5.1 };

/**
 * Loads `name` from `manifest` in the prebuilt worker (configured with `config`, then `backends: ['wasm']`
 * unless it says otherwise); returns its answer, every backend report, and every URL the page and worker requested.
 */
async function run(manifest, name, config = {}) {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  // A page of the server's origin (its 404 will do), then the import map the worker's caller needs.
  await page.goto(`${server.url}/test/package/`).catch(() => undefined);
  await page.setContent(`<script type="importmap">{ "imports": { "comlink": "/node_modules/comlink/dist/esm/comlink.mjs" } }</script><p>onnx worker</p>`);
  const result = await page.evaluate(
    async ({ manifest, name, day, config }) => {
      const Comlink = await import('comlink');
      const api = Comlink.wrap(new Worker('/dist/worker/inference.worker.js', { type: 'module' }));
      const reports = [];
      await api.watchBackend(Comlink.proxy((report) => void reports.push(report)));
      await api.configure({ backends: ['wasm'], dbName: `onnx-${Math.random()}`, flushIntervalMs: 60_000, windowMs: 3_600_000, ...config });
      const url = new URL(manifest, location.href).href;
      const registry = await (await fetch(url)).json();
      const entry = registry.models[name].versions['1'];
      const info = await api.load({ name, version: '1', manifestUrl: url, entry });
      const answer = await api.predict(name, [day]);
      // Under 'auto' the trials start after the first answer: wait for an engine change (or give up).
      for (let waited = 0; config.backends === 'auto' && !reports.some((r) => r.type === 'changed' && r.toEngine) && waited < 60_000; waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const after = await api.predict(name, [day]);
      return { info, scores: Array.from(answer.scores), after: Array.from(after.scores), reports, backend: (await api.backend())?.engine ?? 'tfjs' };
    },
    { manifest, name, day: DAY, config },
  );
  await page.close();
  return { ...result, requests };
}

const failures = [];
const ort = /ort[.-]|onnxruntime/;
const tfjs = await run('/public/registry/manifest.json', 'weather');
if (tfjs.requests.some((url) => ort.test(url))) failures.push(`a TF.js version fetched ORT: ${tfjs.requests.filter((u) => ort.test(u)).join(', ')}`);
const onnx = await run('/bench/models/onnx/manifest.json', 'weather-onnx');
if (onnx.backend !== 'onnxruntime-web' || onnx.info.backend !== 'wasm') failures.push(`weather-onnx ran on ${onnx.backend}/${onnx.info.backend}`);
if (!onnx.requests.some((url) => url.endsWith('/dist/worker/ort-wasm-simd-threaded.wasm'))) failures.push("ORT's wasm was not fetched from beside the worker");
const diff = Math.max(...onnx.scores.map((v, i) => Math.abs(v - tfjs.scores[i])));
if (!(diff <= 1e-5)) failures.push(`weather-onnx differs from weather by ${diff}`);
const both = await run('/bench/models/onnx/manifest.json', 'weather-both', { backends: 'auto', backendSwapSpeedup: 0, backendTrials: [] });
const engineTrial = both.reports.find((r) => r.type === 'trial' && r.engine === 'onnxruntime-web' && r.servingEngine === 'tfjs');
const timed = ['medianMs', 'servingMs', 'singleMs', 'servingSingleMs'];
if (!engineTrial || !timed.every((key) => engineTrial[key] > 0))
  failures.push(`weather-both: no engine trial timed on 32 rows and one row: ${JSON.stringify(engineTrial)}`);
if (!both.reports.some((r) => r.type === 'changed' && r.fromEngine === 'tfjs' && r.toEngine === 'onnxruntime-web' && r.singleSpeedup > 0))
  failures.push(`weather-both: no swap to ORT reported: ${JSON.stringify(both.reports.filter((r) => r.type === 'changed'))}`);
if (both.backend !== 'onnxruntime-web') failures.push(`weather-both serves on ${both.backend} after its trials`);
const bothDiff = Math.max(...both.after.map((v, i) => Math.abs(v - tfjs.scores[i])));
if (!(bothDiff <= 1e-5)) failures.push(`weather-both on ORT differs from weather by ${bothDiff}`);
await browser.close();
await server.close();
if (failures.length > 0) {
  console.error(`package onnx worker: FAILED\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `package onnx worker: ok (TF.js page fetched no ORT; ONNX scores within ${diff.toExponential(1)} of TF.js; ${onnx.requests.filter((u) => ort.test(u)).length} ORT files fetched; weather-both swapped to ORT under 'auto', one row ${engineTrial.singleMs.toFixed(3)} vs ${engineTrial.servingSingleMs.toFixed(3)} ms)`,
);

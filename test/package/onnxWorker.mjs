#!/usr/bin/env node
/**
 * The prebuilt worker (dist/worker/, `npm run build` first) with ONNX versions: ONNX Runtime sits in lazy
 * chunks beside the worker with its binaries, found through import.meta.url. One page loads a TF.js
 * version and must fetch nothing of ORT; another loads weather-onnx (bench/models/onnx, made by
 * scripts/build-onnx-models.ts) and must predict with it on wasm. Run: `node test/package/onnxWorker.mjs`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { serveStatic } from './serveStatic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const server = await serveStatic(root);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const DAY = { date: '2014-11-20', precipitation: 20.3, temp_max: 11.1, temp_min: 7.2, wind: 5.1 };

/** Loads `name` from `manifest` in the prebuilt worker; returns its answer and every URL the page and worker requested. */
async function run(manifest, name) {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  // A page of the server's origin (its 404 will do), then the import map the worker's caller needs.
  await page.goto(`${server.url}/test/package/`).catch(() => undefined);
  await page.setContent(`<script type="importmap">{ "imports": { "comlink": "/node_modules/comlink/dist/esm/comlink.mjs" } }</script><p>onnx worker</p>`);
  const result = await page.evaluate(
    async ({ manifest, name, day }) => {
      const Comlink = await import('comlink');
      const api = Comlink.wrap(new Worker('/dist/worker/inference.worker.js', { type: 'module' }));
      await api.configure({ backends: ['wasm'], dbName: `onnx-${Math.random()}`, flushIntervalMs: 60_000, windowMs: 3_600_000 });
      const url = new URL(manifest, location.href).href;
      const registry = await (await fetch(url)).json();
      const entry = registry.models[name].versions['1'];
      const info = await api.load({ name, version: '1', manifestUrl: url, entry });
      const answer = await api.predict(name, [day]);
      return { info, scores: Array.from(answer.scores), backend: (await api.backend())?.engine ?? 'tfjs' };
    },
    { manifest, name, day: DAY },
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
await browser.close();
await server.close();
if (failures.length > 0) {
  console.error(`package onnx worker: FAILED\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `package onnx worker: ok (TF.js page fetched no ORT; ONNX scores within ${diff.toExponential(1)} of TF.js; ${onnx.requests.filter((u) => ort.test(u)).length} ORT files fetched)`,
);

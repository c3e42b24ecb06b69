/**
 * The Chromium side of `npm run bench:monitor`: sketch update cost in the browser's JS engine, and the
 * monitoring overhead of real predictions — the same workload through a runtime with monitoring on and
 * one with it off, interleaved, on the wasm backend inside the worker.
 */
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import { parseSeattleWeather } from '../src/demo/seattleWeather.ts';
import { createEdgeRuntime } from '../src/runtime/EdgeRuntime.ts';
import { sketchBench } from './sketchBench.ts';

declare global {
  interface Window {
    __bench?: Promise<unknown>;
  }
}

async function overhead() {
  const records = parseSeattleWeather(csv).map(({ weather: _w, ...r }) => r);
  const batch = 64;
  const rounds = 40;
  const blocks = 6;
  const make = (monitoring: boolean) =>
    createEdgeRuntime({ registry: '/registry/manifest.json', backends: ['wasm'], dbName: `bench-${crypto.randomUUID()}`, flushIntervalMs: 5000, monitoring, rememberBackend: false });
  const on = make(true);
  const off = make(false);
  const models = { on: on.model('weather'), off: off.model('weather') };
  for (const m of Object.values(models)) for (let i = 0; i < 20; i++) await m.predict(records.slice(i * batch, (i + 1) * batch));
  const ms: Record<'on' | 'off', number[]> = { on: [], off: [] };
  let offset = 0;
  for (let block = 0; block < blocks; block++) {
    for (const key of block % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const t0 = performance.now();
      for (let r = 0; r < rounds; r++) {
        const from = (offset + r * batch) % (records.length - batch);
        await models[key].predict(records.slice(from, from + batch));
      }
      ms[key].push((performance.now() - t0) / rounds);
    }
    offset += rounds * batch;
  }
  const summary = await models.on.driftSummary();
  const health = summary?.window.health;
  await Promise.all([on.dispose(), off.dispose()]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return {
    backend: models.on.backend,
    batchRows: batch,
    batches: health?.batches,
    // worker-side: time in sketch updates over time in features + inference, same batches
    workerMonitorMs: health?.monitorMs,
    workerInferenceMs: health?.inferenceMs,
    workerOverhead: health ? health.monitorMs / health.inferenceMs : undefined,
    // end to end, main thread: median ms per batch over interleaved blocks
    predictMsPerBatchOn: median(ms.on),
    predictMsPerBatchOff: median(ms.off),
    endToEndOverhead: median(ms.on) / median(ms.off) - 1,
    latencyP50Ms: summary?.report?.health.latencyMs.p50,
  };
}

window.__bench = (async () => ({ sketches: sketchBench(), overhead: await overhead(), userAgent: navigator.userAgent }))();

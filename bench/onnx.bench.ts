/**
 * ONNX engine benchmark, run in real Chromium by `node bench/run.mjs onnx`. Each number is a ratio of two
 * things measured in this one run, call by call interleaved, so machine noise hits both sides alike:
 *  1. weather-onnx (the weather MLP as ONNX): runtime `predict()` vs plain onnxruntime-web in a worker with
 *     one postMessage per call (wasm EP both), with and without monitoring; the TF.js weather version on
 *     tfjs-wasm alongside, for the engines side by side;
 *  2. vad (Silero VAD v5 from @ricky0123/vad-web, a real 2.3 MB model, three inputs): the same comparison;
 *  3. the engine choice: weather-both (TF.js files + their ONNX export as the alternate) under
 *     `backends: 'auto'`, once its choice settled, against each engine measured directly (the TF.js
 *     weather on tfjs-wasm, weather-onnx on ORT wasm): its p50 ≤ 1.05× the fastest's; `events` lists every
 *     trial and change on the way, in order (what settled the choice); a second direct ORT runtime beside
 *     the first (`ortTwinRatioP50`) shows how far two identical setups differ in the same run.
 * The raw peer (rawOrt.worker.ts) gets floats transformed ahead, outside its clock; its records twin takes
 * the records and runs the same compiled transform in its worker, so `ratioSameInputP50` is the overhead
 * of the runtime itself. `threads` also measures what ORT's thread trials choose between: each model
 * served with 1 and with 2 threads, side by side (`ortThreadsDirect`). `--only=weather,vad` runs some parts (also `choice`, `threads`).
 */
import { byYears, parseSeattleWeather } from '../src/demo/seattleWeather.ts';
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import { compile } from '../src/features/compile.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import type { RegistryManifest } from '../src/registry/Manifest.ts';
import { createEdgeRuntime } from '../src/runtime/EdgeRuntime.ts';
import { blockRatios, percentile, round } from './stats.ts';

const quick = new URLSearchParams(location.search).has('quick');
/** `?only=weather,vad,choice,threads` runs just those parts (for profiling one of them). */
const only = new URLSearchParams(location.search).get('only')?.split(',');
const runs = (part: string) => !only || only.includes(part);
const logElement = document.querySelector('#log') as HTMLElement;
const log = (line: string) => {
  logElement.textContent += `\n${line}`;
  console.log(line);
};
const REGISTRY = '/bench/models/onnx/manifest.json';
const manifest: RegistryManifest = await (await fetch(REGISTRY)).json();
const days: RawRecord[] = byYears(parseSeattleWeather(csv), 2014).map(({ weather: _label, ...record }) => record);

/** Plain ORT in a worker, one message per call; with `records`, it takes records and runs the compiled features itself. */
async function rawOrt(name: string, records = false) {
  const entry = manifest.models[name].versions['1'];
  const worker = new Worker(new URL('./rawOrt.worker.ts', import.meta.url), { type: 'module' });
  const waiting = new Map<number, (output: Float32Array) => void>();
  const workerMs: number[] = [];
  let loaded: () => void = () => undefined;
  worker.onmessage = (event) => {
    if (event.data.type === 'loaded') loaded();
    else {
      workerMs.push(event.data.workerMs);
      waiting.get(event.data.id)?.(event.data.output);
      waiting.delete(event.data.id);
    }
  };
  const ready = new Promise<void>((resolve) => (loaded = resolve));
  const inputs = entry.onnx?.inputs ?? [{ name: 'features' }];
  worker.postMessage({
    type: 'load',
    url: new URL(entry.modelPath, new URL(REGISTRY, location.href)).href,
    input: inputs.find((i) => !('dtype' in i))?.name,
    output: entry.onnx?.output ?? 'probabilities',
    constants: inputs.filter((i) => 'dtype' in i),
    ...(records ? { spec: entry.features } : {}),
  });
  await ready;
  let next = 0;
  return {
    predict(input: Float32Array, shape: number[]): Promise<Float32Array> {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ type: 'predict', id, input, shape }, [input.buffer]);
      });
    },
    records(batch: RawRecord[]): Promise<Float32Array> {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ type: 'records', id, records: batch });
      });
    },
    workerMs,
    close: () => worker.terminate(),
  };
}

/** Runtime predict() (monitored and not) vs raw ORT, one call each in turn (the order rotating); `extra` is timed in the same turns. */
async function compare(name: string, records: readonly RawRecord[], calls: number, extra?: { label: string; predict: (r: RawRecord) => Promise<unknown> }) {
  const entry = manifest.models[name].versions['1'];
  const features = compile(entry.features);
  const options = { registry: REGISTRY, backends: ['wasm' as const], rememberBackend: false, monitoringBudget: { share: Infinity } };
  const runtime = createEdgeRuntime({ ...options, dbName: `bench-onnx-${Date.now()}` });
  const bare = createEdgeRuntime({ ...options, monitoring: false, dbName: `bench-onnx-bare-${Date.now()}` });
  const model = await runtime.model(name).ready();
  const bareModel = await bare.model(name).ready();
  const peer = await rawOrt(name);
  const same = await rawOrt(name, true);
  // A second raw peer, the same as the first: how far two identical setups differ in this run.
  const twin = await rawOrt(name);
  const raw: number[] = [];
  const rawTwin: number[] = [];
  const rawRecords: number[] = [];
  const ours: number[] = [];
  const unmonitored: number[] = [];
  const other: number[] = [];
  const ourWorker: number[] = [];
  let record = records[0];
  let input = new Float32Array(0);
  let twinInput = new Float32Array(0);
  let recording = false;
  const sides: (() => Promise<void>)[] = [
    async () => {
      const t0 = performance.now();
      await peer.predict(input, [1, features.width]);
      if (recording) raw.push(performance.now() - t0);
    },
    async () => {
      const t0 = performance.now();
      await twin.predict(twinInput, [1, features.width]);
      if (recording) rawTwin.push(performance.now() - t0);
    },
    async () => {
      const t0 = performance.now();
      await same.records([record]);
      if (recording) rawRecords.push(performance.now() - t0);
    },
    async () => {
      const t0 = performance.now();
      await model.predict(record);
      if (recording) ours.push(performance.now() - t0);
    },
    async () => {
      const t0 = performance.now();
      const answer = await bareModel.predict(record);
      if (recording) {
        unmonitored.push(performance.now() - t0);
        ourWorker.push(answer.workerMs);
      }
    },
  ];
  if (extra) {
    sides.push(async () => {
      const t0 = performance.now();
      await extra.predict(record);
      if (recording) other.push(performance.now() - t0);
    });
  }
  for (let i = -100; i < calls; i++) {
    record = records[(i + 100) % records.length];
    input = Float32Array.from(features.transform([record]));
    twinInput = input.slice(); // the peers take their input by transfer
    recording = i >= 0;
    // The order rotates round by round: no side always follows the same one (whose leftover work, such
    // as the runtime's deferred sketches, would land on it).
    for (let s = 0; s < sides.length; s++) await sides[(i + 100 + s) % sides.length]();
  }
  peer.close();
  same.close();
  twin.close();
  await runtime.dispose();
  await bare.dispose();
  const p50 = (values: number[]) => round(percentile(values, 50));
  const result = {
    calls,
    rawOrtP50Ms: p50(raw),
    runtimeP50Ms: p50(ours),
    runtimeWithoutMonitoringP50Ms: p50(unmonitored),
    rawOrtP90Ms: round(percentile(raw, 90)),
    runtimeP90Ms: round(percentile(ours, 90)),
    ratioP50: round(percentile(ours, 50) / percentile(raw, 50)),
    ratioWithoutMonitoringP50: round(percentile(unmonitored, 50) / percentile(raw, 50)),
    // The target's ratio in 5 blocks of consecutive rounds: its spread within this run.
    ratioWithoutMonitoringP50Blocks: blockRatios(unmonitored, raw),
    // Inside the worker: features + engine + readback (unmonitored runtime) vs ORT's run alone.
    runtimeWithoutMonitoringWorkerP50Ms: p50(ourWorker),
    rawOrtWorkerP50Ms: p50(peer.workerMs.slice(100)),
    // The peer taking the records and running the same compiled transform: the runtime's own overhead.
    rawOrtSameInputP50Ms: p50(rawRecords),
    rawOrtSameInputWorkerP50Ms: p50(same.workerMs.slice(100)),
    ratioSameInputP50: round(percentile(ours, 50) / percentile(rawRecords, 50)),
    ratioSameInputWithoutMonitoringP50: round(percentile(unmonitored, 50) / percentile(rawRecords, 50)),
    // Raw ORT against its identical twin: a ratio this far from 1 is noise.
    rawTwinRatioP50: round(percentile(rawTwin, 50) / percentile(raw, 50)),
    rawTwinRatioP50Blocks: blockRatios(rawTwin, raw),
    ...(extra ? { [`${extra.label}P50Ms`]: p50(other) } : {}),
    target: '≤ 1.05 (without monitoring, the engine seam and runtime against raw ORT)',
  };
  log(
    `${name}: runtime p50 ${result.runtimeP50Ms} ms (unmonitored ${result.runtimeWithoutMonitoringP50Ms}) vs raw ORT ${result.rawOrtP50Ms} ms → ×${result.ratioP50} (unmonitored ×${result.ratioWithoutMonitoringP50}, blocks ×${result.ratioWithoutMonitoringP50Blocks.min}–${result.ratioWithoutMonitoringP50Blocks.max}); same input: raw ${result.rawOrtSameInputP50Ms} ms → ×${result.ratioSameInputP50} (unmonitored ×${result.ratioSameInputWithoutMonitoringP50}); raw against its twin ×${result.rawTwinRatioP50} (blocks ×${result.rawTwinRatioP50Blocks.min}–${result.rawTwinRatioP50Blocks.max}); in the worker ${result.runtimeWithoutMonitoringWorkerP50Ms} vs ${result.rawOrtWorkerP50Ms} (same input ${result.rawOrtSameInputWorkerP50Ms}) ms` +
      (extra ? `; ${extra.label} ${p50(other)} ms` : ''),
  );
  return result;
}

/** The engine choice (scenario 3): settled first, then timed in turns with each engine served directly. */
async function engineChoice(calls: number) {
  const stamp = Date.now();
  const auto = createEdgeRuntime({ registry: REGISTRY, backends: 'auto', rememberBackend: false, monitoring: false, dbName: `bench-choice-${stamp}` });
  let engineTrialReported = false;
  auto.addEventListener('backend-trial', (event) => {
    if ((event.detail as { engine?: string }).engine) engineTrialReported = true;
  });
  let changed: unknown;
  auto.addEventListener('backend-changed', (event) => (changed = event.detail));
  const threadTrials: unknown[] = [];
  auto.addEventListener('backend-trial', (event) => {
    const detail = event.detail as { threads?: number; rejected?: string };
    if (detail.threads !== undefined || detail.rejected) threadTrials.push(detail);
  });
  // Every trial and change in the order they came, ms after the first call: what settled the choice.
  const events: Record<string, unknown>[] = [];
  const began = performance.now();
  for (const type of ['backend-trial', 'backend-changed'] as const) {
    auto.addEventListener(type, (event) => {
      const { info: _info, ...detail } = event.detail as Record<string, unknown>;
      events.push({ event: type, atMs: Math.round(performance.now() - began), ...detail });
    });
  }
  const chosen = auto.model('weather-both');
  await chosen.predict(days[0]);
  // Keep calling while the trials run: a thread-count handoff moves the model to a new worker, whose engine
  // trials start on its own first answer (as in an app that keeps predicting).
  for (let i = 1, waited = 0; !engineTrialReported && waited < 5 * 60_000; i++, waited += 50) {
    await chosen.predict(days[i % days.length]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // a swap, if any, is reported right after
  // On this isolated page ORT's thread counts are timed next, in child workers: settled before timing here.
  const waitStarted = performance.now();
  // They start on ORT's first answer (after the swap): one call, then wait.
  await chosen.predict(days[1]);
  if (crossOriginIsolated && navigator.hardwareConcurrency >= 2 && (await auto.backend())?.engine === 'onnxruntime-web')
    for (let waited = 0; !(await auto.backend())?.threadTrials && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  const threadTrialsWaitMs = Math.round(performance.now() - waitStarted);
  const direct = {
    tfjsWasm: createEdgeRuntime({
      registry: '/registry/manifest.json',
      backends: ['wasm'],
      rememberBackend: false,
      monitoring: false,
      dbName: `bench-choice-tfjs-${stamp}`,
    }),
    ortWasm: createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], rememberBackend: false, monitoring: false, dbName: `bench-choice-ort-${stamp}` }),
    // The same as ortWasm, a second time: how far two identical setups differ in this run (the noise floor).
    ortWasmTwin: createEdgeRuntime({ registry: REGISTRY, backends: ['wasm'], rememberBackend: false, monitoring: false, dbName: `bench-choice-ort2-${stamp}` }),
  };
  const models = {
    choice: chosen,
    tfjsWasm: await direct.tfjsWasm.model('weather').ready(),
    ortWasm: await direct.ortWasm.model('weather-onnx').ready(),
    ortWasmTwin: await direct.ortWasmTwin.model('weather-onnx').ready(),
  };
  const times: Record<keyof typeof models, number[]> = { choice: [], tfjsWasm: [], ortWasm: [], ortWasmTwin: [] };
  const workerTimes: Record<keyof typeof models, number[]> = { choice: [], tfjsWasm: [], ortWasm: [], ortWasmTwin: [] };
  const keys = Object.keys(models) as (keyof typeof models)[];
  for (let i = -100; i < calls; i++) {
    const record = days[(i + 100) % days.length];
    // The order rotates round by round: no side always follows the same one.
    for (let s = 0; s < keys.length; s++) {
      const key = keys[(i + 100 + s) % keys.length];
      const t0 = performance.now();
      const answer = await models[key].predict(record);
      if (i >= 0) {
        times[key].push(performance.now() - t0);
        workerTimes[key].push(answer.workerMs);
      }
    }
  }
  const info = await auto.backend();
  await Promise.all([auto.dispose(), direct.tfjsWasm.dispose(), direct.ortWasm.dispose(), direct.ortWasmTwin.dispose()]);
  const p50 = (values: number[]) => percentile(values, 50);
  const fastest = Math.min(p50(times.tfjsWasm), p50(times.ortWasm));
  const fastestTimes = fastest === p50(times.ortWasm) ? times.ortWasm : times.tfjsWasm;
  const result = {
    calls,
    chosen: { engine: info?.engine ?? 'tfjs', backend: info?.name, chosenBy: info?.chosenBy, threads: info?.threads, threadTrials: info?.threadTrials },
    changed,
    threadTrials,
    threadTrialsWaitMs,
    events,
    choiceP50Ms: round(p50(times.choice)),
    tfjsWasmP50Ms: round(p50(times.tfjsWasm)),
    ortWasmP50Ms: round(p50(times.ortWasm)),
    ortWasmTwinP50Ms: round(p50(times.ortWasmTwin)),
    ratioToFastestP50: round(p50(times.choice) / fastest),
    // The same ratio in 5 blocks of consecutive rounds: its spread within this run.
    ratioToFastestP50Blocks: blockRatios(times.choice, fastestTimes),
    // Two identical direct ORT runtimes against each other: a ratio this far from 1 is noise.
    ortTwinRatioP50: round(p50(times.ortWasmTwin) / p50(times.ortWasm)),
    ortTwinRatioP50Blocks: blockRatios(times.ortWasmTwin, times.ortWasm),
    // In the workers (from the request's arrival to its answer): where a page-side ratio's difference is not.
    workerP50Ms: Object.fromEntries(keys.map((key) => [key, round(p50(workerTimes[key]))])),
    target: '≤ 1.05 (the choice against the fastest engine measured directly)',
  };
  log(
    `engine choice: ${result.chosen.engine} ${result.chosen.backend} p50 ${result.choiceP50Ms} ms vs tfjs-wasm ${result.tfjsWasmP50Ms} ms, ORT wasm ${result.ortWasmP50Ms} ms → ×${result.ratioToFastestP50} of the fastest (blocks ×${result.ratioToFastestP50Blocks.min}–${result.ratioToFastestP50Blocks.max}; ORT against its twin ×${result.ortTwinRatioP50}, blocks ×${result.ortTwinRatioP50Blocks.min}–${result.ortTwinRatioP50Blocks.max})`,
  );
  return result;
}

/** ORT's wasm thread counts timed under 'auto' (child workers, ortTrials.ts) on an ONNX version: what backend() then says. */
async function ortThreadTrials(name: string) {
  const auto = createEdgeRuntime({ registry: REGISTRY, backends: 'auto', rememberBackend: false, monitoring: false, dbName: `bench-threads-${Date.now()}` });
  const trials: unknown[] = [];
  const changed: unknown[] = [];
  auto.addEventListener('backend-trial', (event) => trials.push(event.detail));
  auto.addEventListener('backend-changed', (event) => changed.push(event.detail));
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 100));
  try {
    const input = name === 'vad' ? frames[0] : days[0];
    await auto.model(name).predict(input);
    for (let waited = 0; !(await auto.backend())?.threadTrials && waited < 60_000; waited += 100) await sleep();
    const before = (await auto.backend())?.threads;
    // A faster count takes over through a handoff (a new worker): give it time to happen, then serve once more.
    for (let waited = 0; changed.length === 0 && waited < 15_000; waited += 100) await sleep();
    await auto.model(name).predict(input);
    const info = await auto.backend();
    const result = {
      model: name,
      crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
      threadsBefore: before,
      threads: info?.threads,
      threadTrials: info?.threadTrials,
      trials,
      changed,
    };
    log(`ORT threads on ${name}: served ${before} thread(s), then ${result.threads}; medians by threads ${JSON.stringify(result.threadTrials)}`);
    return result;
  } finally {
    await auto.dispose();
  }
}

/**
 * What the thread trials are choosing between, measured directly: the runtime with `wasmThreads: 1` and with
 * `wasmThreads: 2` (where the page is isolated), one `predict()` each in turn, p50 of each. A trial that picks
 * 2 threads should see `ratio2To1` < 1 here.
 */
async function ortThreadsDirect(name: string, inputs: readonly RawRecord[], calls: number) {
  if (!crossOriginIsolated || navigator.hardwareConcurrency < 2) return { model: name, skipped: 'threads need a cross-origin isolated page and 2 cores' };
  const stamp = Date.now();
  const options = { registry: REGISTRY, backends: ['wasm' as const], rememberBackend: false, monitoring: false };
  const one = createEdgeRuntime({ ...options, wasmThreads: 1, dbName: `bench-ort1-${stamp}` });
  const two = createEdgeRuntime({ ...options, wasmThreads: 2, dbName: `bench-ort2-${stamp}` });
  try {
    const models = [await one.model(name).ready(), await two.model(name).ready()];
    const times: number[][] = [[], []];
    for (let i = -20; i < calls; i++) {
      const input = inputs[(i + 20) % inputs.length];
      // The order alternates round by round, so neither side always follows the other.
      for (let k = 0; k < 2; k++) {
        const side = (i + k) & 1;
        const t0 = performance.now();
        await models[side].predict(input);
        if (i >= 0) times[side].push(performance.now() - t0);
      }
    }
    const [p1, p2] = times.map((t) => percentile(t, 50));
    const result = {
      model: name,
      calls,
      threads1P50Ms: round(p1),
      threads2P50Ms: round(p2),
      reported: [(await one.backend())?.threads, (await two.backend())?.threads],
      ratio2To1: round(p2 / p1),
    };
    log(`ORT threads direct on ${name}: 1 thread p50 ${result.threads1P50Ms} ms, 2 threads ${result.threads2P50Ms} ms → ×${result.ratio2To1}`);
    return result;
  } finally {
    await Promise.all([one.dispose(), two.dispose()]);
  }
}

/** Deterministic 512-sample audio frames: tones and noise. */
const frames: RawRecord[] = Array.from({ length: 64 }, (_, k) => ({
  audio: Float32Array.from(
    { length: 512 },
    (_, t) => 0.3 * Math.sin((2 * Math.PI * (110 + 20 * k) * t) / 16000) + (((t * 7919 + k) % 1000) / 1000 - 0.5) * 0.05,
  ),
}));

try {
  const calls = quick ? 300 : 2000;
  let weather: unknown = 'skipped';
  if (runs('weather')) {
    const tfjs = createEdgeRuntime({ registry: '/registry/manifest.json', backends: ['wasm'], rememberBackend: false, dbName: `bench-tfjs-${Date.now()}` });
    const tfjsModel = await tfjs.model('weather').ready();
    weather = await compare('weather-onnx', days, calls, { label: 'tfjsRuntime', predict: (r) => tfjsModel.predict(r) });
    await tfjs.dispose();
  }
  const vad = runs('vad') ? await compare('vad', frames, quick ? 100 : 500) : 'skipped';
  const choice = runs('choice') ? await engineChoice(calls) : 'skipped';
  const ortThreads = runs('threads') ? [await ortThreadTrials('weather-onnx'), await ortThreadTrials('vad')] : 'skipped';
  const ortThreadsMeasured = runs('threads')
    ? [await ortThreadsDirect('weather-onnx', days, quick ? 200 : 1000), await ortThreadsDirect('vad', frames, quick ? 50 : 200)]
    : 'skipped';
  Object.assign(window, {
    __benchResult: { quick, weatherMlp: weather, sileroVad: vad, engineChoice: choice, ortThreads, ortThreadsDirect: ortThreadsMeasured },
  });
} catch (error) {
  Object.assign(window, { __benchResult: { error: String(error instanceof Error ? error.stack : error) } });
}

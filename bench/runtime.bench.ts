/**
 * Runtime benchmark, run in real Chromium by bench/run.mjs. Every number is a ratio of two things measured
 * in this one run, interleaved in blocks, so machine noise hits both sides alike:
 *  1. latency: runtime `predict()` vs plain TF.js `model.predict` + one postMessage in a worker (same backend);
 *  2. throughput: 1,000 concurrent `predict()` calls, micro-batched vs one message and one predict per call;
 *  3. main-thread long tasks (>50 ms) during sustained inference: runtime (worker) vs TF.js on the main thread.
 *  4. channel (`--only=channel`): the predict path's round trip on the worker's own postMessage vs a MessagePort.
 */
import * as tf from '@tensorflow/tfjs';
import { byYears, parseSeattleWeather } from '../src/demo/seattleWeather.ts';
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import { compile } from '../src/features/compile.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import type { RegistryManifest } from '../src/registry/Manifest.ts';
import { createEdgeRuntime } from '../src/runtime/EdgeRuntime.ts';
import { selectPeerBackend } from './peerBackend.ts';
import { backendChoice as choose } from './scenarios/backendChoice.ts';
import type { BenchModel } from './scenarios/benchModel.ts';
import { coldStart } from './scenarios/coldStart.ts';
import { rawPeer as peerOf } from './scenarios/rawPeer.ts';
import { scale } from './scenarios/scale.ts';
import { throughputCurve } from './scenarios/throughputCurve.ts';
import { blockRatios, percentile, round } from './stats.ts';

const quick = new URLSearchParams(location.search).has('quick');
const backend = new URLSearchParams(location.search).get('backend') ?? 'wasm';
/** `?only=latency,throughput` runs just those parts (for profiling one of them). */
const only = new URLSearchParams(location.search).get('only')?.split(',');
const part = async <T>(name: string, run: () => Promise<T>): Promise<T | 'skipped'> => {
  if (only && !only.includes(name)) return 'skipped';
  const t0 = performance.now();
  const result = await run();
  // Where a run's time goes (quick mode is a CI smoke test with a time budget).
  console.log(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
};
const logElement = document.querySelector('#log') as HTMLElement;
const log = (line: string) => {
  logElement.textContent += `\n${line}`;
  console.log(line);
};
const REGISTRY = '/registry/manifest.json';

const days: RawRecord[] = byYears(parseSeattleWeather(csv), 2014).map(({ weather: _label, ...record }) => record);
const manifest: RegistryManifest = await (await fetch(REGISTRY)).json();
const entry = manifest.models.weather.versions['1'];
const features = compile(entry.features);
const modelUrl = `/registry/${entry.modelPath}`;

/** Plain TF.js in a worker on the bench's backend, one message per call; with `spec`, it also takes records and transforms them itself. */
const rawPeer = (url: string, format: 'layers' | 'graph' = 'layers', spec?: typeof entry.features) => peerOf(url, format, backend, spec);

/**
 * Runtime `predict()` against plain TF.js in a worker, per call, on batches of `batch` records: five sides
 * (raw, its identical twin, raw with records, runtime, runtime without monitoring) taking turns call by call, in an order that
 * rotates each round, so drift in machine load hits all alike; the first 100 rounds warm them up and are not recorded. The raw peer gets
 * floats transformed ahead (outside its clock); its records twin takes the records and runs the same
 * compiled transform in its worker, the runtime's input work, so `ratioSameInputP50` is the overhead of
 * the runtime itself.
 */
async function latencyAt(batch: number, calls: number) {
  const runtime = createEdgeRuntime({ registry: REGISTRY, backends: [backend as 'wasm'], rememberBackend: false, dbName: `bench-${Date.now()}` });
  const model = await runtime.model('weather').ready();
  // The same runtime without monitoring, to show what the sketches cost per call.
  const bare = createEdgeRuntime({
    registry: REGISTRY,
    backends: [backend as 'wasm'],
    rememberBackend: false,
    monitoring: false,
    dbName: `bench-bare-${Date.now()}`,
  });
  const bareModel = await bare.model('weather').ready();
  const peer = await rawPeer(modelUrl);
  const same = await rawPeer(modelUrl, 'layers', entry.features);
  // A second raw peer, the same as the first: how far two identical setups differ in this run.
  const twin = await rawPeer(modelUrl);
  const raw: number[] = [];
  const rawTwin: number[] = [];
  const rawRecords: number[] = [];
  const ours: number[] = [];
  const unmonitored: number[] = [];
  const unmonitoredWorker: number[] = [];
  const inWorker: number[] = [];
  const warmup = 100;
  const sides: (() => Promise<void>)[] = [];
  let records: RawRecord[] = [];
  let input = new Float32Array(0);
  let twinInput = new Float32Array(0);
  let record = false;
  const timed = async (into: number[], run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    if (record) into.push(performance.now() - t0);
  };
  sides.push(
    () => timed(raw, () => peer.predict(input, [batch, features.width])),
    () => timed(rawTwin, () => twin.predict(twinInput, [batch, features.width])),
    () => timed(rawRecords, () => same.predictRecords(records)),
    async () => {
      const t0 = performance.now();
      const prediction = batch === 1 ? await model.predict(records[0]) : (await model.predict(records))[0];
      if (record) {
        ours.push(performance.now() - t0);
        inWorker.push(prediction.workerMs);
      }
    },
    async () => {
      const t0 = performance.now();
      const answer = batch === 1 ? await bareModel.predict(records[0]) : (await bareModel.predict(records))[0];
      if (record) {
        unmonitored.push(performance.now() - t0);
        unmonitoredWorker.push(answer.workerMs);
      }
    },
  );
  for (let i = -warmup; i < calls; i++) {
    const at = ((i + warmup) * batch) % (days.length - batch);
    records = days.slice(at, at + batch);
    input = Float32Array.from(features.transform(records));
    twinInput = input.slice(); // the peers take their input by transfer
    record = i >= 0;
    // The order rotates round by round: no side always follows the same one (whose leftover work, such
    // as the runtime's deferred sketches, would land on it).
    for (let s = 0; s < sides.length; s++) await sides[(i + warmup + s) % sides.length]();
  }
  peer.close();
  same.close();
  twin.close();
  await runtime.dispose();
  await bare.dispose();
  const p50 = (values: number[]) => percentile(values, 50);
  return {
    calls,
    batch,
    rawP50Ms: round(p50(raw)),
    runtimeP50Ms: round(p50(ours)),
    rawP90Ms: round(percentile(raw, 90)),
    runtimeP90Ms: round(percentile(ours, 90)),
    runtimeWorkerP50Ms: round(p50(inWorker)),
    rawWorkerP50Ms: round(p50(peer.workerMs.slice(warmup))),
    ratioP50: round(p50(ours) / p50(raw)),
    // The same ratio in 5 blocks of consecutive rounds: its spread within this run.
    ratioP50Blocks: blockRatios(ours, raw),
    runtimeWithoutMonitoringP50Ms: round(p50(unmonitored)),
    runtimeWithoutMonitoringWorkerP50Ms: round(p50(unmonitoredWorker)),
    ratioWithoutMonitoringP50: round(p50(unmonitored) / p50(raw)),
    rawSameInputP50Ms: round(p50(rawRecords)),
    rawSameInputWorkerP50Ms: round(p50(same.workerMs.slice(warmup))),
    ratioSameInputP50: round(p50(ours) / p50(rawRecords)),
    ratioSameInputP50Blocks: blockRatios(ours, rawRecords),
    ratioSameInputWithoutMonitoringP50: round(p50(unmonitored) / p50(rawRecords)),
    // Raw TF.js against its identical twin: a ratio this far from 1 is noise.
    rawTwinRatioP50: round(p50(rawTwin) / p50(raw)),
    rawTwinRatioP50Blocks: blockRatios(rawTwin, raw),
    target: '≤ 1.05',
  };
}

/** The weather MLP, batches of 1 (the keys the README quotes) and of 32 (`batch32`). */
async function latency() {
  const one = await latencyAt(1, quick ? 300 : 2000);
  const batch32 = await latencyAt(32, quick ? 100 : 500);
  for (const r of [one, batch32]) {
    log(
      `latency (MLP, batch ${r.batch}, ${backend}): runtime p50 ${r.runtimeP50Ms} ms vs raw ${r.rawP50Ms} ms → ×${r.ratioP50}` +
        ` (without monitoring ${r.runtimeWithoutMonitoringP50Ms} ms → ×${r.ratioWithoutMonitoringP50};` +
        ` vs raw taking the records ${r.rawSameInputP50Ms} ms → ×${r.ratioSameInputP50}; blocks ×${r.ratioP50Blocks.min}–${r.ratioP50Blocks.max}; raw against its twin ×${r.rawTwinRatioP50}, blocks ×${r.rawTwinRatioP50Blocks.min}–${r.rawTwinRatioP50Blocks.max})`,
    );
  }
  return { ...one, batch32 };
}

/**
 * The predict path's channel alone: a round trip to an echoing worker on its own `postMessage` vs on a
 * MessagePort, with the runtime's message shapes (a one-record request; a one-row answer, its scores
 * transferred). Blocks of 100 round trips, A B A B, medians of the blocks' means.
 */
async function channel() {
  const source = `
    const answer = (d) => {
      const scores = new Float32Array(5);
      return [[d[0], d[1], scores, new Int32Array(1), 1, 5, 0.1, '1', 'wasm', 'w:' + d[1]], [scores.buffer]];
    };
    self.onmessage = (e) => {
      if (e.data === 'port') {
        const port = e.ports[0];
        port.onmessage = (m) => port.postMessage(...answer(m.data));
        return;
      }
      self.postMessage(...answer(e.data));
    };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const own = new Worker(url);
  const ported = new Worker(url);
  const { port1, port2 } = new MessageChannel();
  ported.postMessage('port', [port2]);
  const trip = (target: Worker | MessagePort, id: number) =>
    new Promise<void>((resolve) => {
      target.onmessage = () => resolve();
      target.postMessage(['edgewatch:predict', id, 'weather', [days[id % days.length]]]);
    });
  const blocks = quick ? 10 : 40;
  const times = { workerUs: [] as number[], portUs: [] as number[] };
  for (let b = -3; b < blocks; b++) {
    for (const [key, target] of [
      ['workerUs', own],
      ['portUs', port1],
    ] as const) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) await trip(target, i);
      if (b >= 0) times[key].push(((performance.now() - t0) / 100) * 1000);
    }
  }
  own.terminate();
  ported.terminate();
  port1.close();
  URL.revokeObjectURL(url);
  const result = {
    blocks,
    workerRoundTripUs: round(percentile(times.workerUs, 50), 1),
    portRoundTripUs: round(percentile(times.portUs, 50), 1),
    portMinusWorkerUs: round(percentile(times.portUs, 50) - percentile(times.workerUs, 50), 1),
  };
  log(`channel: a predict-shaped round trip on the worker's own postMessage ${result.workerRoundTripUs} µs vs a MessagePort ${result.portRoundTripUs} µs`);
  return result;
}

const IMAGE_REGISTRY = '/bench/models/registry/manifest.json';

/** A deterministic 224×224 RGB test image in [0, 1]. */
function testImage(seed: number): Float32Array {
  const image = new Float32Array(224 * 224 * 3);
  for (let i = 0; i < image.length; i++) image[i] = ((i * 7 + seed * 131) % 997) / 996;
  return image;
}

/** MobileNetV2 (nsfwjs@4.4.0): runtime predict() vs plain TF.js in a worker, alternating call by call. */
async function imageLatency(name: 'mobilenet' | 'mobilenet-graph') {
  const calls = quick ? 10 : 120;
  const images = (await (await fetch(IMAGE_REGISTRY)).json()) as RegistryManifest;
  const entry = images.models[name].versions['1'];
  const runtime = createEdgeRuntime({ registry: IMAGE_REGISTRY, backends: [backend as 'wasm'], rememberBackend: false, dbName: `bench-img-${Date.now()}` });
  const model = await runtime.model(name).ready();
  const peer = await rawPeer(`/bench/models/registry/${entry.modelPath}`, entry.format === 'tfjs-graph' ? 'graph' : 'layers');
  const raw: number[] = [];
  const ours: number[] = [];
  for (let i = -5; i < calls; i++) {
    const image = testImage(i + 5);
    let t0 = performance.now();
    await peer.predict(Float32Array.from(image), [1, 224, 224, 3]);
    if (i >= 0) raw.push(performance.now() - t0);
    t0 = performance.now();
    await model.predict({ image });
    if (i >= 0) ours.push(performance.now() - t0);
  }
  peer.close();
  await runtime.dispose();
  const result = {
    calls,
    rawP50Ms: round(percentile(raw, 50)),
    runtimeP50Ms: round(percentile(ours, 50)),
    ratioP50: round(percentile(ours, 50) / percentile(raw, 50)),
    target: '≤ 1.05',
  };
  log(`latency (${name}, ${backend}): runtime p50 ${result.runtimeP50Ms} ms vs raw ${result.rawP50Ms} ms → ×${result.ratioP50}`);
  return result;
}

/**
 * The layers MobileNetV2 against its compiled (fused graph) version, `edgewatch publish --compile`: both in
 * plain TF.js workers on the same backend, alternating call by call (A B A B), medians.
 */
async function fusedVsLayers() {
  const calls = quick ? 10 : 60;
  const images = (await (await fetch(IMAGE_REGISTRY)).json()) as RegistryManifest;
  const entry = images.models['mobilenet-fused'].versions['1'];
  if (!entry.fallback) throw new Error('mobilenet-fused has no fallback: not compiled');
  const fused = await rawPeer(`/bench/models/registry/${entry.modelPath}`, 'graph');
  const layers = await rawPeer(`/bench/models/registry/${entry.fallback.modelPath}`, 'layers');
  const fusedMs: number[] = [];
  const layersMs: number[] = [];
  let maxAbsDiff = 0;
  for (let i = -3; i < calls; i++) {
    const image = testImage(i + 3);
    let t0 = performance.now();
    const a = await layers.predict(Float32Array.from(image), [1, 224, 224, 3]);
    if (i >= 0) layersMs.push(performance.now() - t0);
    t0 = performance.now();
    const b = await fused.predict(Float32Array.from(image), [1, 224, 224, 3]);
    if (i >= 0) fusedMs.push(performance.now() - t0);
    for (let j = 0; j < a.length; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[j] - b[j]));
  }
  fused.close();
  layers.close();
  const result = {
    calls,
    layersP50Ms: round(percentile(layersMs, 50)),
    fusedP50Ms: round(percentile(fusedMs, 50)),
    ratioP50: round(percentile(fusedMs, 50) / percentile(layersMs, 50)),
    maxAbsDiff,
    target: '< 1 (fused faster), outputs within 1e-5',
  };
  log(
    `compiled MobileNetV2 (${backend}): fused p50 ${result.fusedP50Ms} ms vs layers ${result.layersP50Ms} ms → ×${result.ratioP50}, max |Δ| ${maxAbsDiff.toExponential(1)}`,
  );
  return result;
}

/** Long tasks while MobileNet runs continuously: in the runtime's worker vs TF.js on the main thread. */
async function imageLongTasks() {
  const seconds = quick ? 3 : 10;
  const images = (await (await fetch(IMAGE_REGISTRY)).json()) as RegistryManifest;
  const entry = images.models.mobilenet.versions['1'];
  const batch = [{ image: testImage(1) }, { image: testImage(2) }];
  const runtime = createEdgeRuntime({ registry: IMAGE_REGISTRY, backends: [backend as 'wasm'], rememberBackend: false, dbName: `bench-imgl-${Date.now()}` });
  const model = await runtime.model('mobilenet').ready();
  await model.predict(batch);
  const inWorker = await longTasksDuring(seconds * 1000, () => model.predict(batch));
  await runtime.dispose();
  await selectPeerBackend(backend);
  const mainModel = await tf.loadLayersModel(`/bench/models/registry/${entry.modelPath}`);
  const stacked = new Float32Array(2 * 224 * 224 * 3);
  stacked.set(batch[0].image);
  stacked.set(batch[1].image, 224 * 224 * 3);
  const mainThread = await longTasksDuring(seconds * 1000, async () => {
    const output = tf.tidy(() => mainModel.predict(tf.tensor(stacked, [2, 224, 224, 3])) as tf.Tensor);
    await output.data();
    output.dispose();
  });
  mainModel.dispose();
  const result = { seconds, batch: 2, runtimeInWorker: inWorker, tfjsMainThread: mainThread, target: 'runtime: 0 long tasks, no timer gap over 50 ms' };
  log(
    `long tasks over ${seconds} s (MobileNetV2, 2 images per call): runtime ${inWorker.longTasks} (longest timer gap ${inWorker.longestTimerGapMs} ms) vs TF.js on the main thread ${mainThread.longTasks} (${mainThread.longestTimerGapMs} ms)`,
  );
  return result;
}

async function throughput() {
  const concurrent = 1000;
  // Both sides get the same warm-up (JIT tiers keep improving over the first rounds), then alternate.
  const rounds = quick ? 3 : 15;
  const warmup = quick ? 2 : 6;
  const batched = createEdgeRuntime({ registry: REGISTRY, backends: [backend as 'wasm'], rememberBackend: false, dbName: `bench-b-${Date.now()}` });
  // The unbatched peer still pipelines: every call is its own message and its own model.predict.
  const unbatched = createEdgeRuntime({
    registry: REGISTRY,
    backends: [backend as 'wasm'],
    rememberBackend: false,
    dbName: `bench-u-${Date.now()}`,
    batch: { maxSize: 1, maxWaitMs: 0, maxInFlight: concurrent },
  });
  const models = { batched: await batched.model('weather').ready(), unbatched: await unbatched.model('weather').ready() };
  const times: Record<'batched' | 'unbatched', number[]> = { batched: [], unbatched: [] };
  // Worker time of each run: the sum over its distinct batches (the id prefix names the batch).
  const workerTimes: Record<'batched' | 'unbatched', number[]> = { batched: [], unbatched: [] };
  // Main-thread time to make the 1,000 calls (the synchronous part of predict(), batches posted as they fill).
  const issueTimes: Record<'batched' | 'unbatched', number[]> = { batched: [], unbatched: [] };
  for (let r = -warmup; r < rounds; r++) {
    for (const kind of ['unbatched', 'batched'] as const) {
      // A quiet start for each run: the other side's garbage is collected in the pause, not on this clock.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const t0 = performance.now();
      const calls = Array.from({ length: concurrent }, (_, i) => models[kind].predict(days[i % days.length]));
      const issued = performance.now() - t0;
      const answers = await Promise.all(calls);
      if (r >= 0) {
        times[kind].push(performance.now() - t0);
        issueTimes[kind].push(issued);
        const batches = new Map(answers.map((a) => [a.predictionId.slice(0, a.predictionId.lastIndexOf(':')), a.workerMs]));
        workerTimes[kind].push([...batches.values()].reduce((a, b) => a + b, 0));
      }
    }
  }
  await batched.dispose();
  await unbatched.dispose();
  const median = (values: number[]) => percentile(values, 50);
  const result = {
    concurrent,
    batchedMs: round(median(times.batched)),
    unbatchedMs: round(median(times.unbatched)),
    batchedWorkerMs: round(median(workerTimes.batched)),
    unbatchedWorkerMs: round(median(workerTimes.unbatched)),
    batchedIssueMs: round(median(issueTimes.batched)),
    unbatchedIssueMs: round(median(issueTimes.unbatched)),
    batchedPerSecond: Math.round((concurrent / median(times.batched)) * 1000),
    unbatchedPerSecond: Math.round((concurrent / median(times.unbatched)) * 1000),
    ratio: round(median(times.unbatched) / median(times.batched), 2),
    target: '≥ 10',
  };
  log(`throughput (MLP, 1,000 concurrent): batched ${result.batchedPerSecond}/s vs unbatched ${result.unbatchedPerSecond}/s → ×${result.ratio}`);
  return result;
}

const benchModels = (): BenchModel[] => [
  { label: 'weather MLP', registry: REGISTRY, name: 'weather', record: days[0] },
  { label: 'MobileNetV2 layers', registry: IMAGE_REGISTRY, name: 'mobilenet', record: { image: testImage(1) } },
  { label: 'MobileNetV2 graph', registry: IMAGE_REGISTRY, name: 'mobilenet-graph', record: { image: testImage(1) } },
];

/**
 * First visit: from `createEdgeRuntime` to the first prediction answered, nothing remembered, nothing in
 * the artifact cache (a fresh database each time; the browser's HTTP cache is warm for every side alike:
 * one untimed visit of each side first, so no side pays the page's very first worker, fetches and wasm
 * compile alone). `'auto'` against each fixed backend, the order rotated each round (A B C, B C A, C A B:
 * no side always runs first, or always after the one whose trial workers were just torn down); the ratio
 * is `'auto'` over the best fixed one.
 */
async function firstVisit() {
  const fixed = ['wasm', 'cpu'] as const;
  const out: Record<string, unknown> = {};
  for (const bench of benchModels()) {
    // A visit of the MLP takes ~0.4 s: 9 rounds there (3 made its ratio swing 0.89–1.22 between runs); the
    // image models take 1–6 s a visit, 3 rounds.
    const rounds = quick ? 1 : bench.name === 'weather' ? 9 : 3;
    const times: Record<string, number[]> = { auto: [], ...Object.fromEntries(fixed.map((f) => [f, []])) };
    // Of each first visit, the worker's backend choice and start (`activated.backendMs`): where 'auto' differs.
    const backendTimes: Record<string, number[]> = { auto: [], ...Object.fromEntries(fixed.map((f) => [f, []])) };
    // When the model was ready (the page's clock), and the worker's part of it (load + warm-up).
    const readyTimes: Record<string, number[]> = { auto: [], ...Object.fromEntries(fixed.map((f) => [f, []])) };
    const workerTimes: Record<string, number[]> = { auto: [], ...Object.fromEntries(fixed.map((f) => [f, []])) };
    let served = '';
    const sides = ['auto', ...fixed] as const;
    for (const side of sides) {
      const warm = createEdgeRuntime({ registry: bench.registry, backends: side === 'auto' ? 'auto' : [side], dbName: `bench-fv-${crypto.randomUUID()}` });
      await warm.model(bench.name).predict(bench.record);
      await warm.dispose();
    }
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(r + k) % sides.length];
        await new Promise((resolve) => setTimeout(resolve, 300));
        const t0 = performance.now();
        const runtime = createEdgeRuntime({ registry: bench.registry, backends: side === 'auto' ? 'auto' : [side], dbName: `bench-fv-${crypto.randomUUID()}` });
        runtime.addEventListener('activated', (event) => {
          backendTimes[side].push(event.detail.backendMs ?? Number.NaN);
          readyTimes[side].push(performance.now() - t0);
          workerTimes[side].push(event.detail.loadMs + event.detail.warmupMs);
        });
        const answer = await runtime.model(bench.name).predict(bench.record);
        times[side].push(performance.now() - t0);
        if (side === 'auto') served = answer.backend;
        await runtime.dispose();
      }
    }
    const median = (values: number[]) => percentile(values, 50);
    const best = fixed.reduce((a, b) => (median(times[b]) < median(times[a]) ? b : a));
    out[bench.name] = {
      rounds,
      autoMs: round(median(times.auto), 1),
      ...Object.fromEntries(fixed.map((f) => [`${f}Ms`, round(median(times[f]), 1)])),
      backendMs: Object.fromEntries(Object.entries(backendTimes).map(([side, values]) => [side, round(median(values), 1)])),
      readyMs: Object.fromEntries(Object.entries(readyTimes).map(([side, values]) => [side, round(median(values), 1)])),
      workerMs: Object.fromEntries(Object.entries(workerTimes).map(([side, values]) => [side, round(median(values), 1)])),
      samples: Object.fromEntries(Object.entries(times).map(([side, values]) => [side, values.map((v) => round(v, 0))])),
      autoServedBy: served,
      bestFixed: best,
      ratio: round(median(times.auto) / median(times[best]), 2),
      target: '≤ 1.2',
    };
    log(
      `first visit (${bench.label}): 'auto' ${round(median(times.auto), 1)} ms (served by ${served}) vs ${best} ${round(median(times[best]), 1)} ms → ×${(out[bench.name] as { ratio: number }).ratio}`,
    );
  }
  return out;
}

/** Backend choice ('auto' vs each fixed backend vs TF.js's own default): bench/scenarios/backendChoice.ts. */
const backendChoice = () => choose(benchModels(), { quick, small: (bench) => bench.name === 'weather', log });

/**
 * Hot swap of the backend under load: the weather model served on cpu (a small tabular model starts there)
 * while wasm is timed in the background (in workers of their own) and handed over to a new worker on wasm
 * (asked: `backendTrials: ['wasm']`,
 * `backendSwapSpeedup: 0`, so the swap happens whatever the timings), callers predicting all along, until the
 * old worker is retired. p99 of that window over the steady p50 and p99 after it, and per phase (by when a call
 * started; the handoff's steps from the runtime's `edgewatch:handoff:*` marks), with the main thread's long
 * tasks per phase; live tensors before and after (the new worker's). Beside the steady calls, in turns, the
 * same calls with no swap next to a plain worker busy half the time (`besideBusyWorker`): the floor that any
 * background work sets on this machine; then the same calls beside a plain TF.js worker starting and loading
 * the model, three times (`besideWorkerStart`): the floor a swap's worker starts set.
 */
async function hotSwap() {
  const steadyCalls = quick ? 100 : 1000;
  performance.clearMarks();
  const longTasks: { start: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, ms: entry.duration });
  });
  observer.observe({ type: 'longtask', buffered: false });
  const gaps = mainThreadGaps();
  // Forced: wasm is timed and handed over whatever it measures, on one thread (this page is isolated, where
  // 'auto' would also time wasm's thread counts before the handoff: a longer trials phase, not the swap).
  const runtime = createEdgeRuntime({
    registry: REGISTRY,
    dbName: `bench-hs-${crypto.randomUUID()}`,
    backendTrials: ['wasm'],
    backendSwapSpeedup: 0,
    wasmThreads: 1,
  });
  const model = await runtime.model('weather').ready();
  const tensorsBefore = (await runtime.stats()).numTensors;
  const mark = (step: string) => performance.getEntriesByName(`edgewatch:handoff:${step}`, 'mark').at(-1)?.startTime ?? Infinity;
  // When the trials reported (the wasm trial is over): the first phase of `during`.
  let trialsAt = Infinity;
  runtime.addEventListener('backend-trial', (event) => {
    if (event.detail.backend === 'wasm') trialsAt = performance.now();
  });
  const during: { t0: number; ms: number }[] = [];
  const batch = days.slice(0, 8);
  const started = performance.now();
  // Until the old worker is gone and the new one answered 50 calls (its first ones are in the window, not in `steady`).
  while (mark('retired') === Infinity || during.filter((d) => d.t0 >= mark('switched')).length < 50) {
    const t0 = performance.now();
    await model.predict(batch);
    during.push({ t0, ms: performance.now() - t0 });
    if (t0 - started > 120_000) throw new Error('no handoff within 2 minutes');
  }
  const timer = gaps.split();
  // After the swap, in blocks of 100 calls, A B A B: steady (nothing else running), and beside a plain worker
  // (no Edgewatch, no TF.js) that keeps a core busy half the time as the trials do. The second is this
  // machine's floor for any background work, swap or not. The main-thread timer keeps running through them, so
  // the steady calls bear its cost as the swap's did.
  const steady: number[] = [];
  const besideBusy: number[] = [];
  const busy = halfBusyWorker();
  for (let block = 0; block < steadyCalls / 100; block++) {
    for (const on of [false, true]) {
      busy.set(on);
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        await model.predict(batch);
        (on ? besideBusy : steady).push(performance.now() - t0);
      }
    }
  }
  busy.close();
  // No swap, beside a plain TF.js worker starting (script, wasm backend, the MLP loaded), three times one
  // after another: the swap starts three workers (the trials' two, the handoff's one), and a worker's start
  // is work no pacing can split.
  const besideStart: number[] = [];
  for (let start = 0; start < 3; start++) {
    let up = false;
    const starting = rawPeer(modelUrl).then((peer) => {
      up = true;
      return peer;
    });
    while (!up) {
      const t0 = performance.now();
      await model.predict(batch);
      besideStart.push(performance.now() - t0);
    }
    (await starting).close();
  }
  const afterTimer = gaps.stop();
  const tensorsAfter = (await runtime.stats()).numTensors;
  const backendAfter = (await runtime.backend())?.name;
  await runtime.dispose();
  observer.disconnect();
  const ms = during.map((d) => d.ms);
  const steadyP50 = percentile(steady, 50);
  const steadyP99 = percentile(steady, 99);
  const at = {
    start: mark('start'),
    started: mark('started'),
    loaded: mark('loaded'),
    switched: mark('switched'),
    flushed: mark('flushed'),
    retired: mark('retired'),
  };
  const summary = (calls: number[], from: number, to: number) => ({
    calls: calls.length,
    p50Ms: calls.length > 0 ? round(percentile(calls, 50)) : undefined,
    p99Ms: calls.length > 0 ? round(percentile(calls, 99)) : undefined,
    maxMs: calls.length > 0 ? round(Math.max(...calls)) : undefined,
    wallMs: round(to - from, 1),
    longTasks: longTasks.filter((t) => t.start >= from && t.start < to).length,
    longestTimerGapMs: round(Math.max(0, ...timer.over10.filter((t) => t.start >= from && t.start < to).map((t) => t.ms)), 1),
  });
  const phase = (from: number, to: number) =>
    summary(
      during.filter((d) => d.t0 >= from && d.t0 < to).map((d) => d.ms),
      from,
      to,
    );
  const result = {
    callsDuring: during.length,
    duringP99Ms: round(percentile(ms, 99)),
    steadyP50Ms: round(steadyP50),
    // The machine's own tail after the swap (2 shared cores): what a p99 during the swap is up against.
    steadyP99Ms: round(steadyP99),
    ratio: round(percentile(ms, 99) / steadyP50, 2),
    ratioToSteadyP99: round(percentile(ms, 99) / steadyP99, 2),
    // No swap, a plain worker busy half the time beside the same calls: what background work alone costs here.
    besideBusyWorker: {
      calls: besideBusy.length,
      p50Ms: round(percentile(besideBusy, 50)),
      p99Ms: round(percentile(besideBusy, 99)),
      ratio: round(percentile(besideBusy, 99) / steadyP50, 2),
    },
    // No swap, beside a plain TF.js worker starting and loading the MLP, three times: the cost of a worker start alone.
    besideWorkerStart: {
      calls: besideStart.length,
      p50Ms: round(percentile(besideStart, 50)),
      p99Ms: round(percentile(besideStart, 99)),
      ratio: round(percentile(besideStart, 99) / steadyP50, 2),
    },
    target: '≤ 1.5',
    // Calls by when they started: the cpu candidate loaded and timed (in workers of their own); the outcome
    // remembered and the handoff asked; the new worker starting (script, backend); loading and warming every
    // version; after the switch while the old worker answers its last calls, flushes and is terminated.
    phases: {
      trials: phase(started, trialsAt),
      asking: phase(trialsAt, at.start),
      workerStart: phase(at.start, at.started),
      load: phase(at.started, at.loaded),
      beforeSwitch: phase(at.loaded, at.switched),
      // The old worker answering its last calls and flushing its monitoring, then being terminated.
      retireFlush: phase(at.switched, at.flushed),
      retireTerminate: phase(at.flushed, at.retired),
      // The new worker's first 10 calls (its predict path's first runs), and its next 40.
      firstAfterSwitch: summary(
        during
          .filter((d) => d.t0 >= at.switched)
          .slice(0, 10)
          .map((d) => d.ms),
        at.switched,
        at.switched,
      ),
      next40AfterSwitch: summary(
        during
          .filter((d) => d.t0 >= at.switched)
          .slice(10, 50)
          .map((d) => d.ms),
        at.switched,
        at.switched,
      ),
      // Calls in flight when routing switched (answered by the old worker).
      inFlightAtSwitch: summary(
        during.filter((d) => d.t0 < at.switched && d.t0 + d.ms >= at.switched).map((d) => d.ms),
        at.switched,
        at.switched,
      ),
    },
    longTasksDuring: longTasks.length,
    // The longest time the page's main thread could not run a task during the swap (mainThreadGaps).
    longestTimerGapDuringMs: timer.longestMs,
    timerGapsOver50MsDuring: timer.over50.length,
    // The same after the swap, over the steady and half-busy blocks.
    longestTimerGapAfterMs: afterTimer.longestMs,
    tensorsBefore,
    tensorsAfter,
    backendAfter,
  };
  log(
    `hot swap (MLP, cpu → wasm under load): p99 during ${result.duringP99Ms} ms vs steady p50 ${result.steadyP50Ms} ms → ×${result.ratio} (steady p99 ${result.steadyP99Ms} ms → ×${result.ratioToSteadyP99}; no swap, beside a worker busy half the time: p99 ${result.besideBusyWorker.p99Ms} ms → ×${result.besideBusyWorker.ratio}; beside a plain TF.js worker starting: p99 ${result.besideWorkerStart.p99Ms} ms → ×${result.besideWorkerStart.ratio}); longest main-thread timer gap ${result.longestTimerGapDuringMs} ms; tensors ${tensorsBefore} → ${tensorsAfter}`,
  );
  return result;
}

/**
 * A plain worker that, while on, spins 5 ms and sleeps 5 ms by turns: a core busy half the time, the duty
 * cycle of the background trials (workers/takeTurns.ts), with nothing of Edgewatch or TF.js in it.
 */
function halfBusyWorker() {
  const source = `let on = false;
    const spin = () => {
      if (!on) return;
      const end = performance.now() + 5;
      while (performance.now() < end);
      setTimeout(spin, 5);
    };
    self.onmessage = (e) => { const was = on; on = e.data; if (on && !was) spin(); };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return {
    set: (on: boolean) => worker.postMessage(on),
    close: () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

/**
 * wasm threads (cross-origin isolated page): the same model with `wasmThreads` 1 and 2 (…), A B A B,
 * p50 ratio over 1 thread, and the threads `backend()` reports (what tfjs-backend-wasm really started).
 */
async function threads() {
  const calls = quick ? 10 : 40;
  const counts = [...new Set([1, 2, Math.min(4, navigator.hardwareConcurrency)])].filter((n) => n <= Math.max(2, navigator.hardwareConcurrency));
  const out: Record<string, unknown> = { crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency };
  for (const bench of benchModels()) {
    const runtimes = counts.map((n) =>
      createEdgeRuntime({ registry: bench.registry, backends: ['wasm'], wasmThreads: n, rememberBackend: false, dbName: `bench-th-${crypto.randomUUID()}` }),
    );
    const models = await Promise.all(runtimes.map((rt) => rt.model(bench.name).ready()));
    const reported = await Promise.all(runtimes.map(async (rt) => (await rt.backend())?.threads));
    const times: number[][] = counts.map(() => []);
    const record = bench.name === 'weather' ? days.slice(0, 32) : bench.record;
    for (let i = -3; i < (bench.name === 'weather' ? calls * 10 : calls); i++) {
      for (const [k, model] of models.entries()) {
        const t0 = performance.now();
        await model.predict(record as RawRecord);
        if (i >= 0) times[k].push(performance.now() - t0);
      }
    }
    const base = percentile(times[0], 50);
    out[bench.name] = Object.fromEntries(
      counts.map((n, k) => [
        `threads${n}`,
        { reported: reported[k], p50Ms: round(percentile(times[k], 50)), ratioTo1: round(percentile(times[k], 50) / base) },
      ]),
    );
    log(`threads (${bench.label}): ${counts.map((n, k) => `${n}→${reported[k]} threads p50 ${round(percentile(times[k], 50))} ms`).join(', ')}`);
    await Promise.all(runtimes.map((rt) => rt.dispose()));
  }
  return out;
}

/**
 * The main thread's own account of its blocking, from now until `stop()`: a 0 ms timeout re-armed each time it
 * runs, whose gaps are how long no task could run (the longest; those over 10 and 50 ms, with their start). It does not
 * rely on the Long Tasks API, which in headless Chromium 150 reported none of a 10 s blocking loop (TF.js on the
 * main thread, below) that this timer saw.
 */
function mainThreadGaps() {
  let beating = true;
  let last = performance.now();
  let longest = 0;
  // Gaps over 10 ms, with their start (a phase's longest gap is found among them).
  const over10: { start: number; ms: number }[] = [];
  const beat = () => {
    const now = performance.now();
    const gap = now - last;
    if (gap > longest) longest = gap;
    if (gap > 10) over10.push({ start: last, ms: gap });
    last = now;
    if (beating) setTimeout(beat, 0);
  };
  setTimeout(beat, 0);
  // What was seen since the start or the last split; the timer keeps running.
  const split = () => {
    const seen = { longestMs: round(longest, 1), over10: over10.splice(0), over50: [] as { start: number; ms: number }[] };
    seen.over50 = seen.over10.filter((g) => g.ms > 50);
    longest = 0;
    return seen;
  };
  return {
    split,
    stop() {
      beating = false;
      return split();
    },
  };
}

/** Long tasks on the main thread while `work` runs in a loop for `ms`: the Long Tasks API's, and {@link mainThreadGaps}'. */
async function longTasksDuring(ms: number, work: () => Promise<unknown>) {
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) =>
    list.getEntries().forEach((entry) => {
      tasks.push(entry.duration);
    }),
  );
  observer.observe({ type: 'longtask', buffered: false });
  const gaps = mainThreadGaps();
  const end = performance.now() + ms;
  let iterations = 0;
  while (performance.now() < end) {
    await work();
    iterations++;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  const timer = gaps.stop();
  observer.disconnect();
  return {
    // The longest time no task could run, and how many times that exceeded 50 ms (a long task by any other name).
    longestTimerGapMs: timer.longestMs,
    timerGapsOver50Ms: timer.over50.length,
    longTasks: tasks.length,
    blockedMs: round(
      tasks.reduce((a, b) => a + Math.max(0, b - 50), 0),
      1,
    ),
    maxTaskMs: round(Math.max(0, ...tasks), 1),
    iterations,
  };
}

async function longTasks() {
  const seconds = quick ? 2 : 10;
  const batchRows = 4096;
  const batch = Array.from({ length: batchRows }, (_, i) => days[i % days.length]);
  const runtime = createEdgeRuntime({ registry: REGISTRY, backends: [backend as 'wasm'], rememberBackend: false, dbName: `bench-l-${Date.now()}` });
  const model = await runtime.model('weather').ready();
  await model.predict(batch);
  const inWorker = await longTasksDuring(seconds * 1000, () => model.predict(batch));
  await runtime.dispose();

  await selectPeerBackend(backend);
  const mainModel = await tf.loadLayersModel(modelUrl);
  const mainThread = await longTasksDuring(seconds * 1000, async () => {
    const x = features.transform(batch);
    const output = tf.tidy(() => mainModel.predict(tf.tensor2d(x, [batchRows, features.width])) as tf.Tensor);
    await output.data();
    output.dispose();
  });
  mainModel.dispose();
  const result = { seconds, batchRows, runtimeInWorker: inWorker, tfjsMainThread: mainThread, target: 'runtime: 0 long tasks, no timer gap over 50 ms' };
  log(
    `long tasks over ${seconds} s (MLP, ${batchRows} rows per call): runtime ${inWorker.longTasks} (longest timer gap ${inWorker.longestTimerGapMs} ms) vs TF.js on the main thread ${mainThread.longTasks} (${mainThread.longestTimerGapMs} ms)`,
  );
  return result;
}

try {
  const result = {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    timerResolution: globalThis.crossOriginIsolated ? '5 µs' : '100 µs',
    quick,
    backend,
    firstVisit: await part('firstVisit', firstVisit),
    backendChoice: await part('backendChoice', backendChoice),
    hotSwap: await part('hotSwap', hotSwap),
    threads: await part('threads', threads),
    latency: await part('latency', latency),
    channel: await part('channel', channel),
    mobilenetLatency: await part('mobilenetLatency', () => imageLatency('mobilenet')),
    mobilenetGraphLatency: await part('mobilenetGraphLatency', () => imageLatency('mobilenet-graph')),
    mobilenetFused: await part('mobilenetFused', fusedVsLayers),
    throughput: await part('throughput', throughput),
    throughputCurve: await part('throughputCurve', () => throughputCurve(benchModels()[0], { quick, backend, log, records: (i) => days[i % days.length] })),
    coldStart: await part('coldStart', () => coldStart(benchModels().slice(0, 2), { quick, backend, log })),
    scale: await part('scale', () => scale({ quick, backend, log })),
    longTasks: await part('longTasks', longTasks),
    mobilenetLongTasks: await part('mobilenetLongTasks', imageLongTasks),
  };
  (window as unknown as { __benchResult: unknown }).__benchResult = result;
  log('done');
} catch (error) {
  (window as unknown as { __benchResult: unknown }).__benchResult = { error: String((error as Error)?.stack ?? error) };
  log(`failed: ${String(error)}`);
}

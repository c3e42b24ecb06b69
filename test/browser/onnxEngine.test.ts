import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { byYears, WEATHER_LABELS } from '../../src/demo/seattleWeather.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import type { Prediction } from '../../src/runtime/ModelHandle.ts';
import { rejection } from '../support/rejection.ts';
import { REGISTRY as TFJS_REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

/** ONNX versions made by scripts/build-onnx-models.ts (global setup): weather-onnx v1–3 (the TF.js weather v1 weights), vad (Silero VAD v5). */
const REGISTRY = '/bench/models/onnx/manifest.json';

const runtimes: EdgeRuntime[] = [];
function runtime(options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  const rt = createEdgeRuntime({
    registry: REGISTRY,
    backends: ['wasm'],
    dbName: uniqueDbName('onnx'),
    flushIntervalMs: 60_000,
    monitoringBudget: { share: Infinity },
    ...options,
  });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

const days = weather.map(withoutLabel);
const maxDiff = (a: readonly Prediction[], b: readonly Prediction[]) =>
  Math.max(...a.map((p, i) => Math.max(...Array.from(p.scores, (v, c) => Math.abs(v - b[i].scores[c])))));

/** Same structure, equal strings and booleans, numbers within `tolerance`. */
function expectClose(actual: unknown, expected: unknown, tolerance: number, at = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), at).toBeLessThanOrEqual(tolerance);
  } else if (expected !== null && typeof expected === 'object') {
    expect(typeof actual, at).toBe('object');
    expect(Object.keys(actual as object).sort(), at).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[key], value, tolerance, `${at}.${key}`);
  } else {
    expect(actual, at).toEqual(expected);
  }
}

/** Every day's scores from the TF.js weather v1 (the weights the ONNX versions were written from), on wasm. */
async function tfjsScores(): Promise<Prediction[]> {
  const rt = runtime({ registry: TFJS_REGISTRY });
  return rt.model('weather').predict(days);
}

describe('ONNX versions through onnxruntime-web', () => {
  it('the weather model exported to ONNX answers as TF.js does on every day (1e-5), labels equal, on the ORT engine', async () => {
    const reference = await tfjsScores();
    const rt = runtime();
    const model = await rt.model('weather-onnx').ready();
    expect(model.version).toBe('1');
    const predictions = await model.predict(days);
    expect(predictions).toHaveLength(days.length);
    expect(maxDiff(predictions, reference)).toBeLessThanOrEqual(1e-5);
    expect(predictions.map((p) => p.label)).toEqual(reference.map((p) => p.label));
    expect(predictions.every((p) => p.backend === 'wasm')).toBe(true);
    expect(await rt.backend()).toMatchObject({ name: 'wasm', engine: 'onnxruntime-web', chosenBy: 'order' });
  });

  it('a fixed batch of 4 (split, the last batch padded) and two named inputs + two outputs give the same answers', async () => {
    const rt = runtime();
    const v1 = await rt.model('weather-onnx').predict(days.slice(0, 203));
    for (const version of ['2', '3']) {
      const other = runtime();
      const handle = other.model('weather-onnx', { version });
      const model = await handle.ready();
      expect(model.version).toBe(version);
      // 203 rows: 50 full batches of 4 and one of 3 for v2.
      const answers = await model.predict(days.slice(0, 203));
      expect(maxDiff(answers, v1)).toBeLessThanOrEqual(1e-6);
      const single = await model.predict(days[17]);
      expect(maxDiff([single], [v1[17]])).toBeLessThanOrEqual(1e-6);
    }
  });

  it('micro-batches 1,000 concurrent calls with the same values as one by one', async () => {
    const model = runtime({ batch: { maxSize: 64, maxWaitMs: 2 } }).model('weather-onnx');
    const records = Array.from({ length: 1000 }, (_, i) => days[i % days.length]);
    const oneByOne: Prediction[] = [];
    for (const record of records.slice(0, 100)) oneByOne.push(await model.predict(record));
    const concurrent = await Promise.all(records.map((record) => model.predict(record)));
    expect(maxDiff(concurrent.slice(0, 100), oneByOne)).toBeLessThanOrEqual(1e-6);
    const batches = new Set(concurrent.map((p) => p.predictionId.split(':')[0]));
    expect(batches.size).toBeLessThanOrEqual(Math.ceil(1000 / 64) + 2);
  });

  it('swaps v1 → v2 under load with zero failures, and releases the old ORT session', async () => {
    const rt = runtime();
    const model = await rt.model('weather-onnx').ready();
    expect((await rt.stats()).onnxSessions).toBe(1);
    const answers: Promise<Prediction>[] = [];
    let swapped = false;
    const swap = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await model.activate('2');
      swapped = true;
    })();
    let after = 0;
    for (let i = 0; after < 40; i++) {
      for (let j = 0; j < 5; j++) answers.push(model.predict(days[(i * 5 + j) % days.length]));
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (swapped) after += 5;
    }
    await swap;
    const results = await Promise.allSettled(answers);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
    const versions = results.map((r) => (r as PromiseFulfilledResult<Prediction>).value.version);
    const firstV2 = versions.indexOf('2');
    expect(firstV2).toBeGreaterThan(0);
    expect(versions.slice(firstV2).every((v) => v === '2')).toBe(true);
    // One session serving: the swapped-out one was released once its last batch read its outputs.
    expect((await rt.stats()).onnxSessions).toBe(1);
    for (let i = 0; i < 10; i++) {
      await rt.unload('weather-onnx');
      await rt.model('weather-onnx').predict(days.slice(0, 5));
    }
    expect((await rt.stats()).onnxSessions).toBe(1);
    await rt.unload('weather-onnx');
    expect((await rt.stats()).onnxSessions).toBe(0);
  });

  it('restarts a killed worker and answers every pending call exactly once', async () => {
    const workers: Worker[] = [];
    const rt = runtime({
      createWorker: () => {
        const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
        workers.push(worker);
        return worker;
      },
    });
    const model = await rt.model('weather-onnx').ready();
    const reference = await model.predict(days.slice(0, 200));
    const stream: Promise<Prediction>[] = [];
    for (let i = 0; i < 200; i++) {
      stream.push(model.predict(days[i]));
      if (i === 100) workers[0].terminate();
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const results = await Promise.all(stream);
    expect(workers.length).toBe(2);
    expect(maxDiff(results, reference)).toBeLessThanOrEqual(1e-6);
    expect(new Set(results.map((p) => p.predictionId)).size).toBe(200);
  });

  it('bad input is INPUT_INVALID naming the field, and the version keeps serving', async () => {
    const model = await runtime().model('weather-onnx').ready();
    const error = await rejection(model.predict({ ...days[0], temp_max: 'hot' }));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'temp_max' } });
    await expect(model.predict(days[1])).resolves.toMatchObject({ version: '1' });
  });

  it('bad records in one micro-batch fail alone (typed INPUT_INVALID naming the field) on the ONNX version as on the TF.js one', async () => {
    const good = days.slice(0, 4);
    const bad: [Record<string, unknown>, string][] = [
      [{ ...days[5], temp_max: Number.NaN }, 'temp_max'],
      [{ ...days[6], temp_min: 500 }, 'temp_min'],
      [{ ...days[7], precipitation: undefined }, 'precipitation'],
      [{ ...days[8], date: 'not a date' }, 'date'],
    ];
    for (const [registry, name] of [
      [TFJS_REGISTRY, 'weather'],
      [REGISTRY, 'weather-onnx'],
    ] as const) {
      const model = await runtime({ registry }).model(name).ready();
      // Same task: one micro-batch, good and bad records interleaved.
      const calls = [...good, ...bad.map(([record]) => record)].map((r) => model.predict(r as never));
      const settled = await Promise.allSettled(calls);
      expect(
        settled.map((r) => r.status),
        name,
      ).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
      for (const [i, [, field]] of bad.entries()) {
        const reason = (settled[good.length + i] as PromiseRejectedResult).reason;
        expect(reason, `${name} ${field}`).toMatchObject({ code: 'INPUT_INVALID', details: { field } });
      }
      const summary = await model.driftSummary();
      expect(summary?.predictions, name).toBe(good.length);
      await expect(model.predict(days[9])).resolves.toMatchObject({ version: '1' });
    }
  });

  it('a tensor-spec ONNX model (VAD): a bare Float32Array answers as { audio }; a wrong width, a NaN, a BigInt64Array are INPUT_INVALID alone', async () => {
    const model = await runtime().model('vad').ready();
    const frame = Float32Array.from({ length: 512 }, (_, t) => 0.5 * Math.sin((2 * Math.PI * 220 * t) / 16000));
    const named = await model.predict({ audio: frame });
    const nan = frame.slice();
    nan[5] = Number.NaN;
    const calls = [
      model.predict(frame.slice()),
      model.predict(new Float32Array(100)),
      model.predict(nan),
      model.predict(new BigInt64Array(512) as never),
      model.predict({ data: frame.slice(), shape: [1, 512] }),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(Math.abs((settled[0] as PromiseFulfilledResult<Prediction>).value.scores[0] - named.scores[0])).toBeLessThanOrEqual(1e-6);
    // { data, shape } with a batch dimension: one prediction per example.
    const shaped = (settled[4] as PromiseFulfilledResult<unknown>).value as Prediction[];
    expect(shaped).toHaveLength(1);
    expect(Math.abs(shaped[0].scores[0] - named.scores[0])).toBeLessThanOrEqual(1e-6);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'INPUT_INVALID', details: { field: 'audio', got: [100] } });
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'INPUT_INVALID',
      details: { field: 'audio', reason: 'element 5 is not a finite number' },
    });
    expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'INPUT_INVALID' });
    await expect(model.predict({ audio: frame })).resolves.toMatchObject({ version: '1' });
  });

  it('runs a real ONNX model (Silero VAD v5: three inputs, int64, two outputs) as raw ORT does', async () => {
    const rt = runtime();
    const model = await rt.model('vad').ready();
    // 16 kHz frames: silence, a 220 Hz tone, white-ish noise, a chirp; deterministic.
    const frames = [0, 1, 2, 3].map((kind) =>
      Float32Array.from({ length: 512 }, (_, t) =>
        kind === 0
          ? 0
          : kind === 1
            ? 0.5 * Math.sin((2 * Math.PI * 220 * t) / 16000)
            : kind === 2
              ? (((t * 7919) % 1000) / 1000 - 0.5) * 0.6
              : 0.4 * Math.sin(2 * Math.PI * (100 + t) * (t / 16000)),
      ),
    );
    const answers = await model.predict(frames.map((audio) => ({ audio })));
    // The same bytes run by onnxruntime-web directly on this page, one frame at a time.
    const ort = await import('onnxruntime-web/wasm');
    const { defaultOrtWasmPaths } = await import('../../workers/engines/ortWasmPaths.ts');
    ort.env.wasm.wasmPaths = { wasm: defaultOrtWasmPaths()['ort-wasm-simd-threaded.wasm'] };
    const manifest = (await (await fetch(REGISTRY)).json()) as RegistryManifest;
    const path = manifest.models.vad.versions['1'].modelPath;
    const bytes = new Uint8Array(await (await fetch(new URL(path, new URL(REGISTRY, location.href)))).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    try {
      for (let i = 0; i < frames.length; i++) {
        const out = await session.run({
          input: new ort.Tensor('float32', frames[i], [1, 512]),
          state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
          sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
        });
        const raw = (out.output.data as Float32Array)[0];
        expect(answers[i].scores).toHaveLength(1);
        expect(Math.abs(answers[i].scores[0] - raw)).toBeLessThanOrEqual(1e-5);
        expect(raw).toBeGreaterThanOrEqual(0);
        expect(raw).toBeLessThanOrEqual(1);
      }
    } finally {
      await session.release();
    }
    // Different audio, different answers: the model really listened.
    expect(new Set(answers.map((a) => a.scores[0].toFixed(4))).size).toBeGreaterThan(1);
    await expect(model.predict({ audio: new Float32Array(100) })).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { field: 'audio' } });
  });
});

describe('ORT on WebGPU', () => {
  // Chromium here runs with --enable-unsafe-webgpu (a SwiftShader adapter); elsewhere the test has nothing to run on.
  it.skipIf(!('gpu' in navigator))('backends: ["webgpu"] runs weather-onnx on the WebGPU EP with the wasm EP\'s answers (1e-4)', async () => {
    const wasm = await runtime().model('weather-onnx').predict(days.slice(0, 40));
    const rt = runtime({ backends: ['webgpu'] });
    const answers = await rt.model('weather-onnx').predict(days.slice(0, 40));
    expect(answers.every((p) => p.backend === 'webgpu')).toBe(true);
    expect(await rt.backend()).toMatchObject({ name: 'webgpu', engine: 'onnxruntime-web' });
    // Threads are of the wasm EP: none reported on WebGPU.
    expect((await rt.backend())?.threads).toBeUndefined();
    expect(maxDiff(answers, wasm)).toBeLessThanOrEqual(1e-4);
  });

  it.skipIf(!('gpu' in navigator))('moves to the wasm EP and keeps answering when the WebGPU device is lost', async () => {
    let worker: Worker | undefined;
    const rt = runtime({
      backends: ['webgpu', 'wasm'],
      createWorker: () => (worker = new Worker(new URL('./ortDeviceLoss.worker.ts', import.meta.url), { type: 'module' })),
    });
    const model = rt.model('weather-onnx');
    const before = await model.predict(days[7]);
    expect(before.backend).toBe('webgpu');
    worker?.postMessage('lose-device');
    const after = await Promise.all(days.slice(0, 20).map((d) => model.predict(d)));
    expect(after).toHaveLength(20);
    // Calls sent right after the loss may still have been answered on the GPU; later ones are on wasm.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reference = await model.predict(days[7]);
    expect(reference.backend).toBe('wasm');
    expect(maxDiff([reference], [before])).toBeLessThanOrEqual(1e-4);
    expect(await rt.backend()).toMatchObject({ name: 'wasm', engine: 'onnxruntime-web', failed: { webgpu: 'device lost' } });
    expect((await rt.stats()).onnxSessions).toBe(1);
  });

  it('a backend list ORT cannot run on is BACKEND_UNAVAILABLE with every reason; a TF.js version still loads there', async () => {
    const rt = runtime({ backends: ['cpu'] });
    const error = await rejection(rt.model('weather-onnx').predict(days[0]));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect((error.details as { failed: Record<string, string> }).failed).toEqual({ cpu: 'onnxruntime-web runs on wasm or webgpu' });
    await expect(
      runtime({ registry: TFJS_REGISTRY, backends: ['cpu'] })
        .model('weather')
        .predict(days[0]),
    ).resolves.toMatchObject({ backend: 'cpu' });
  });
});

describe("ORT's wasm threads", () => {
  it('backend() reports the threads ORT really runs: 2 asked on a page that is not cross-origin isolated is 1; no thread trials under auto', async () => {
    expect(globalThis.crossOriginIsolated).toBe(false);
    const asked = runtime({ wasmThreads: 2 });
    await asked.model('weather-onnx').predict(days.slice(0, 5));
    expect(await asked.backend()).toMatchObject({ engine: 'onnxruntime-web', name: 'wasm', threads: 1 });
    const auto = runtime({ backends: 'auto' });
    const trials: unknown[] = [];
    auto.addEventListener('backend-trial', (event) => trials.push(event.detail));
    await auto.model('weather-onnx').predict(days.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(trials).toEqual([]);
    expect((await auto.backend())?.threadTrials).toBeUndefined();
    // Nor ORT's WebGPU EP on this software adapter: nothing to time, and backend() says why.
    expect((await auto.backend())?.trials?.webgpu).toEqual({ rejected: 'skipped: software WebGPU adapter' });
  });

  /** Runs the thread trials' measurement in a worker, on weather-onnx v1, with `reference` as the serving answers. */
  async function measure(counts: number[], reference: { records: unknown[]; scores: Float32Array }) {
    const manifestUrl = new URL(REGISTRY, location.href).href;
    const manifest = (await (await fetch(manifestUrl)).json()) as RegistryManifest;
    const request = { name: 'weather-onnx', version: '1', manifestUrl, entry: manifest.models['weather-onnx'].versions['1'] };
    const config = { backends: 'auto', dbName: uniqueDbName('ort-threads'), flushIntervalMs: 60_000, windowMs: 3_600_000 };
    const worker = new Worker(new URL('./ortThreads.worker.ts', import.meta.url), { type: 'module' });
    try {
      const reply = new Promise<{ outcomes?: [number, Record<string, unknown>][]; error?: string }>((resolve) =>
        worker.addEventListener('message', (event) => (event.data?.outcomes || event.data?.error) && resolve(event.data)),
      );
      worker.postMessage({ measure: { request, config, counts, reference } });
      const { outcomes, error } = await reply;
      if (!outcomes) throw new Error(error);
      return new Map(outcomes);
    } finally {
      worker.terminate();
    }
  }

  it('each count in its own worker: ORT’s real thread count, a median, the golden answers compared with the serving ones', async () => {
    const manifest = (await (await fetch(REGISTRY)).json()) as RegistryManifest;
    const records = (manifest.models['weather-onnx'].versions['1'].goldens ?? []).map((g) => g.record);
    expect(records.length).toBeGreaterThan(0);
    // The serving answers: the TF.js weather v1 (the weights the ONNX export was written from).
    const tfjs = (await runtime({ registry: TFJS_REGISTRY })
      .model('weather')
      .predict(records as never)) as unknown as Prediction[];
    const scores = Float32Array.from(tfjs.flatMap((p) => Array.from(p.scores)));
    const outcomes = await measure([1, 2], { records, scores });
    expect([...outcomes.keys()]).toEqual([1, 2]);
    for (const outcome of outcomes.values()) {
      // Not isolated: ORT runs one thread whatever is asked, and says so.
      expect(outcome).toMatchObject({ threads: 1 });
      expect(outcome.rejected).toBeUndefined();
      expect(outcome.medianMs as number).toBeGreaterThan(0);
      expect(outcome.maxAbsDiff as number).toBeLessThanOrEqual(1e-5);
    }
    // Answers off by 0.01 from the serving ones: every count is rejected, none timed.
    const wrong = await measure([1, 2], { records, scores: scores.map((v) => v + 0.01) });
    for (const outcome of wrong.values()) {
      expect(outcome.rejected).toMatch(/outputs differ/);
      expect(outcome.medianMs).toBeUndefined();
    }
  });
});

describe('monitoring is the same for an ONNX version', () => {
  it('feature sketches, class counts, drift and label feedback match the TF.js version on the same days', async () => {
    const summaries = [];
    for (const [registry, name] of [
      [TFJS_REGISTRY, 'weather'],
      [REGISTRY, 'weather-onnx'],
    ] as const) {
      const model = runtime({ registry }).model(name);
      const year = byYears(weather, 2014);
      const predictions = await model.predict(year.map(withoutLabel));
      for (let i = 0; i < 200; i++) expect((await model.feedback(predictions[i].predictionId, year[i].weather)).matched).toBe(true);
      summaries.push(await model.driftSummary());
    }
    const [tfjs, onnx] = summaries;
    expect(onnx?.window.predictions).toBe(365);
    expect(Object.keys(onnx?.window.features ?? {})).toEqual(['season.sin', 'season.cos', 'precipitation', 'temp_max', 'temp_min', 'wind']);
    expect(onnx?.window.features).toEqual(tfjs?.window.features);
    if (onnx?.window.outputs.kind !== 'classification' || tfjs?.window.outputs.kind !== 'classification') throw new Error('classification expected');
    expect(onnx.window.outputs.classes.counts).toEqual(tfjs.window.outputs.classes.counts);
    expect(onnx.window.outputs.classes.counts.reduce((a, b) => a + b, 0)).toBe(365);
    expect(onnx.report?.quality?.labelled).toBe(200);
    // Scores differ by ~1e-7 between the engines: quality sums them, so equal to 1e-6 rather than bit for bit.
    expectClose(onnx.report?.quality, tfjs.report?.quality, 1e-6);
    expect(onnx.report?.features).toEqual(tfjs.report?.features);
    expect(WEATHER_LABELS).toHaveLength(onnx.window.outputs.classes.counts.length);
  });
});

describe('a tampered .onnx', () => {
  it('is refused with INTEGRITY_MISMATCH and the serving version keeps answering', async () => {
    const server = await commands.registryStart();
    try {
      // The ONNX registry, served by the faulting server: manifest and the two weather-onnx model files.
      const manifest = (await (await fetch(REGISTRY)).json()) as RegistryManifest;
      await commands.registryWrite(server.id, 'manifest.json', JSON.stringify(manifest));
      const paths = ['1', '2'].map((v) => manifest.models['weather-onnx'].versions[v].modelPath);
      for (const path of paths) {
        const bytes = new Uint8Array(await (await fetch(new URL(path, new URL(REGISTRY, location.href)))).arrayBuffer());
        await commands.registryWrite(server.id, path, btoa(String.fromCharCode(...bytes)), 'base64');
      }
      const rt = runtime({ registry: server.url, cacheArtifacts: false });
      const model = await rt.model('weather-onnx').ready();
      await commands.registryFault(server.id, paths[1], { tamper: true });
      const error = await rejection(model.activate('2'));
      expect(error.code).toBe('INTEGRITY_MISMATCH');
      expect(model.version).toBe('1');
      await expect(model.predict(days[3])).resolves.toMatchObject({ version: '1' });
    } finally {
      await commands.registryStop(server.id);
    }
  });
});

describe('ONNX Runtime is loaded lazily', () => {
  /** A runtime whose worker reports what it downloaded. */
  function logged(registry: string) {
    let worker: Worker | undefined;
    const rt = runtime({
      registry,
      createWorker: () => (worker = new Worker(new URL('./resourceLog.worker.ts', import.meta.url), { type: 'module' })),
    });
    const resources = async () => {
      const reply = new Promise<string[]>((resolve) =>
        worker?.addEventListener('message', (event) => event.data?.resources && resolve(event.data.resources), { once: false }),
      );
      worker?.postMessage('resources');
      return reply;
    };
    return { rt, resources };
  }
  const ort = /onnxruntime|ort-wasm/;

  it('a worker with only TF.js models never downloads ORT; the first ONNX version does', async () => {
    const tfjs = logged(TFJS_REGISTRY);
    await tfjs.rt.model('weather').predict(days.slice(0, 10));
    const tfjsOnly = await tfjs.resources();
    // The TF.js wasm binary was fetched by this worker: the log sees what it downloads.
    expect(tfjsOnly.some((url) => url.includes('tfjs-backend-wasm'))).toBe(true);
    expect(tfjsOnly.filter((url) => ort.test(url))).toEqual([]);

    const onnx = logged(REGISTRY);
    await onnx.rt.model('weather-onnx').predict(days.slice(0, 10));
    const withOnnx = await onnx.resources();
    expect(withOnnx.some((url) => url.includes('ort-wasm-simd-threaded.wasm'))).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { byYears, WEATHER_LABELS } from '../../src/demo/seattleWeather.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import type { BackendTrialDetail } from '../../src/runtime/events.ts';
import type { Prediction } from '../../src/runtime/ModelHandle.ts';
import { REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

const runtimes: EdgeRuntime[] = [];
function runtime(options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  const rt = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName('inf'), flushIntervalMs: 60_000, ...options });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

const days = weather.map(withoutLabel);
const sameScores = (a: Prediction, b: Prediction) => a.scores.every((v, i) => Math.abs(v - b.scores[i]) <= 1e-6);

describe('backend choice', () => {
  it("under 'auto' with every backend asked, times each against the serving cpu (the MLP's first) and remembers the outcome", async () => {
    const dbName = uniqueDbName('choice');
    const first = runtime({ dbName, backendTrials: ['webgl', 'webgpu', 'wasm'] });
    const trials: BackendTrialDetail[] = [];
    first.addEventListener('backend-trial', (event) => trials.push(event.detail));
    await first.model('weather').predict(days[0]);
    await expect.poll(async () => (await first.backend())?.chosenBy, { timeout: 60_000 }).toBe('measured');
    const info = await first.backend();
    expect(trials.map((t) => t.backend).sort()).toEqual(['wasm', 'webgl', 'webgpu']);
    for (const trial of trials) {
      expect(trial.serving).toBe('cpu');
      // Timed side by side with cpu, or a reason it cannot serve (a backend that did not start).
      if (trial.rejected === undefined) {
        expect(trial.medianMs).toBeGreaterThan(0);
        expect(trial.servingMs).toBeGreaterThan(0);
      } else expect(trial.rejected).not.toBe('');
    }
    if (trials.some((t) => t.backend === 'webgpu' && t.medianMs !== undefined)) expect(info?.webgpuFallbackAdapter).toBe(true);
    await first.dispose();

    const second = runtime({ dbName, backendTrials: ['webgl', 'webgpu', 'wasm'] });
    await second.model('weather').ready();
    expect(await second.backend()).toMatchObject({ name: info?.name, chosenBy: 'remembered' });
  });

  it('honours a forced backend and an ordered list', async () => {
    const forced = runtime({ backends: ['cpu'] });
    await forced.model('weather').ready();
    expect(await forced.backend()).toMatchObject({ name: 'cpu', chosenBy: 'order' });
    const ordered = runtime({ backends: ['webgl', 'cpu'] });
    const model = await ordered.model('weather').ready();
    expect(model.backend).toBe('webgl');
  });
});

describe('micro-batching', () => {
  it('answers 1,000 concurrent predict calls in order, with the same values as one by one', async () => {
    const rt = runtime({ backends: ['wasm'], batch: { maxSize: 64, maxWaitMs: 2 } });
    const model = rt.model('weather');
    const records = Array.from({ length: 1000 }, (_, i) => days[i % days.length]);
    const oneByOne: Prediction[] = [];
    for (const record of records.slice(0, 200)) oneByOne.push(await model.predict(record));
    const concurrent = await Promise.all(records.map((record) => model.predict(record)));
    expect(concurrent).toHaveLength(1000);
    for (let i = 0; i < 200; i++) expect(sameScores(concurrent[i], oneByOne[i])).toBe(true);
    // Each label (computed in the worker) is the class of the largest score the caller got
    for (const p of [...concurrent, ...oneByOne]) {
      const best = p.scores.indexOf(Math.max(...p.scores));
      expect(p.labelIndex).toBe(best);
      expect(p.label).toBe(WEATHER_LABELS[best]);
    }
    // Same record → same answer wherever it sat in a batch (records repeat every 1,461).
    expect(new Set(concurrent.map((p) => p.predictionId)).size).toBe(1000);
    // Batched: far fewer worker round trips than calls (ids are `${batch}:${row}`).
    const batches = new Set(concurrent.map((p) => p.predictionId.split(':')[0]));
    expect(batches.size).toBeLessThanOrEqual(Math.ceil(1000 / 64) + 2);
    // Per caller order: a caller sending a list gets its answers in its own order.
    const list = records.slice(300, 340);
    const answers = await model.predict(list);
    answers.forEach((p, i) => {
      expect(sameScores(p, concurrent[300 + i])).toBe(true);
    });
  });
});

describe('hot swap', () => {
  it('swaps v1 → v2 under load: zero failures, v1 before the swap point and v2 after', async () => {
    const rt = runtime({ backends: ['wasm'] });
    const model = await rt.model('weather').ready();
    expect(model.version).toBe('1');
    const stream = byYears(weather, 2015).map(withoutLabel);
    const answers: Promise<Prediction>[] = [];
    let swapped = false;
    const swap = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await model.activate('2');
      swapped = true;
    })();
    // A steady stream of requests, 5 every tick, until well after the swap.
    let sentAfterSwap = 0;
    for (let i = 0; sentAfterSwap < 50; i++) {
      for (let j = 0; j < 5; j++) answers.push(model.predict(stream[(i * 5 + j) % stream.length]));
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (swapped) sentAfterSwap += 5;
    }
    await swap;
    const results = await Promise.allSettled(answers);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
    const versions = results.map((r) => (r as PromiseFulfilledResult<Prediction>).value.version);
    const firstV2 = versions.indexOf('2');
    expect(firstV2).toBeGreaterThan(0);
    expect(versions.slice(0, firstV2).every((v) => v === '1')).toBe(true);
    expect(versions.slice(firstV2).every((v) => v === '2')).toBe(true);
    expect(model.version).toBe('2');
  });

  it('a failed swap keeps the current version serving', async () => {
    const model = await runtime({ backends: ['cpu'] })
      .model('weather')
      .ready();
    await expect(model.activate('99')).rejects.toMatchObject({ code: 'VERSION_UNAVAILABLE', details: { version: '99', reason: 'no such version' } });
    expect(model.version).toBe('1');
    await expect(model.predict(days[10])).resolves.toMatchObject({ version: '1' });
  });
});

describe('failure handling', () => {
  it('restarts a killed worker and answers every pending call exactly once', async () => {
    const workers: Worker[] = [];
    const rt = runtime({
      backends: ['wasm'],
      createWorker: () => {
        const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
        workers.push(worker);
        return worker;
      },
    });
    const model = await rt.model('weather').ready();
    const reference = await model.predict(days.slice(0, 300));
    const stream: Promise<Prediction>[] = [];
    for (let i = 0; i < 300; i++) {
      stream.push(model.predict(days[i]));
      if (i === 150) workers[0].terminate();
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const results = await Promise.all(stream);
    expect(workers.length).toBe(2);
    results.forEach((p, i) => {
      expect(sameScores(p, reference[i])).toBe(true);
    });
    expect(new Set(results.map((p) => p.predictionId)).size).toBe(300);
    await expect(model.predict(days[0])).resolves.toMatchObject({ version: '1' });
  });

  it('keeps the tensor count stable over 50 load/predict/unload cycles', async () => {
    const rt = runtime({ backends: ['wasm'] });
    const cycle = async () => {
      const model = rt.model('weather');
      await model.predict(days.slice(0, 20));
      await rt.unload('weather');
    };
    await cycle();
    const baseline = (await rt.stats()).numTensors;
    for (let i = 0; i < 50; i++) await cycle();
    expect((await rt.stats()).numTensors).toBe(baseline);
  });

  it('runs on the main thread with the same API when told not to use a worker', async () => {
    const rt = runtime({ worker: false, backends: ['cpu'] });
    const model = await rt.model('weather').ready();
    const prediction = await model.predict(days[42]);
    expect(prediction.version).toBe('1');
    const inWorker = await runtime({ backends: ['cpu'] })
      .model('weather')
      .predict(days[42]);
    expect(sameScores(prediction, inWorker)).toBe(true);
  });
});

describe('WebGPU device loss', () => {
  it('moves to the next backend and keeps answering when the GPU device is lost', async () => {
    let worker: Worker | undefined;
    const rt = runtime({
      backends: ['webgpu', 'wasm'],
      createWorker: () => (worker = new Worker(new URL('./deviceLoss.worker.ts', import.meta.url), { type: 'module' })),
    });
    const model = rt.model('weather');
    const before = await model.predict(days[7]);
    expect(before.backend).toBe('webgpu');
    worker?.postMessage('lose-device');
    const after = await Promise.all(days.slice(0, 20).map((d) => model.predict(d)));
    expect(after).toHaveLength(20);
    expect((after.at(-1) as Prediction).backend).toBe('wasm');
    // Same answers on the new backend as on the GPU before it was lost.
    const reference = await model.predict(days[7]);
    before.scores.forEach((v, i) => {
      expect(Math.abs(v - reference.scores[i])).toBeLessThanOrEqual(1e-4);
    });
    expect(await rt.backend()).toMatchObject({ name: 'wasm', failed: { webgpu: 'device lost' } });
  });
});

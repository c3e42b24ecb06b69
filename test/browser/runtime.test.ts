import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from 'vitest/browser';
import { byYears, WEATHER_LABELS } from '../../src/demo/seattleWeather.ts';
import { EdgewatchError } from '../../src/errors.ts';
import { readWindows } from '../../src/monitor/store/windowStore.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import { rejection } from '../support/rejection.ts';
import { openEdgewatchDB } from '../../src/storage/db.ts';
import { type BackendName, isPredictMessage } from '../../workers/protocol.ts';
import { REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

const runtimes: EdgeRuntime[] = [];
function runtime(backends: readonly BackendName[] | 'auto', dbName = uniqueDbName('rt'), monitoring = true): EdgeRuntime {
  const rt = createEdgeRuntime({ registry: REGISTRY, backends, dbName, flushIntervalMs: 60_000, monitoring });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

// A fixed batch of real 2014 records: the first day of every month, plus the rainiest and hottest days.
const batch2014 = (() => {
  const year = byYears(weather, 2014);
  const firsts = year.filter((r) => r.date.endsWith('-01'));
  const wettest = year.reduce((a, b) => (b.precipitation > a.precipitation ? b : a));
  const hottest = year.reduce((a, b) => (b.temp_max > a.temp_max ? b : a));
  return [...firsts, wettest, hottest].map(withoutLabel);
})();

describe('one prediction end to end', () => {
  it('predicts the same scores on webgpu, wasm and cpu (1e-4)', async () => {
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
      const model = runtime([backend]).model('weather');
      const predictions = await model.predict(batch2014);
      expect(model.backend).toBe(backend);
      expect(predictions).toHaveLength(batch2014.length);
      results[backend] = predictions.map((p) => p.scores);
    }
    for (const backend of ['wasm', 'webgpu'] as const) {
      for (let i = 0; i < batch2014.length; i++) {
        const reference = results.cpu[i];
        const other = results[backend][i];
        expect(other.length).toBe(WEATHER_LABELS.length);
        for (let c = 0; c < reference.length; c++) expect(Math.abs(other[c] - reference[c])).toBeLessThanOrEqual(1e-4);
      }
    }
    // Scores are probabilities: a broken model (all zeros, NaN) must not pass as "equal everywhere".
    for (const scores of results.cpu) expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  // One pipeline: with or without per-feature monitoring, the classes are counted into the version's window.
  it.each([true, false])('counts predicted classes into an IndexedDB window row (monitoring: %s)', async (monitoring) => {
    const dbName = uniqueDbName('hist');
    const rt = runtime(['wasm'], dbName, monitoring);
    const model = rt.model('weather');
    const records = byYears(weather, 2014).slice(0, 90).map(withoutLabel);
    // Spread over several requests, partly concurrent, to go through batching.
    const first = await Promise.all(records.slice(0, 50).map((r) => model.predict(r)));
    const rest = await model.predict(records.slice(50));
    const expected = new Array(WEATHER_LABELS.length).fill(0);
    for (const p of [...first, ...rest]) expected[WEATHER_LABELS.indexOf(p.label as (typeof WEATHER_LABELS)[number])]++;
    await rt.flush();
    const db = await openEdgewatchDB(dbName);
    const rows = await readWindows(db, 'weather', model.version as string);
    db.close();
    expect(rows).toHaveLength(1);
    const stored = rows[0].window.outputs;
    if (stored.kind !== 'classification') throw new Error('classification expected');
    expect(stored.classes.categories).toEqual([...WEATHER_LABELS]);
    expect(stored.classes.counts).toEqual(expected);
    expect(rows[0].window.predictions).toBe(90);
    // the summary reads the same counts; without per-feature monitoring it holds no feature sketches
    const summary = await model.driftSummary();
    if (summary?.window.outputs.kind !== 'classification') throw new Error('classification expected');
    expect(summary.window.outputs.classes.counts).toEqual(expected);
    expect(summary.predictions).toBe(90);
    expect(Object.keys(summary.window.features).length > 0).toBe(monitoring);
  });

  it('computes bit-identical features in the worker and in Node', async () => {
    const rt = runtime(['cpu']);
    const model = rt.model('weather');
    await model.ready();
    const { manifest } = await rt.manifest();
    const spec = manifest.models.weather.versions[model.version as string].features;
    const records = weather.map(withoutLabel);
    const inWorker = await model.features(records);
    const inNode = await commands.nodeFeatures(spec, records);
    expect(inWorker.length).toBe(inNode.length);
    expect(inWorker.length).toBe(records.length * 6);
    const mismatches = inNode.filter((v, i) => !Object.is(v, inWorker[i])).length;
    expect(mismatches).toBe(0);
  });

  it('rejects a bad record with INPUT_INVALID naming the field, and keeps serving', async () => {
    const model = runtime(['cpu']).model('weather');
    const good = withoutLabel(weather[800]);
    const results = await Promise.allSettled([
      model.predict(good),
      model.predict({ ...good, temp_max: 'hot' }),
      model.predict({ ...good, precipitation: undefined }),
      model.predict(good),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const [, typeError, missing] = results as PromiseRejectedResult[];
    expect(typeError.reason).toBeInstanceOf(EdgewatchError);
    expect(typeError.reason.code).toBe('INPUT_INVALID');
    expect(typeError.reason.details.field).toBe('temp_max');
    expect(typeError.reason.details.row).toBe(0);
    // Renumbered within its own request (it was row 1 of the batch), message and details alike.
    expect(typeError.reason.message).toMatch(/^Input "temp_max" of record 0: /);
    expect(missing.reason.details.row).toBe(0);
    expect(missing.reason.message).toMatch(/^Input "precipitation" of record 0: /);
    expect(missing.reason.details.field).toBe('precipitation');
    await expect(model.predict(good)).resolves.toMatchObject({ version: '1' });
  });
});

describe('page listeners', () => {
  const watched = ['visibilitychange', 'pagehide', 'online'];
  type Seen = { target: string; type: string; listener: unknown };
  function spyListeners() {
    const added: Seen[] = [];
    const removed: Seen[] = [];
    for (const [name, target] of [
      ['document', document],
      ['window', window],
    ] as const) {
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      vi.spyOn(target, 'addEventListener').mockImplementation((type: string, listener: any, options?: any) => {
        if (watched.includes(type)) added.push({ target: name, type, listener });
        add(type, listener, options);
      });
      vi.spyOn(target, 'removeEventListener').mockImplementation((type: string, listener: any, options?: any) => {
        if (watched.includes(type)) removed.push({ target: name, type, listener });
        remove(type, listener, options);
      });
    }
    return { added, removed };
  }
  afterEach(() => vi.restoreAllMocks());

  it('adds none before a model is used, its listeners on first predict(), and removes them on dispose()', async () => {
    const { added, removed } = spyListeners();
    const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['cpu'], dbName: uniqueDbName('listen'), flushIntervalMs: 60_000 });
    const model = rt.model('weather');
    expect(added).toEqual([]);
    await model.predict(withoutLabel(weather[5]));
    expect(added.map((a) => `${a.target}:${a.type}`).sort()).toEqual(['document:visibilitychange', 'window:online', 'window:pagehide']);
    await rt.dispose();
    expect(removed).toHaveLength(added.length);
    for (const a of added) expect(removed).toContainEqual(a);
  });
});

describe('worker lifecycle', () => {
  /** A runtime whose workers record what the runtime does to them. */
  function watchedRuntime(options: Partial<EdgeRuntimeOptions> = {}) {
    const workers: { worker: Worker; released: number; terminated: number; predicts: number; listeners: Set<unknown> }[] = [];
    const watched = createEdgeRuntime({
      registry: REGISTRY,
      backends: ['wasm'],
      dbName: uniqueDbName('life'),
      flushIntervalMs: 60_000,
      ...options,
      createWorker: () => {
        const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
        const record = { worker, released: 0, terminated: 0, predicts: 0, listeners: new Set<unknown>() };
        const post = worker.postMessage.bind(worker) as (message: unknown, transfer?: Transferable[]) => void;
        worker.postMessage = ((message: unknown, transfer?: Transferable[]) => {
          if ((message as { type?: string } | null)?.type === 'RELEASE') record.released++;
          if (isPredictMessage(message)) record.predicts++;
          post(message, transfer);
        }) as Worker['postMessage'];
        // The message listeners on the worker (comlink's and the predict client's).
        const add = worker.addEventListener.bind(worker);
        const remove = worker.removeEventListener.bind(worker);
        worker.addEventListener = ((type: string, listener: unknown, options?: unknown) => {
          if (type === 'message') record.listeners.add(listener);
          add(type, listener as EventListener, options as AddEventListenerOptions);
        }) as Worker['addEventListener'];
        worker.removeEventListener = ((type: string, listener: unknown, options?: unknown) => {
          if (type === 'message') record.listeners.delete(listener);
          remove(type, listener as EventListener, options as EventListenerOptions);
        }) as Worker['removeEventListener'];
        const terminate = worker.terminate.bind(worker);
        worker.terminate = () => {
          record.terminated++;
          terminate();
        };
        workers.push(record);
        return worker;
      },
    });
    runtimes.push(watched);
    return { rt: watched, workers };
  }
  afterEach(() => vi.restoreAllMocks());

  it('dispose() stops the predict client listening, releases the comlink proxy, terminates the worker; later calls fail with DISPOSED', async () => {
    const { rt, workers } = watchedRuntime();
    const model = rt.model('weather');
    await model.predict(withoutLabel(weather[5]));
    // predict travelled on the worker's own channel (tagged), beside comlink's listener: two listeners
    expect(workers[0].predicts).toBe(1);
    expect(workers[0].listeners.size).toBe(2);
    await rt.dispose();
    expect(workers[0].listeners.size).toBe(1); // comlink's, gone with the terminated worker
    expect(workers).toHaveLength(1);
    expect(workers[0].released).toBe(1);
    expect(workers[0].terminated).toBe(1);
    expect(await rejection(rt.stats())).toMatchObject({ code: 'DISPOSED' });
    expect(await rejection(model.predict(withoutLabel(weather[6])))).toMatchObject({ code: 'DISPOSED' });
  });

  it('a call in flight when the runtime is disposed fails with DISPOSED, not WORKER_CRASHED', async () => {
    const { rt } = watchedRuntime();
    const loading = rejection(rt.model('weather').ready());
    await rt.dispose();
    expect((await loading).code).toBe('DISPOSED');
  });

  it('a dead worker is released and terminated before its replacement serves', async () => {
    const { rt, workers } = watchedRuntime();
    const model = await rt.model('weather').ready();
    workers[0].worker.terminate(); // the kill (counted: 1)
    await expect(model.predict(withoutLabel(weather[5]))).resolves.toMatchObject({ version: '1' });
    expect(workers).toHaveLength(2);
    expect(workers[0].released).toBe(1);
    expect(workers[0].terminated).toBe(2);
    expect(workers[1].released).toBe(0);
  });

  it('past maxRestartsPerMinute, calls in flight fail with WORKER_CRASHED', async () => {
    const { rt, workers } = watchedRuntime({ maxRestartsPerMinute: 0 });
    const model = await rt.model('weather').ready();
    const crashes: string[] = [];
    rt.addEventListener('error', (event) => crashes.push(event.detail.error.code));
    const inFlight = rejection(model.predict(withoutLabel(weather[5])));
    workers[0].worker.terminate();
    expect((await inFlight).code).toBe('WORKER_CRASHED');
    expect(crashes).toEqual(['WORKER_CRASHED']);
  });
});

describe('rollback', () => {
  it('with no earlier version to go back to fails with NO_PREVIOUS_VERSION and keeps serving', async () => {
    const rt = runtime(['cpu']);
    const model = await rt.model('weather').ready();
    expect(await rejection(model.rollback())).toMatchObject({ code: 'NO_PREVIOUS_VERSION', details: { name: 'weather', version: '1' } });
    expect((await rejection(rt.rollback('weather'))).code).toBe('NO_PREVIOUS_VERSION');
    await expect(model.predict(withoutLabel(weather[5]))).resolves.toMatchObject({ version: '1' });
  });
});

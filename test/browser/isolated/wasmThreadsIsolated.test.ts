/**
 * On a cross-origin isolated page (the `browser-isolated` project serves every response with COOP
 * `same-origin` + COEP `require-corp`): threaded wasm really runs, and under `'auto'` its thread counts are
 * measured after the backend trials even when wasm only won them (cpu → wasm), in the one handoff.
 */
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { countedWorkers, disposedAfterEach, handoffThatFails, journal } from '../trialJournal.ts';
import { uniqueDbName, weather, withoutLabel } from '../weatherData.ts';

const { runtime, servers } = disposedAfterEach('isolated');

const days = weather.map(withoutLabel);
/** The counts the worker times (`threadCounts()`: 1…cores, at most 8), from this page's own navigator. */
const counts = Array.from({ length: Math.min(8, navigator.hardwareConcurrency) }, (_, i) => i + 1);

describe('a cross-origin isolated page: threaded wasm', () => {
  it('is isolated, and wasmThreads: 2 starts wasm with two threads, its model served from a cross-origin registry (CORS under COEP)', async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe('function');
    // The registry test server is another origin (127.0.0.1, its own port): COEP lets its CORS answers in.
    const started = await commands.registryStart();
    servers.push(started.id);
    expect(new URL(started.url).origin).not.toBe(location.origin);
    const rt = runtime({ registry: started.url, backends: ['wasm'], wasmThreads: 2 });
    const model = await rt.model('weather').ready();
    expect(await rt.backend()).toMatchObject({ name: 'wasm', threads: 2, chosenBy: 'order' });
    // The pool runs: answers come back from the two-thread backend.
    const answers = await model.predict(days.slice(0, 32));
    expect(answers).toHaveLength(32);
    expect(answers.every((p) => p.backend === 'wasm' && p.scores.every(Number.isFinite))).toBe(true);
  });

  it.skipIf(counts.length < 2)(
    "'auto', cpu → wasm: the thread counts are timed before the handoff, and the new worker starts on the count they pick, in one handoff (skipped on a 1-core device: nothing to time)",
    async () => {
      const dbName = uniqueDbName('handoff-threads');
      const workers = countedWorkers();
      // The weather MLP serves first on cpu; asked to time wasm and take any correct candidate (0): the handoff happens whatever the timings.
      const rt = runtime({ dbName, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
      const seen = journal(rt);
      const model = await rt.model('weather').ready();
      expect(model.backend).toBe('cpu');
      await model.predict(days[0]);
      while (!seen.some((e) => e.type === 'backend-changed')) await model.predict(days.slice(0, 8));
      const trials = seen.filter((e) => e.type === 'backend-trial').map((e) => e.detail ?? {});
      // One event per count beyond one, each against one thread, timed while cpu still served.
      const threadEvents = trials.filter((t) => t.threads !== undefined);
      expect(threadEvents.map((t) => t.threads)).toEqual(counts.slice(1));
      for (const t of threadEvents) {
        expect(t).toMatchObject({ backend: 'wasm', serving: 'cpu', name: 'weather' });
        expect(t.medianMs).toBeGreaterThan(0);
        expect(t.servingMs).toBeGreaterThan(0);
        expect(t.rejected).toBeUndefined();
      }
      // The backend trial came first, then the thread counts, then the one handoff.
      const types = seen.map((e) => (e.type === 'backend-trial' && e.detail?.threads !== undefined ? 'thread-trial' : e.type));
      expect(types.indexOf('thread-trial')).toBeGreaterThan(types.indexOf('backend-trial'));
      expect(types.filter((t) => t === 'backend-changed')).toHaveLength(1);
      expect(types.lastIndexOf('thread-trial')).toBeLessThan(types.indexOf('backend-changed'));

      const info = await rt.backend();
      expect(info).toMatchObject({ name: 'wasm', chosenBy: 'measured' });
      // threadTrials: every count timed, its median as the event said.
      expect(Object.keys(info?.threadTrials ?? {}).map(Number)).toEqual(counts);
      for (const t of threadEvents) expect(info?.threadTrials?.[String(t.threads)]).toBe(t.medianMs);
      // With backendSwapSpeedup 0, pickThreads takes the fastest count on the trial batch (the first on a tie).
      const medians = Object.entries(info?.threadTrials ?? {}).map(([n, ms]) => [Number(n), ms] as const);
      const fastest = medians.reduce((best, next) => (next[1] < best[1] ? next : best))[0];
      // What the new worker's pool really started with (getThreadsCount), the count picked.
      expect(info?.threads).toBe(fastest);
      expect(seen.find((e) => e.type === 'backend-changed')?.detail).toMatchObject({ from: 'cpu', to: 'wasm', info: { name: 'wasm', threads: fastest } });
      await expect(model.predict(days[1])).resolves.toMatchObject({ backend: 'wasm' });
      // One handoff: the serving worker and the one handed over to, the first retired; no second swap for the threads.
      await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(1);
      expect(workers.created).toBe(2);

      // Remembered with the count, and used on the next start: no trial of either kind.
      const db = await openDB(dbName);
      const rows = await db.getAll('backendChoices');
      db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ backend: 'wasm', threads: fastest });
      await rt.dispose();
      const again = runtime({ dbName, backendTrials: ['wasm'], backendSwapSpeedup: 0 });
      const seenAgain = journal(again);
      await again.model('weather').ready();
      expect(await again.backend()).toMatchObject({ name: 'wasm', chosenBy: 'remembered', threads: fastest });
      expect(Object.keys((await again.backend())?.threadTrials ?? {}).map(Number)).toEqual(counts);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seenAgain.filter((e) => e.type === 'backend-trial')).toEqual([]);
    },
  );

  it.skipIf(counts.length < 2)(
    'a cpu → wasm handoff that fails after the thread trials: cpu keeps serving, and is remembered without a thread count (skipped on a 1-core device)',
    async () => {
      const dbName = uniqueDbName('handoff-threads-fail');
      const { rt, seen, model } = await handoffThatFails(runtime, dbName);
      const trials = seen.filter((e) => e.type === 'backend-trial').map((e) => e.detail ?? {});
      expect(trials.filter((t) => t.threads !== undefined && t.rejected === undefined).map((t) => t.threads)).toEqual(counts.slice(1));
      expect(trials.find((t) => typeof t.rejected === 'string' && /^handoff to wasm failed/.test(t.rejected))).toMatchObject({
        backend: 'wasm',
        serving: 'cpu',
      });
      expect(seen.some((e) => e.type === 'backend-changed')).toBe(false);
      await expect(model.predict(days[2])).resolves.toMatchObject({ backend: 'cpu' });
      const info = await rt.backend();
      expect(info).toMatchObject({ name: 'cpu', chosenBy: 'measured' });
      // cpu runs no thread pool: none reported, none remembered (a count on a cpu row would size nothing, and mislead).
      expect(info?.threads).toBeUndefined();
      const db = await openDB(dbName);
      const rows = await db.getAll('backendChoices');
      db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0].backend).toBe('cpu');
      expect(rows[0].threads).toBeUndefined();
    },
  );
});

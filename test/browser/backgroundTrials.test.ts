import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import type { Prediction } from '../../src/runtime/ModelHandle.ts';
import { REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

const runtimes: EdgeRuntime[] = [];
function runtime(options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  const rt = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName('trials'), flushIntervalMs: 60_000, ...options });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

const days = weather.map(withoutLabel);

/** Every runtime event of interest, in the order the page saw them (`predicted` marks an answer). */
function journal(rt: EdgeRuntime) {
  const seen: { type: string; detail?: Record<string, unknown> }[] = [];
  for (const type of ['activated', 'backend-trial', 'backend-changed'] as const) {
    rt.addEventListener(type, (event) => seen.push({ type, detail: event.detail as unknown as Record<string, unknown> }));
  }
  return seen;
}

async function rememberedRows(dbName: string): Promise<number> {
  const db = await openDB(dbName);
  try {
    return db.objectStoreNames.contains('backendChoices') ? await db.count('backendChoices') : 0;
  } finally {
    db.close();
  }
}

describe("backends: 'auto' answers first and measures in the background", () => {
  it('serves the first prediction on wasm before any trial, then skips what would block (cpu once wasm runs) and remembers', async () => {
    const dbName = uniqueDbName('auto');
    const rt = runtime({ dbName });
    const seen = journal(rt);
    const first = await rt.model('weather').predict(days[0]);
    seen.push({ type: 'predicted' });
    expect(first.backend).toBe('wasm');
    // The trials wait for the first answer: nothing was timed before it.
    expect(seen.map((e) => e.type).slice(0, 2)).toEqual(['activated', 'predicted']);
    await expect.poll(async () => (await rt.backend())?.chosenBy, { timeout: 30_000 }).toBe('measured');
    const trials = seen.filter((e) => e.type === 'backend-trial').map((e) => e.detail);
    // One report per other backend of the order, each against the serving wasm.
    expect(trials.map((t) => t?.backend).sort()).toEqual(['cpu', 'webgl', 'webgpu']);
    expect(trials.every((t) => t?.serving === 'wasm' && t?.name === 'weather')).toBe(true);
    expect(trials.find((t) => t?.backend === 'cpu')?.skipped).toBe('cpu is not timed once wasm runs');
    const info = await rt.backend();
    expect(info?.trials?.cpu?.rejected).toMatch(/^skipped: /);
    expect(await rememberedRows(dbName)).toBe(1);
    await rt.dispose();

    // Second start: the remembered decision, no trial at all.
    const again = runtime({ dbName });
    const seenAgain = journal(again);
    await again.model('weather').predict(days[1]);
    expect(await again.backend()).toMatchObject({ chosenBy: 'remembered', name: info?.name });
    // Trials would start a task after the first answer; give them far longer than that.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seenAgain.filter((e) => e.type === 'backend-trial')).toEqual([]);
  });

  it('activated reports the real load time: artifacts, backend start and model build', async () => {
    const rt = runtime({ rememberBackend: false });
    const seen = journal(rt);
    const t0 = performance.now();
    await rt.model('weather').ready();
    const wall = performance.now() - t0;
    const activated = seen.find((e) => e.type === 'activated')?.detail as { loadMs: number; warmupMs: number; fetchMs: number; backendMs: number };
    expect(activated.fetchMs).toBeGreaterThan(0);
    expect(activated.backendMs).toBeGreaterThan(0);
    expect(activated.loadMs).toBeGreaterThanOrEqual(activated.fetchMs + activated.backendMs);
    // The worker's parts are within what the page waited (the page also started the worker and read the manifest).
    expect(activated.loadMs + activated.warmupMs).toBeLessThanOrEqual(wall);
  });

  it('hot-swaps to a faster correct backend: every answer from one backend, same scores, events in order, no leaked tensors', async () => {
    const dbName = uniqueDbName('swap');
    // Asked: time cpu, and take any correct candidate (0), so the swap happens whatever the timings.
    const rt = runtime({ dbName, backendTrials: ['cpu'], backendSwapSpeedup: 0 });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    // Before the first answer, so before any trial: the serving model's weights on wasm only.
    const before = (await rt.stats()).numTensors;
    const reference = await model.predict(days.slice(0, 64));
    seen.push({ type: 'predicted' });
    // Callers keep coming while the trial and the swap run.
    const during: Prediction[][] = [];
    while ((await rt.backend())?.chosenBy !== 'measured') {
      during.push(await model.predict(days.slice(0, 64)));
      if (during.length > 2000) throw new Error('trials never finished');
    }
    const after = await model.predict(days.slice(0, 64));
    expect(after[0].backend).toBe('cpu');
    expect(model.backend).toBe('cpu');
    let worst = 0;
    for (const batch of [...during, after]) {
      expect(new Set(batch.map((p) => p.backend)).size).toBe(1);
      for (const [i, p] of batch.entries()) {
        for (const [j, v] of p.scores.entries()) worst = Math.max(worst, Math.abs(v - reference[i].scores[j]));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(seen.map((e) => e.type)).toEqual(['activated', 'predicted', 'backend-trial', 'backend-trial', 'backend-trial', 'backend-changed']);
    const cpuTrial = seen.find((e) => e.type === 'backend-trial' && e.detail?.backend === 'cpu')?.detail;
    expect(cpuTrial).toMatchObject({ serving: 'wasm' });
    expect(cpuTrial?.medianMs).toBeGreaterThan(0);
    expect(cpuTrial?.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    const changed = seen.at(-1)?.detail;
    expect(changed).toMatchObject({ from: 'wasm', to: 'cpu', info: { name: 'cpu' } });
    // The old backend's weights were released: the same model on cpu holds as many tensors as it did on wasm.
    expect((await rt.stats()).numTensors).toBe(before);
    expect(await rt.backend()).toMatchObject({ name: 'cpu', chosenBy: 'measured' });
    await rt.dispose();

    const again = runtime({ dbName, backendTrials: ['cpu'], backendSwapSpeedup: 0 });
    await again.model('weather').ready();
    expect(await again.backend()).toMatchObject({ name: 'cpu', chosenBy: 'remembered' });
  });
});

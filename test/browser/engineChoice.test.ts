import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import type { Prediction } from '../../src/runtime/ModelHandle.ts';
import { REGISTRY as TFJS_REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

/**
 * weather-both (scripts/build-onnx-models.ts): the TF.js weather v1 files, with their ONNX export as the
 * version's alternate. The tests force the outcome of the timing (never asserted): `backendSwapSpeedup: 0`
 * swaps to any correct alternate, `backendTrials: []` times no other TF.js backend (they would only delay it).
 */
const REGISTRY = '/bench/models/onnx/manifest.json';
const FORCED: Partial<EdgeRuntimeOptions> = { backends: 'auto', backendSwapSpeedup: 0, backendTrials: [] };

const runtimes: EdgeRuntime[] = [];
function runtime(options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  const rt = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName('engines'), flushIntervalMs: 60_000, ...FORCED, ...options });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

const days = weather.map(withoutLabel);
const maxDiff = (a: readonly Prediction[], b: readonly Prediction[]) =>
  Math.max(...a.map((p, i) => Math.max(...Array.from(p.scores, (v, c) => Math.abs(v - b[i].scores[c])))));

function journal(rt: EdgeRuntime) {
  const seen: { type: string; detail?: Record<string, unknown> }[] = [];
  for (const type of ['backend-trial', 'backend-changed'] as const) {
    rt.addEventListener(type, (event) => seen.push({ type, detail: event.detail as unknown as Record<string, unknown> }));
  }
  return seen;
}

/** Every day's scores from the TF.js weather v1 (the same files as weather-both's primary), on wasm. */
async function reference(): Promise<Prediction[]> {
  const rt = createEdgeRuntime({ registry: TFJS_REGISTRY, backends: ['wasm'], dbName: uniqueDbName('engines-ref'), flushIntervalMs: 60_000 });
  runtimes.push(rt);
  return rt.model('weather').predict(days);
}

describe("backends: 'auto' across engines, where a version ships in two encodings", () => {
  it('answers first from the primary (TF.js), then switches to the ONNX alternate (backend-changed), answers within 1e-5, remembers', async () => {
    const expected = await reference();
    const dbName = uniqueDbName('engines');
    const rt = runtime({ dbName });
    const seen = journal(rt);
    const model = rt.model('weather-both');
    const first = await model.predict(days[0]);
    seen.push({ type: 'predicted' });
    expect(first.version).toBe('1');
    expect(maxDiff([first], [expected[0]])).toBeLessThanOrEqual(1e-5);
    // The primary served the first answer, before anything was timed.
    expect((await rt.backend())?.engine ?? 'tfjs').toBe('tfjs');
    expect(seen[0].type).toBe('predicted');
    await expect.poll(() => seen.some((e) => e.type === 'backend-changed'), { timeout: 30_000 }).toBe(true);
    const changed = seen.find((e) => e.type === 'backend-changed')?.detail;
    // The TF.js primary served on cpu (a small tabular model's first backend), ORT runs its own wasm.
    expect(changed).toMatchObject({ fromEngine: 'tfjs', toEngine: 'onnxruntime-web', from: 'cpu', to: 'wasm' });
    const trial = seen.find((e) => e.type === 'backend-trial' && e.detail?.engine === 'onnxruntime-web')?.detail;
    expect(trial).toMatchObject({ name: 'weather-both', version: '1', servingEngine: 'tfjs', engine: 'onnxruntime-web' });
    expect(trial?.rejected).toBeUndefined();
    expect(trial?.maxAbsDiff as number).toBeLessThanOrEqual(1e-3);
    // Timed on the batch and on one row (where the engines' per-call costs differ most), both sides.
    for (const key of ['medianMs', 'servingMs', 'singleMs', 'servingSingleMs']) expect(trial?.[key] as number, key).toBeGreaterThan(0);
    expect(changed?.singleSpeedup).toBeCloseTo((trial?.servingSingleMs as number) / (trial?.singleMs as number), 9);
    expect(await rt.backend()).toMatchObject({ engine: 'onnxruntime-web', name: 'wasm', chosenBy: 'measured' });
    // ORT's thread pool: 1 on a page that is not cross-origin isolated (this one), as ORT sizes it.
    expect((await rt.backend())?.threads).toBe(crossOriginIsolated ? expect.any(Number) : 1);
    expect(changed?.info).toMatchObject({ engine: 'onnxruntime-web', threads: (await rt.backend())?.threads });
    // After the swap: every day within 1e-5 of TF.js, same labels.
    const after = await model.predict(days);
    expect(maxDiff(after, expected)).toBeLessThanOrEqual(1e-5);
    expect(after.map((p) => p.label)).toEqual(expected.map((p) => p.label));
    // Remembered once the trials are over.
    await expect
      .poll(async () => {
        const { openDB } = await import('idb');
        const db = await openDB(dbName);
        try {
          return (await db.getAll('backendChoices')).some((row) => row.engine === 'onnxruntime-web' && row.alternate === 0);
        } finally {
          db.close();
        }
      })
      .toBe(true);
    await rt.dispose();

    // Second start: the remembered engine loads at once, nothing is timed.
    const again = runtime({ dbName });
    const seenAgain = journal(again);
    const answers = await again.model('weather-both').predict(days);
    expect(maxDiff(answers, expected)).toBeLessThanOrEqual(1e-5);
    expect(await again.backend()).toMatchObject({ engine: 'onnxruntime-web', chosenBy: 'remembered' });
    // Trials would start a task after the first answer; give them far longer than that.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seenAgain).toEqual([]);
  });

  it('a stored engine choice with an index the version has no alternate for is not used: the engines are timed again', async () => {
    const dbName = uniqueDbName('engines-tampered');
    const first = runtime({ dbName });
    const seenFirst = journal(first);
    await first.model('weather-both').predict(days[0]);
    await expect.poll(() => seenFirst.some((e) => e.type === 'backend-changed'), { timeout: 30_000 }).toBe(true);
    const { openDB } = await import('idb');
    const engineRow = async () => {
      const db = await openDB(dbName);
      try {
        return (await db.getAll('backendChoices')).find((row) => row.alternate !== undefined);
      } finally {
        db.close();
      }
    };
    await expect.poll(engineRow).toBeDefined();
    await first.dispose();
    // Storage is hostile: the row now names alternate 7 of a version that has one alternate.
    const db = await openDB(dbName);
    await db.put('backendChoices', { ...(await db.getAll('backendChoices')).find((row) => row.alternate !== undefined), alternate: 7 });
    db.close();

    const again = runtime({ dbName });
    const seen = journal(again);
    await again.model('weather-both').predict(days[0]);
    // The primary answers first (the TF.js backend itself is remembered from the first start).
    expect((await again.backend())?.engine ?? 'tfjs').toBe('tfjs');
    // Not taken as a decision: the engine trial runs again and (forced) swaps to the ONNX alternate.
    await expect.poll(() => seen.some((e) => e.type === 'backend-changed' && e.detail?.toEngine === 'onnxruntime-web'), { timeout: 30_000 }).toBe(true);
  });

  it('backends as a list serves the version’s own encoding and times no engine', async () => {
    // A list: the version's own encoding, nothing timed.
    const listed = runtime({ backends: ['wasm'] });
    const seen = journal(listed);
    await listed.model('weather-both').predict(days.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen).toEqual([]);
    expect((await listed.backend())?.engine ?? 'tfjs').toBe('tfjs');
  });
});

describe('an ONNX primary with a TF.js alternate', () => {
  it('ORT serves first without TF.js started; the trial starts TF.js, the alternate is swapped in (forced) and answers within 1e-5', async () => {
    const expected = await reference();
    const rt = runtime();
    const seen = journal(rt);
    const model = await rt.model('weather-onnx-both').ready();
    // Loaded and warmed on ORT: TF.js has no backend in this worker yet.
    expect(await rt.stats()).toMatchObject({ backend: null, onnxSessions: 1 });
    expect(await rt.backend()).toMatchObject({ engine: 'onnxruntime-web', name: 'wasm' });
    const first = await model.predict(days[0]);
    expect(maxDiff([first], [expected[0]])).toBeLessThanOrEqual(1e-5);
    await expect.poll(() => seen.some((e) => e.type === 'backend-changed'), { timeout: 30_000 }).toBe(true);
    const trial = seen.find((e) => e.type === 'backend-trial' && e.detail?.engine === 'tfjs')?.detail;
    // TF.js starts on the small tabular model's first backend (firstServingOrder: cpu).
    expect(trial).toMatchObject({ name: 'weather-onnx-both', servingEngine: 'onnxruntime-web', engine: 'tfjs', backend: 'cpu' });
    expect(trial?.rejected).toBeUndefined();
    expect(seen.find((e) => e.type === 'backend-changed')?.detail).toMatchObject({ fromEngine: 'onnxruntime-web', toEngine: 'tfjs', to: 'cpu' });
    expect(await rt.backend()).toMatchObject({ engine: 'tfjs', name: 'cpu', chosenBy: 'measured' });
    const after = await model.predict(days);
    expect(maxDiff(after, expected)).toBeLessThanOrEqual(1e-5);
    expect(after.map((p) => p.label)).toEqual(expected.map((p) => p.label));
    // The ORT session retired once its last batch was read; TF.js serves now.
    await expect.poll(async () => (await rt.stats()).onnxSessions).toBe(0);
    expect((await rt.stats()).backend).toBe('cpu');
  });
});

describe('a tampered alternate', () => {
  it('is refused (INTEGRITY_MISMATCH, reported as a rejected trial) and the primary keeps serving', async () => {
    const expected = await reference();
    const server = await commands.registryStart();
    try {
      const manifest = (await (await fetch(REGISTRY)).json()) as RegistryManifest;
      const entry = manifest.models['weather-both'].versions['1'];
      await commands.registryWrite(server.id, 'manifest.json', JSON.stringify(manifest));
      const paths = [...entry.artifacts, ...(entry.alternates?.[0].artifacts ?? [])].map((a) => a.path);
      for (const path of paths) {
        const bytes = new Uint8Array(await (await fetch(new URL(path, new URL(REGISTRY, location.href)))).arrayBuffer());
        await commands.registryWrite(server.id, path, btoa(String.fromCharCode(...bytes)), 'base64');
      }
      await commands.registryFault(server.id, entry.alternates?.[0].modelPath as string, { tamper: true });
      const rt = runtime({ registry: server.url, cacheArtifacts: false });
      const seen = journal(rt);
      const model = rt.model('weather-both');
      await model.predict(days[0]);
      await expect.poll(() => seen.some((e) => e.detail?.engine === 'onnxruntime-web'), { timeout: 30_000 }).toBe(true);
      const trial = seen.find((e) => e.detail?.engine === 'onnxruntime-web')?.detail;
      expect(trial?.rejected).toMatch(/INTEGRITY_MISMATCH|SHA-256|integrity/i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen.filter((e) => e.type === 'backend-changed')).toEqual([]);
      const answers = await model.predict(days);
      expect(maxDiff(answers, expected)).toBeLessThanOrEqual(1e-5);
      expect((await rt.backend())?.engine ?? 'tfjs').toBe('tfjs');
    } finally {
      await commands.registryStop(server.id);
    }
  });
});

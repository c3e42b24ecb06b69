import { describe, expect, it } from 'vitest';
import { createEdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import type { LoadRequest } from '../../workers/protocol.ts';
import { createWorkerApi } from '../../workers/workerApi.ts';
import { REGISTRY as TFJS_REGISTRY, uniqueDbName } from './weatherData.ts';

const REGISTRY = '/bench/models/onnx/manifest.json';

async function request(registry: string, name: string): Promise<LoadRequest> {
  const manifestUrl = new URL(registry, location.href).href;
  const manifest = (await (await fetch(manifestUrl)).json()) as RegistryManifest;
  return { name, version: '1', manifestUrl, entry: manifest.models[name].versions['1'] };
}

// A measured ORT thread count takes over through a handoff: the runtime starts a worker whose config
// carries `measured.ortThreads`. That worker's API runs on this page here (each test file has its own
// page, so ORT starts fresh); the page is not cross-origin isolated, so ORT runs one thread whatever it
// is given — what is checked is that the measurement is used as measured, and nothing is timed again.
describe('a handoff worker for a measured ORT choice', () => {
  it('starts ORT as measured, reports the medians it was given, and leaves the TF.js choice to its own trials', async () => {
    const api = createWorkerApi();
    const threadTrials = { 1: 24.8, 2: 14.9 };
    await api.configure({
      backends: 'auto',
      dbName: uniqueDbName('ort-handoff'),
      flushIntervalMs: 60_000,
      windowMs: 3_600_000,
      measured: { ortThreads: 2, ortThreadTrials: threadTrials },
    });
    const onnx = await request(REGISTRY, 'weather-onnx');
    await api.load(onnx);
    expect(await api.backend()).toMatchObject({ engine: 'onnxruntime-web', name: 'wasm', chosenBy: 'measured', threadTrials, threads: 1 });
    const golden = onnx.entry.goldens?.[0];
    expect(golden).toBeDefined();
    const answer = await api.predict('weather-onnx', [golden?.record] as never);
    expect(answer.scores.length).toBe(golden?.scores.length);
    for (const [i, score] of answer.scores.entries()) expect(score).toBeCloseTo(golden?.scores[i] as number, 4);
    // No TF.js backend was measured in the worker handed over from: a TF.js model here is served first and measured.
    await api.load(await request(TFJS_REGISTRY, 'weather'));
    expect((await api.backend())?.chosenBy).toBe('measuring');
  });

  it('loads the encoding the old worker’s engine trials chose, and times no engine again (rememberBackend: false)', async () => {
    const api = createWorkerApi();
    const reports: Record<string, unknown>[] = [];
    await api.watchBackend((report) => void reports.push(report as never));
    const trials = { primary: { engine: 'tfjs', medianMs: 0.2 }, alternate0: { engine: 'onnxruntime-web', medianMs: 0.1 } };
    await api.configure({
      backends: 'auto',
      dbName: uniqueDbName('ort-handoff-engine'),
      flushIntervalMs: 60_000,
      windowMs: 3_600_000,
      rememberBackend: false,
      measured: { ortThreads: 1, engines: { 'weather-both': { version: '1', alternate: 0, trials } } },
    });
    const both = await request(REGISTRY, 'weather-both');
    const info = await api.load(both);
    // The ONNX alternate serves from the first call (the old worker's choice), not the TF.js primary.
    expect(info.backend).toBe('wasm');
    expect(await api.backend()).toMatchObject({ engine: 'onnxruntime-web', chosenBy: 'measured', trials });
    const golden = both.entry.goldens?.[0];
    const answer = await api.predict('weather-both', [golden?.record] as never);
    for (const [i, score] of answer.scores.entries()) expect(score).toBeCloseTo(golden?.scores[i] as number, 4);
    // Engine trials would start a task after the first answer: give them far longer than that.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reports).toEqual([]);
  });

  it('an engine choice of another version, or an index the version has no alternate for, is not used: the primary serves, measured anew', async () => {
    for (const choice of [
      { version: '2', alternate: 0 },
      { version: '1', alternate: 3 },
      { version: '1', alternate: 0.5 },
    ]) {
      const api = createWorkerApi();
      await api.configure({
        backends: 'auto',
        backendTrials: [],
        dbName: uniqueDbName('ort-handoff-engine-bad'),
        flushIntervalMs: 60_000,
        windowMs: 3_600_000,
        rememberBackend: false,
        measured: { engines: { 'weather-both': choice } },
      });
      await api.load(await request(REGISTRY, 'weather-both'));
      expect((await api.backend())?.engine ?? 'tfjs', JSON.stringify(choice)).toBe('tfjs');
    }
  });

  it('a stored count that is not a thread count is not used: ORT starts on its own default, unmeasured', async () => {
    const api = createWorkerApi();
    await api.configure({
      backends: 'auto',
      dbName: uniqueDbName('ort-handoff-bad'),
      flushIntervalMs: 60_000,
      windowMs: 3_600_000,
      rememberBackend: false,
      measured: { ortThreads: -3 },
    });
    await api.load(await request(REGISTRY, 'weather-onnx'));
    expect(await api.backend()).toMatchObject({ engine: 'onnxruntime-web', name: 'wasm', chosenBy: 'order' });
  });
});

describe('ORT backend trials under auto', () => {
  it('a handoff worker for ORT’s WebGPU EP starts there, as measured, and answers the goldens', async () => {
    const api = createWorkerApi();
    const trials = { wasm: { medianMs: 20, maxAbsDiff: 0 }, webgpu: { medianMs: 5, maxAbsDiff: 1e-6 } };
    await api.configure({
      backends: 'auto',
      dbName: uniqueDbName('ort-handoff-gpu'),
      flushIntervalMs: 60_000,
      windowMs: 3_600_000,
      measured: { ortBackend: 'webgpu', ortTrials: trials },
    });
    const onnx = await request(REGISTRY, 'weather-onnx');
    await api.load(onnx);
    expect(await api.backend()).toMatchObject({ engine: 'onnxruntime-web', name: 'webgpu', chosenBy: 'measured', trials });
    const golden = onnx.entry.goldens?.[0];
    const answer = await api.predict('weather-onnx', [golden?.record] as never);
    for (const [i, score] of answer.scores.entries()) expect(score).toBeCloseTo(golden?.scores[i] as number, 4);
  });

  it('WebGPU on this software adapter is skipped unless asked', async () => {
    const skipped: Record<string, unknown>[] = [];
    const plain = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName('ort-trials-skip'), backends: 'auto', rememberBackend: false });
    plain.addEventListener('backend-trial', (event) => skipped.push(event.detail as unknown as Record<string, unknown>));
    const onnx = await request(REGISTRY, 'weather-onnx');
    const golden = onnx.entry.goldens?.[0];
    try {
      await plain.model('weather-onnx').predict(golden?.record as never);
      for (let i = 0; i < 100 && !(await plain.backend())?.trials?.webgpu; i++) await new Promise((r) => setTimeout(r, 100));
      // Nothing else to time on this page (not isolated: no thread counts): no event, nothing measured; backend() says why.
      expect(await plain.backend()).toMatchObject({
        engine: 'onnxruntime-web',
        name: 'wasm',
        chosenBy: 'order',
        trials: { webgpu: { rejected: 'skipped: software WebGPU adapter' } },
      });
      expect(skipped).toEqual([]);
    } finally {
      await plain.dispose();
    }
  });

  it('WebGPU asked for is timed in its own worker against wasm, and kept only if faster', { timeout: 240_000 }, async () => {
    const onnx = await request(REGISTRY, 'weather-onnx');
    const golden = onnx.entry.goldens?.[0];
    const seen: { type: string; detail: Record<string, unknown> }[] = [];
    const rt = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName('ort-trials'), backends: 'auto', backendTrials: ['webgpu'] });
    for (const type of ['backend-trial', 'backend-changed'] as const) rt.addEventListener(type, (event) => seen.push({ type, detail: event.detail as never }));
    try {
      await rt.model('weather-onnx').predict(golden?.record as never);
      for (let i = 0; i < 1800 && !(await rt.backend())?.trials?.webgpu; i++) await new Promise((r) => setTimeout(r, 100));
      const trial = seen.find((e) => e.type === 'backend-trial' && e.detail.engine === 'onnxruntime-web' && e.detail.backend === 'webgpu')?.detail;
      expect(trial).toMatchObject({ serving: 'wasm', servingEngine: 'onnxruntime-web' });
      expect(trial?.rejected).toBeUndefined();
      expect(trial?.medianMs as number).toBeGreaterThan(0);
      expect(trial?.singleMs as number).toBeGreaterThan(0);
      expect(trial?.servingMs as number).toBeGreaterThan(0);
      expect(trial?.maxAbsDiff as number).toBeLessThanOrEqual(1e-3);
      // Whatever the timing said (never asserted), what serves is what the events say, and it answers the goldens.
      for (let i = 0; i < 100 && seen.filter((e) => e.type === 'backend-changed').length === 0 && (await rt.backend())?.name !== 'wasm'; i++)
        await new Promise((r) => setTimeout(r, 100));
      const changed = seen.find((e) => e.type === 'backend-changed');
      const info = await rt.backend();
      expect(info).toMatchObject({ engine: 'onnxruntime-web', name: changed ? 'webgpu' : 'wasm', chosenBy: 'measured' });
      const answer = await rt.model('weather-onnx').predict(golden?.record as never);
      for (const [i, score] of answer.scores.entries()) expect(score).toBeCloseTo(golden?.scores[i] as number, 4);
    } finally {
      await rt.dispose();
    }
  });
});

import { describe, expect, it } from 'vitest';
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
describe('a handoff worker for a measured ORT thread count', () => {
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
    answer.scores.forEach((score, i) => expect(score).toBeCloseTo(golden?.scores[i] as number, 4));
    // No TF.js backend was measured in the worker handed over from: a TF.js model here is served first and measured.
    await api.load(await request(TFJS_REGISTRY, 'weather'));
    expect((await api.backend())?.chosenBy).toBe('measuring');
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

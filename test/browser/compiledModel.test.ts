import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { byYears } from '../../src/demo/seattleWeather.ts';
import type { ModelVersion, RegistryManifest } from '../../src/registry/Manifest.ts';
import type { BackendName, LoadRequest, WorkerApi } from '../../workers/protocol.ts';
import { createWorkerApi } from '../../workers/workerApi.ts';
import { uniqueDbName, weather, withoutLabel } from './weatherData.ts';

// `edgewatch publish --compile` run on a registry server's copy of the bundled registry (the CLI in Node),
// then the compiled version served by the worker in Chromium, against the layers v1 it was made from.
const records = byYears(weather, 2014, 2015).map(withoutLabel);
const servers: string[] = [];
afterEach(async () => {
  for (const id of servers.splice(0)) await commands.registryStop(id);
});

async function compiledRegistry(): Promise<{ id: string; url: string; manifest: RegistryManifest }> {
  const { id, url } = await commands.registryStart();
  servers.push(id);
  const before = (await (await fetch(url)).json()) as RegistryManifest;
  const { format: _f, modelPath, artifacts: _a, ...metadata } = before.models.weather.versions['1'];
  const v1Dir = modelPath.slice(0, modelPath.lastIndexOf('/'));
  await commands.registryWrite(id, `${v1Dir}/edgewatch.json`, JSON.stringify(metadata));
  const published = await commands.loopCli(id, [
    'publish',
    `$REGISTRY/${v1Dir}`,
    '--registry',
    '$REGISTRY',
    '--name',
    'weather',
    '--version',
    '3',
    '--compile',
  ]);
  expect(published.code, published.err).toBe(0);
  expect(published.out).toMatch(/compiled to a fused graph model/);
  return { id, url, manifest: (await (await fetch(url)).json()) as RegistryManifest };
}

async function worker(backend: BackendName): Promise<WorkerApi> {
  const api = createWorkerApi();
  await api.configure({ backends: [backend], dbName: uniqueDbName('compiled'), flushIntervalMs: 60_000, windowMs: 3_600_000, cacheName: '' });
  return api;
}

const request = (url: string, version: string, entry: ModelVersion): LoadRequest => ({
  name: 'weather',
  version,
  manifestUrl: new URL(url, location.href).href,
  entry,
});

describe('a compiled (fused graph) version in the worker (real Chromium)', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    it(`serves the compiled weather model on ${backend}: its goldens pass and scores equal the layers v1's within 1e-5`, async () => {
      const { url, manifest } = await compiledRegistry();
      const v3 = manifest.models.weather.versions['3'];
      expect(v3.format).toBe('tfjs-graph');
      const api = await worker(backend);
      // The load runs the golden check on the compiled model: a mismatch would fail it.
      expect((await api.load(request(url, '3', v3))).backend).toBe(backend);
      const fused = await api.predict('weather', records);
      await api.load(request(url, '1', manifest.models.weather.versions['1']));
      const layers = await api.predict('weather', records);
      expect(fused.scores.length).toBe(records.length * 5);
      let max = 0;
      for (let i = 0; i < layers.scores.length; i++) max = Math.max(max, Math.abs(fused.scores[i] - layers.scores[i]));
      expect(max).toBeLessThanOrEqual(1e-5);
    });

  it('falls back to the original when the compiled model fails to load', async () => {
    const { id, url, manifest } = await compiledRegistry();
    const v3 = manifest.models.weather.versions['3'];
    const dir = v3.modelPath.slice(0, v3.modelPath.lastIndexOf('/'));
    // A compiled model this TF.js cannot run (an op it does not know), its bytes hashed: integrity is fine.
    const json = await (await fetch(new URL(v3.modelPath, new URL(url, location.href)))).json();
    json.modelTopology.node = json.modelTopology.node.map((n: { op: string }) => (n.op === 'Softmax' ? { ...n, op: 'NoSuchOp' } : n));
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    await commands.registryWrite(id, `${dir}/model.bad.json`, JSON.stringify(json));
    const sha256 = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const broken: ModelVersion = {
      ...v3,
      modelPath: `${dir}/model.bad.json`,
      artifacts: [{ path: `${dir}/model.bad.json`, sha256, bytes: bytes.byteLength }, ...v3.artifacts.slice(1)],
    };
    const api = await worker('cpu');
    await commands.registryLog(id, true);
    await api.load(request(url, '3', broken));
    const fetched = (await commands.registryLog(id)).map((e: { path: string }) => e.path.split('/').pop());
    expect(fetched).toEqual(expect.arrayContaining(['model.bad.json', 'model.json', 'weights.bin']));
    const served = await api.predict('weather', records.slice(0, 10));
    expect(served.version).toBe('3');
    expect(served.scores.length).toBe(50);
    // Without a fallback the same failure is the load's error.
    const { fallback: _fb, ...alone } = broken;
    await expect((await worker('cpu')).load(request(url, '3', alone))).rejects.toThrow(/NoSuchOp/);
  });
});

import type { IDBPDatabase } from 'idb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelVersion } from '../../../src/registry/Manifest.ts';
import type { EdgewatchDB } from '../../../src/storage/db.ts';
import { ortChoiceFor, ortChoiceKey } from '../../../workers/ortTrials.ts';
import type { LoadRequest, WorkerConfig } from '../../../workers/protocol.ts';

const request = { name: 'w', version: '3', manifestUrl: 'https://x/manifest.json', entry: { format: 'onnx' } as ModelVersion } as LoadRequest;
const base: WorkerConfig = { backends: 'auto', dbName: 'db', flushIntervalMs: 1000, windowMs: 60_000 };

/** A database whose backendChoices store holds `rows` by key; `asked` records the keys read. */
function database(rows: Record<string, unknown>, asked: string[] = []) {
  return async () =>
    ({
      get: async (store: string, key: string) => {
        expect(store).toBe('backendChoices');
        asked.push(key);
        return rows[key];
      },
    }) as unknown as IDBPDatabase<EdgewatchDB>;
}

describe("ORT's backend and thread count at its start", () => {
  // The device part of the key reads the worker's navigator (absent in this Node).
  beforeAll(() => vi.stubGlobal('navigator', { userAgent: 'unit', hardwareConcurrency: 2 }));
  afterAll(() => vi.unstubAllGlobals());

  it('a configured number wins; under auto the remembered row of this version and device; else ORT’s default (undefined)', async () => {
    const key = await ortChoiceKey(request, base);
    expect(key.startsWith('w@3|')).toBe(true);
    expect(key.endsWith('|ort')).toBe(true);
    const asked: string[] = [];
    const rows = database({ [key]: { key, backend: 'wasm', threads: 2, trials: {}, measuredAt: 1 } }, asked);
    expect(await ortChoiceFor(request, base, rows)).toEqual({ backend: 'wasm', threads: 2 });
    expect(asked).toEqual([key]);
    expect(await ortChoiceFor(request, { ...base, wasmThreads: 3 }, rows)).toEqual({ threads: 3 });
    expect(await ortChoiceFor(request, { ...base, wasmThreads: 'auto' }, rows)).toEqual({ backend: 'wasm', threads: 2 });
    // Not remembered, or not measured: ORT's own default.
    expect(await ortChoiceFor(request, { ...base, rememberBackend: false }, rows)).toEqual({});
    expect(await ortChoiceFor(request, { ...base, backends: ['wasm'] }, rows)).toEqual({});
    expect(await ortChoiceFor({ ...request, version: '4' }, base, rows)).toEqual({});
    // WebGPU remembered: no thread count goes with it.
    expect(await ortChoiceFor(request, base, database({ [key]: { key, backend: 'webgpu', threads: 2 } }))).toEqual({ backend: 'webgpu' });
  });

  it('a stored row that is not a thread count, or a database that fails, is ORT’s default', async () => {
    const key = await ortChoiceKey(request, base);
    // A backend ORT does not run is no choice either.
    for (const backend of ['webgl', 'cpu', 42, undefined])
      expect(await ortChoiceFor(request, base, database({ [key]: { key, backend, threads: 1 } }))).toEqual({});
    // 3 and a million: more threads than this device's 2 cores, a tampered row.
    for (const threads of [0, -1, 1.5, '2', null, Number.NaN, 3, 1_000_000]) {
      expect(await ortChoiceFor(request, base, database({ [key]: { key, backend: 'wasm', threads } }))).toEqual({});
    }
    const failing = async () => {
      throw new Error('storage gone');
    };
    expect(await ortChoiceFor(request, base, failing as never)).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import { createEdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { threadCounts } from '../../workers/threadTrials.ts';
import { configureWasmThreads, wasmThreadsPossible, withWasmThreads } from '../../workers/wasmThreads.ts';
import { REGISTRY, uniqueDbName } from './weatherData.ts';

describe('wasm threads: the one lever (navigator.hardwareConcurrency as tfjs-backend-wasm starts)', () => {
  it('presents 2 × threads cores during the start only, and the real value again after, even when the start fails', async () => {
    const real = navigator.hardwareConcurrency;
    configureWasmThreads(3);
    expect(await withWasmThreads(async () => navigator.hardwareConcurrency)).toBe(6);
    expect(navigator.hardwareConcurrency).toBe(real);
    await expect(
      withWasmThreads(async () => {
        throw new Error('start failed');
      }),
    ).rejects.toThrow('start failed');
    expect(navigator.hardwareConcurrency).toBe(real);
    // Not a count: the library's default, nothing presented.
    configureWasmThreads(0);
    expect(await withWasmThreads(async () => navigator.hardwareConcurrency)).toBe(real);
  });

  it('this page is not cross-origin isolated: one thread, reported in backend(), and no thread trials', async () => {
    // test/browser/isolated/ (project browser-isolated: COOP + COEP) and the bench run the isolated case; this suite's pages are not isolated on purpose (cross-origin fixtures).
    expect(globalThis.crossOriginIsolated).toBe(false);
    expect(wasmThreadsPossible()).toBe(false);
    expect(threadCounts()).toEqual([]);
    const rt = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName('threads'), backends: ['wasm'], wasmThreads: 2 });
    try {
      await rt.model('weather').ready();
      expect(await rt.backend()).toMatchObject({ name: 'wasm', threads: 1 });
    } finally {
      await rt.dispose();
    }
  });
});

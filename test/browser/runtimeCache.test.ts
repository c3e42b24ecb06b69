import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { createEdgeRuntime, type EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import type { EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntimeOptions.ts';
import { REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

const runtimes: EdgeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
});

/** The bytes the manifest declares for weather@1: what the cache must hold once it served. */
async function declaredBytes(version: string): Promise<number> {
  const manifest = (await (await fetch(REGISTRY)).json()) as RegistryManifest;
  return manifest.models.weather.versions[version].artifacts.reduce((sum, a) => sum + a.bytes, 0);
}

/** Starts a runtime, serves weather once; resolves with the runtime and the bytes its activation downloaded. */
async function serve(options: Partial<EdgeRuntimeOptions> & { dbName: string }) {
  const rt = createEdgeRuntime({ registry: REGISTRY, backends: ['wasm', 'cpu'], ...options });
  runtimes.push(rt);
  const activated = new Promise<number>((resolve) => rt.addEventListener('activated', (e) => resolve(e.detail.downloadedBytes ?? -1), { once: true }));
  const p = await rt.model('weather').predict(withoutLabel(weather[0]));
  expect(p.version).toBe('1');
  return { rt, downloaded: await activated };
}

describe('runtime.cache: the verified-artifact cache, listed and managed by the app', () => {
  it('lists what served, reports its usage, deletes one version and clears; serving goes on from memory', async () => {
    const dbName = uniqueDbName('cache');
    const bytes = await declaredBytes('1');
    const { rt, downloaded } = await serve({ dbName });
    expect(downloaded).toBe(bytes);
    const listed = await rt.cache.list();
    expect(listed.map(({ name, version, bytes: b, serving }) => ({ name, version, bytes: b, serving }))).toEqual([
      { name: 'weather', version: '1', bytes, serving: true },
    ]);
    const usage = await rt.cache.usage();
    expect(usage.versions).toBe(1);
    expect(usage.bytes).toBe(bytes);
    expect(usage.originQuota).toBeGreaterThan(0);

    expect(await rt.cache.delete('weather', '1')).toBe(bytes);
    expect(await rt.cache.delete('weather', '1')).toBe(0);
    expect(await rt.cache.list()).toEqual([]);
    // The worker still holds the verified model: the same runtime keeps answering.
    expect((await rt.model('weather').predict(withoutLabel(weather[1]))).version).toBe('1');
    await rt.dispose();

    // A new start has nothing cached: it downloads (and verifies) again, and caches again.
    const again = await serve({ dbName });
    expect(again.downloaded).toBe(bytes);
    expect((await again.rt.cache.list()).map((v) => v.version)).toEqual(['1']);
    expect(await again.rt.cache.clear()).toBe(bytes);
    expect(await again.rt.cache.list()).toEqual([]);
    expect(await caches.has(`${dbName}-artifacts`)).toBe(false);
  });

  it('cacheArtifacts: false keeps artifacts in memory only: nothing stored, every start downloads', async () => {
    const dbName = uniqueDbName('nocache');
    const bytes = await declaredBytes('1');
    const first = await serve({ dbName, cacheArtifacts: false });
    expect(first.downloaded).toBe(bytes);
    expect(await first.rt.cache.list()).toEqual([]);
    expect(await caches.has(`${dbName}-artifacts`)).toBe(false);
    await first.rt.dispose();
    const second = await serve({ dbName, cacheArtifacts: false });
    expect(second.downloaded).toBe(bytes);
    // With caching on (the default), the next start of the same database is served from the cache.
    await second.rt.dispose();
    const cached = await serve({ dbName });
    expect(cached.downloaded).toBe(bytes);
    await cached.rt.dispose();
    const fromCache = await serve({ dbName });
    expect(fromCache.downloaded).toBe(0);
  });
});

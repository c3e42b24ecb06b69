import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactCache } from '../../src/models/ArtifactCache.ts';
import { openEdgewatchDB } from '../../src/storage/db.ts';
import { uniqueDbName } from './weatherData.ts';

const originalPut = Cache.prototype.put;
afterEach(() => {
  Cache.prototype.put = originalPut;
});

function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

async function freshCache() {
  const dbName = uniqueDbName('cache');
  const cache = new ArtifactCache(`${dbName}-artifacts`, () => openEdgewatchDB(dbName));
  const put = async (model: string, version: string, size = 100) => {
    const url = `${location.origin}/artifacts/${model}/${version}.bin`;
    await cache.put(url, new Uint8Array(size).fill(Number(version)), 'x'.repeat(64), new Set([`${model}@${version}`]));
    await cache.touch(model, version, [url], size);
    await new Promise((resolve) => setTimeout(resolve, 2)); // distinct usedAt
    return url;
  };
  return { cache, put };
}

describe('ArtifactCache (Cache Storage + IndexedDB index)', () => {
  it('keeps the active and the previous version of each model and evicts older ones', async () => {
    const { cache, put } = await freshCache();
    const v1 = await put('weather', '1');
    await put('weather', '2');
    await put('weather', '3');
    await put('other', '1');
    const freed = await cache.evict(new Set(['weather@3']));
    expect(freed).toBe(100);
    expect((await cache.versions()).map((v) => `${v.model}@${v.version}`).sort()).toEqual(['other@1', 'weather@2', 'weather@3']);
    expect(await cache.get(v1)).toBeUndefined();
  });

  it('on QuotaExceededError evicts older versions (never the protected one) and retries', async () => {
    const { cache, put } = await freshCache();
    for (const v of ['1', '2', '3']) await put('weather', v);
    let failures = 1;
    Cache.prototype.put = function (this: Cache, ...args: Parameters<Cache['put']>) {
      if (failures-- > 0) return Promise.reject(quotaError());
      return originalPut.apply(this, args);
    };
    const url = `${location.origin}/artifacts/weather/4.bin`;
    await cache.put(url, new Uint8Array(10), 'y'.repeat(64), new Set(['weather@3']));
    expect(await cache.get(url)).toHaveLength(10);
    // Eviction under pressure keeps only what is protected.
    expect((await cache.versions()).map((v) => v.version)).toEqual(['3']);
  });

  it('still full after evicting → QUOTA_EXCEEDED, and the protected version is untouched', async () => {
    const { cache, put } = await freshCache();
    const active = await put('weather', '1');
    Cache.prototype.put = () => Promise.reject(quotaError());
    await expect(cache.put(`${location.origin}/artifacts/weather/9.bin`, new Uint8Array(10), 'z'.repeat(64), new Set(['weather@1']))).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    Cache.prototype.put = originalPut;
    expect(await cache.get(active)).toHaveLength(100);
  });
});

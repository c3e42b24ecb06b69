import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { versionKey } from '../registry/versionKey.ts';
import type { EdgewatchDB } from '../storage/db.ts';

import { isQuotaError } from '../storage/storageError.ts';

export { isQuotaError };

/**
 * Verified model artifacts in Cache Storage, with an IndexedDB index of which versions they belong to.
 *
 * Cache Storage rather than IndexedDB: it stores Responses as streams without copying into JS, a
 * service worker can answer from the very same entries, and browsers account and evict it as a unit.
 * Only bytes whose SHA-256 matched the manifest are ever put here, so a half-finished or tampered
 * download is never cached; entries are re-verified when read.
 *
 * Per model, the active and the previous version are kept (the previous one is what a rollback needs);
 * older ones are evicted, and evicted first when storage runs out. The active version is never evicted.
 */
export class ArtifactCache {
  constructor(
    private readonly cacheName: string,
    private readonly db: () => Promise<IDBPDatabase<EdgewatchDB>>,
  ) {}

  /** Where Cache Storage exists (secure contexts, windows and workers). */
  static available(): boolean {
    return typeof caches !== 'undefined';
  }

  /** Cached bytes for `url`, or undefined. */
  async get(url: string): Promise<Uint8Array | undefined> {
    const cache = await caches.open(this.cacheName);
    const response = await cache.match(url);
    return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
  }

  /**
   * Stores verified bytes. On a full disk, evicts versions other than `protect` (oldest use first) and
   * tries again; still full → `QUOTA_EXCEEDED`.
   */
  async put(url: string, bytes: Uint8Array, sha256: string, protect: ReadonlySet<string>): Promise<void> {
    const cache = await caches.open(this.cacheName);
    const store = () =>
      cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream', 'x-edgewatch-sha256': sha256 } }));
    try {
      await store();
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      const freed = await this.evict(protect, 0);
      try {
        if (freed === 0) throw error;
        await store();
      } catch (again) {
        throw new EdgewatchError(
          ErrorCode.QUOTA_EXCEEDED,
          `No room to cache ${url} (${bytes.byteLength} bytes), even after evicting older versions`,
          {
            url,
            bytes: bytes.byteLength,
          },
          { cause: again },
        );
      }
    }
  }

  /** Records that `model@version` is cached and was just used. */
  async touch(model: string, version: string, urls: readonly string[], bytes: number): Promise<void> {
    const db = await this.db();
    const key = versionKey(model, version);
    const existing = await db.get('cachedVersions', key);
    const now = Date.now();
    await db.put('cachedVersions', { key, model, version, urls, bytes, cachedAt: existing?.cachedAt ?? now, usedAt: now });
  }

  /**
   * Keeps the `keep` most recently used versions of each model (2: active + previous) and every version in
   * `protect`; deletes the rest and the artifacts only they use. Returns the bytes freed.
   */
  async evict(protect: ReadonlySet<string>, keep = 2): Promise<number> {
    const db = await this.db();
    const rows = await db.getAll('cachedVersions');
    const byModel = new Map<string, typeof rows>();
    for (const row of rows) byModel.set(row.model, [...(byModel.get(row.model) ?? []), row]);
    const doomed = new Set<string>();
    for (const list of byModel.values()) {
      list.sort((a, b) => b.usedAt - a.usedAt);
      list.forEach((row, i) => {
        if (i >= keep && !protect.has(row.key)) doomed.add(row.key);
      });
    }
    if (doomed.size === 0) return 0;
    const stillUsed = new Set(rows.filter((r) => !doomed.has(r.key)).flatMap((r) => r.urls));
    const cache = await caches.open(this.cacheName);
    let freed = 0;
    for (const row of rows) {
      if (!doomed.has(row.key)) continue;
      for (const url of row.urls) if (!stillUsed.has(url)) await cache.delete(url);
      freed += row.bytes;
      await db.delete('cachedVersions', row.key);
    }
    return freed;
  }

  /**
   * Deletes `model@version` and the artifacts no other cached version uses. Returns the bytes freed
   * (0 when it was not cached). A version loaded in a worker keeps serving from memory.
   */
  async delete(model: string, version: string): Promise<number> {
    const db = await this.db();
    const key = versionKey(model, version);
    const rows = await db.getAll('cachedVersions');
    const row = rows.find((r) => r.key === key);
    if (!row) return 0;
    const stillUsed = new Set(rows.filter((r) => r.key !== key).flatMap((r) => r.urls));
    const cache = await caches.open(this.cacheName);
    for (const url of row.urls) if (!stillUsed.has(url)) await cache.delete(url);
    await db.delete('cachedVersions', key);
    return row.bytes;
  }

  /** Deletes every cached artifact of this cache and its index rows. Returns the bytes freed. */
  async clear(): Promise<number> {
    const db = await this.db();
    const rows = await db.getAll('cachedVersions');
    await caches.delete(this.cacheName);
    await db.clear('cachedVersions');
    return rows.reduce((sum, r) => sum + r.bytes, 0);
  }

  /** Versions currently cached, most recently used first. */
  async versions(): Promise<{ model: string; version: string; bytes: number; usedAt: number }[]> {
    const rows = await (await this.db()).getAll('cachedVersions');
    return rows.sort((a, b) => b.usedAt - a.usedAt).map(({ model, version, bytes, usedAt }) => ({ model, version, bytes, usedAt }));
  }
}

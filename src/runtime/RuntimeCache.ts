import type { IDBPDatabase } from 'idb';
import { ArtifactCache } from '../models/ArtifactCache.ts';
import { versionKey } from '../registry/versionKey.ts';
import type { EdgewatchDB } from '../storage/db.ts';
import { storageError } from '../storage/storageError.ts';

/** One cached model version, as {@link RuntimeCache.list} reports it. */
export interface CachedVersion {
  readonly name: string;
  readonly version: string;
  /** Bytes of its artifacts (artifacts shared with another version count for both). */
  readonly bytes: number;
  /** Last time it was loaded (ms since epoch). */
  readonly usedAt: number;
  /** True while a model handle of this runtime serves it. */
  readonly serving: boolean;
}

/** What the artifact cache holds, as {@link RuntimeCache.usage} reports it. */
export interface CacheUsage {
  readonly versions: number;
  /** Sum of the cached versions' artifact bytes. */
  readonly bytes: number;
  /** The origin's storage use and quota from `navigator.storage.estimate()`, where the browser says. */
  readonly originUsage?: number;
  readonly originQuota?: number;
}

/**
 * The runtime's verified-artifact cache, for apps that show or manage storage ("free up space", "sign
 * out"). It reads the same Cache Storage and IndexedDB index the worker writes, so it works before any
 * model is loaded. Deleting a serving version does not stop it: the worker holds it in memory, and the
 * next start downloads (and verifies) it again. With `cacheArtifacts: false` the cache stays empty.
 */
export class RuntimeCache {
  private readonly cache: ArtifactCache | undefined;

  constructor(
    cacheName: string,
    db: () => Promise<IDBPDatabase<EdgewatchDB>>,
    /** The `name@version` keys the runtime serves now. */
    private readonly serving: () => ReadonlySet<string>,
  ) {
    this.cache = cacheName && ArtifactCache.available() ? new ArtifactCache(cacheName, db) : undefined;
  }

  /** Cached versions, most recently used first. */
  async list(): Promise<CachedVersion[]> {
    if (!this.cache) return [];
    const serving = this.serving();
    const rows = await this.guard(() => (this.cache as ArtifactCache).versions());
    return rows.map(({ model, version, bytes, usedAt }) => ({ name: model, version, bytes, usedAt, serving: serving.has(versionKey(model, version)) }));
  }

  /** How much the cache holds, and the origin's use and quota where the browser reports them. */
  async usage(): Promise<CacheUsage> {
    const versions = await this.list();
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    return {
      versions: versions.length,
      bytes: versions.reduce((sum, v) => sum + v.bytes, 0),
      ...(estimate?.usage !== undefined ? { originUsage: estimate.usage } : {}),
      ...(estimate?.quota !== undefined ? { originQuota: estimate.quota } : {}),
    };
  }

  /** Deletes one cached version (and the artifacts only it uses). Resolves with the bytes freed, 0 if it was not cached. */
  async delete(name: string, version: string): Promise<number> {
    if (!this.cache) return 0;
    return this.guard(() => (this.cache as ArtifactCache).delete(name, version));
  }

  /** Deletes every cached artifact. Resolves with the bytes freed. */
  async clear(): Promise<number> {
    if (!this.cache) return 0;
    return this.guard(() => (this.cache as ArtifactCache).clear());
  }

  /** Storage failures arrive typed (`STORAGE_UNAVAILABLE`, `QUOTA_EXCEEDED`), never as a raw DOMException. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw storageError(error, 'the artifact cache');
    }
  }
}

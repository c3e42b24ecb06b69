import { describe, expect, it } from 'vitest';
import { DB_VERSION, openEdgewatchDB } from '../../src/storage/db.ts';
import { uniqueDbName } from './weatherData.ts';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** A database as release 5 left it, built with the raw API (not our migrations), with one row in each monitoring store. */
async function version5(name: string): Promise<void> {
  const open = indexedDB.open(name, 5);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore('histograms', { keyPath: 'id' }).createIndex('by-model', ['model', 'version']);
    db.createObjectStore('backendChoices', { keyPath: 'key' });
    db.createObjectStore('manifests', { keyPath: 'url' });
    db.createObjectStore('badVersions', { keyPath: 'key' });
    db.createObjectStore('cachedVersions', { keyPath: 'key' }).createIndex('by-model', 'model');
    db.createObjectStore('aggregates', { keyPath: ['entity', 'aggregate', 'start'] }).createIndex('by-start', 'start');
    db.createObjectStore('aggregateEntities', { keyPath: 'entity' }).createIndex('by-lastSeen', 'lastSeen');
    db.createObjectStore('windows', { keyPath: 'id' }).createIndex('by-model', ['model', 'version']);
    db.createObjectStore('exportQueue', { keyPath: 'id', autoIncrement: true });
  };
  const db = await request(open);
  const tx = db.transaction(['histograms', 'windows', 'backendChoices'], 'readwrite');
  tx.objectStore('histograms').put({
    id: 'm@1/prediction/0',
    model: 'm',
    version: '1',
    name: 'prediction',
    windowStart: 0,
    windowMs: 3_600_000,
    bins: ['a', 'b'],
    counts: [3, 4],
    total: 7,
    updatedAt: 1,
  });
  tx.objectStore('windows').put({
    id: 'm@1/hour/0',
    model: 'm',
    version: '1',
    granularity: 'hour',
    start: 0,
    window: { schema: 'edgewatch.window/v1', predictions: 7 },
    updatedAt: 1,
  });
  tx.objectStore('backendChoices').put({ key: 'k', backend: 'wasm', trials: {}, measuredAt: 1 });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

/** The stores of release 7, sorted (written out here, not read from the code under test). */
const STORES = ['aggregateEntities', 'aggregates', 'backendChoices', 'badVersions', 'cachedVersions', 'detectors', 'exportQueue', 'manifests', 'windows'];

describe('openEdgewatchDB migrations (real IndexedDB)', () => {
  it('upgrades a version 5 database to 7: the histograms store goes, detectors comes, every other store and row stays', async () => {
    const name = uniqueDbName('migrate');
    await version5(name);
    const db = await openEdgewatchDB(name);
    try {
      expect(DB_VERSION).toBe(7);
      expect(db.version).toBe(7);
      expect([...db.objectStoreNames].sort()).toEqual(STORES);
      expect(await db.get('windows', 'm@1/hour/0')).toMatchObject({ model: 'm', version: '1', window: { predictions: 7 } });
      expect(await db.getAllFromIndex('windows', 'by-model', ['m', '1'])).toHaveLength(1);
      expect(await db.get('backendChoices', 'k')).toMatchObject({ backend: 'wasm' });
    } finally {
      db.close();
    }
  });

  it('creates a fresh database with the same stores as a migrated one', async () => {
    const db = await openEdgewatchDB(uniqueDbName('fresh'));
    try {
      expect(db.version).toBe(7);
      expect([...db.objectStoreNames].sort()).toEqual(STORES);
    } finally {
      db.close();
    }
  });

  it('a tab of an older release holding the database open: this page is refused at once (typed), not held up, and upgrades once it is gone', async () => {
    const name = uniqueDbName('blocked');
    await version5(name);
    // the older release's tab: a connection at version 5 that does not close when asked to
    const older = await request(indexedDB.open(name, 5));
    // answered on the blocked event, while the tab is still open (before, this waited for the tab to close)
    const refused = await openEdgewatchDB(name).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining('another tab holds version 5 open') });
    older.close();
    const db = await openEdgewatchDB(name);
    try {
      expect(db.version).toBe(7);
      expect(await db.get('windows', 'm@1/hour/0')).toMatchObject({ window: { predictions: 7 } });
    } finally {
      db.close();
    }
  });

  it('a newer release asking to upgrade: this release closes its connection, so the upgrade is not blocked', async () => {
    const name = uniqueDbName('blocking');
    const ours = await openEdgewatchDB(name);
    let blocked = false;
    const open = indexedDB.open(name, DB_VERSION + 1);
    open.onblocked = () => {
      blocked = true;
    };
    const newer = await request(open);
    expect(newer.version).toBe(DB_VERSION + 1);
    expect(blocked).toBe(false);
    newer.close();
    // ours is closed: using it fails (the app's storage errors are typed where it is used)
    expect(() => ours.transaction('windows')).toThrow();
  });
});

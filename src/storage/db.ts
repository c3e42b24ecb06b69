import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { hasIndexedDB } from '../env.ts';

/** Default database name; tests and multi-tenant apps pass their own. */
export const DEFAULT_DB_NAME = 'edgewatch';
/** Current schema version. Bump it and add a step to `migrations` when the schema changes. */
export const DB_VERSION = 7;

/** A measured backend decision, remembered so the next start does not measure again. */
export interface BackendChoiceRow {
  /** `${model}@${version}|${candidates}|${device}` */
  readonly key: string;
  readonly backend: string;
  readonly trials: Readonly<Record<string, unknown>>;
  readonly measuredAt: number;
  /** wasm threads measured fastest (cross-origin isolated pages only); absent: not measured. */
  readonly threads?: number;
  /** An engine choice row (key ending `|engines`): the engine that serves the version. */
  readonly engine?: string;
  /** An engine choice row: which of the version's `alternates` serves (-1: its own encoding). */
  readonly alternate?: number;
}

/** The last manifest that validated (and verified, where keys are pinned): what offline starts use. */
export interface ManifestRow {
  /** Absolute manifest URL. */
  readonly url: string;
  readonly manifest: unknown;
  readonly etag?: string;
  /** SHA-256 of the manifest's canonical JSON: identifies "the same manifest" for bad-version marks. */
  readonly digest: string;
  readonly fetchedAt: number;
  /**
   * Highest manifest `sequence` accepted from this URL, per pinned key set (`keySetId`): the rollback
   * floor. Raised, never lowered, by every runtime of the origin. Absent in rows from before it (floor 0).
   */
  readonly sequences?: Readonly<Record<string, number>>;
}

/** A version rolled back on this device: not served again until the manifest changes. */
export interface BadVersionRow {
  /** `${manifestUrl}|${model}@${version}` */
  readonly key: string;
  readonly manifestDigest: string;
  readonly reason: string;
  readonly at: number;
}

/** A model version whose verified artifacts sit in Cache Storage. */
export interface CachedVersionRow {
  /** `${model}@${version}` */
  readonly key: string;
  readonly model: string;
  readonly version: string;
  readonly urls: readonly string[];
  readonly bytes: number;
  readonly cachedAt: number;
  /** Last time it was loaded; eviction keeps the most recent two per model. */
  readonly usedAt: number;
}

/** One time bucket of one windowed aggregate of one entity (the online feature store). */
export interface AggregateBucketRow {
  readonly entity: string;
  /** The aggregate's storage key: name plus the definition parts that change what a bucket means. */
  readonly aggregate: string;
  /** Bucket start (ms since epoch, UTC), aligned to the aggregate's bucket size. */
  readonly start: number;
  /** Events in the bucket. */
  readonly count: number;
  /** Sum and number of the numeric values seen (for sum and mean). */
  readonly sum: number;
  readonly n: number;
  /** Latest value and its time (for last). */
  readonly last: number | string | null;
  readonly lastAt: number;
  /** FNV-1a hashes of the distinct values seen (for distinct), capped. */
  readonly distinct: readonly number[];
}

/** When an entity of the online store was last written, for least-recently-seen eviction. */
export interface AggregateEntityRow {
  readonly entity: string;
  readonly lastSeen: number;
}

/** Granularity of a monitoring window row: hourly rows are rolled up into daily ones by compaction. */
export type WindowGranularity = 'hour' | 'day';

/**
 * One model version's monitoring window over one time bucket, as stored. Storage keeps `window` opaque:
 * its encoding (and type) belongs to the monitor (`src/monitor/store/windowStore.ts` packs and unpacks
 * it), so this layer depends on nothing above it.
 */
export interface StoredWindowRow {
  /** `${model}@${version}/${granularity}/${start}` */
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly granularity: WindowGranularity;
  /** Bucket start, ms since epoch (UTC), aligned to the bucket length. */
  readonly start: number;
  /** The window in the monitor's stored encoding. */
  readonly window: unknown;
  readonly updatedAt: number;
}

/**
 * One model version's change detectors as last flushed (opaque here, as a window: the monitor's
 * `ConceptDrift.exportState`, checked whole when read back), so their evidence outlives the page.
 */
export interface DetectorStateRow {
  /** `${model}@${version}` */
  readonly key: string;
  readonly model: string;
  readonly version: string;
  readonly state: unknown;
  /** Values the detectors had read (`state.t`): a write with fewer does not replace it (another tab's, an older worker's). */
  readonly values: number;
  readonly updatedAt: number;
}

/** An export waiting for the network (see `src/monitor/export/IndexedDBExportQueue.ts`). */
export interface ExportQueueRow {
  readonly id?: number;
  readonly endpoint: string;
  readonly contentType: string;
  readonly body: string;
  readonly queuedAt: number;
  readonly attempts: number;
}

/** The one IndexedDB schema of Edgewatch. */
export interface EdgewatchDB extends DBSchema {
  backendChoices: {
    key: string;
    value: BackendChoiceRow;
  };
  manifests: { key: string; value: ManifestRow };
  badVersions: { key: string; value: BadVersionRow };
  cachedVersions: { key: string; value: CachedVersionRow; indexes: { 'by-model': string } };
  aggregates: {
    key: [string, string, number];
    value: AggregateBucketRow;
    indexes: { 'by-start': number };
  };
  aggregateEntities: {
    key: string;
    value: AggregateEntityRow;
    indexes: { 'by-lastSeen': number };
  };
  windows: {
    key: string;
    value: StoredWindowRow;
    indexes: { 'by-model': [string, string] };
  };
  exportQueue: {
    key: number;
    value: ExportQueueRow;
  };
  detectors: { key: string; value: DetectorStateRow };
}

/**
 * Ordered schema steps: `migrations[v]` upgrades a database from version v to v + 1. Untyped: earlier
 * steps name stores that the current {@link EdgewatchDB} no longer has.
 */
const migrations: ((db: IDBPDatabase) => void)[] = [
  (db) => {
    // v1's class histograms (dropped again in v6)
    const histograms = db.createObjectStore('histograms', { keyPath: 'id' });
    histograms.createIndex('by-model', ['model', 'version']);
  },
  (db) => {
    db.createObjectStore('backendChoices', { keyPath: 'key' });
  },
  (db) => {
    db.createObjectStore('manifests', { keyPath: 'url' });
    db.createObjectStore('badVersions', { keyPath: 'key' });
    db.createObjectStore('cachedVersions', { keyPath: 'key' }).createIndex('by-model', 'model');
  },
  (db) => {
    // [entity, aggregate, start]: one key range reads an entity's window, another deletes its old buckets.
    db.createObjectStore('aggregates', { keyPath: ['entity', 'aggregate', 'start'] }).createIndex('by-start', 'start');
    db.createObjectStore('aggregateEntities', { keyPath: 'entity' }).createIndex('by-lastSeen', 'lastSeen');
  },
  (db) => {
    const windows = db.createObjectStore('windows', { keyPath: 'id' });
    windows.createIndex('by-model', ['model', 'version']);
    db.createObjectStore('exportQueue', { keyPath: 'id', autoIncrement: true });
  },
  (db) => {
    // One monitoring pipeline: class counts live in the windows. The old hourly class histograms are
    // dropped, not converted: a window row built from one would claim predictions without their health,
    // timings or NaN counts, and (with per-feature monitoring on) the windows already hold those classes.
    // (a database made by other means may lack it: an upgrade that threw would leave this page without storage)
    if (db.objectStoreNames.contains('histograms')) db.deleteObjectStore('histograms');
  },
  (db) => {
    db.createObjectStore('detectors', { keyPath: 'key' });
  },
];

/**
 * Opens (and upgrades) the Edgewatch database. Fails with `STORAGE_UNAVAILABLE` where IndexedDB is
 * missing or refuses to open (private modes, blocked storage), and at once where a tab of an older
 * release holds the database open at an older version (the upgrade would wait until that tab closes:
 * this page goes on without storage instead of hanging). A connection this opens closes itself when a
 * newer release asks to upgrade, so this release never holds a later one up.
 */
export async function openEdgewatchDB(name: string = DEFAULT_DB_NAME): Promise<IDBPDatabase<EdgewatchDB>> {
  if (!hasIndexedDB()) throw new EdgewatchError(ErrorCode.STORAGE_UNAVAILABLE, 'IndexedDB is not available here');
  const unavailable = (why: string, cause?: unknown) =>
    new EdgewatchError(ErrorCode.STORAGE_UNAVAILABLE, `IndexedDB "${name}" could not be opened: ${why}`, { name }, { cause });
  // An open queued behind a blocked upgrade (this page's other thread opened first) gets no `blocked` event of its own.
  const upgrading = await needsUpgrade(name);
  return new Promise((resolve, reject) => {
    let blocked = false;
    const refuse = (why: string) => {
      blocked = true;
      reject(unavailable(why));
    };
    const waitLimit = upgrading
      ? setTimeout(() => refuse(`its upgrade waited ${UPGRADE_WAIT_MS} ms for another tab (an older release) to close it`), UPGRADE_WAIT_MS)
      : undefined;
    openDB<EdgewatchDB>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        clearTimeout(waitLimit);
        for (let v = oldVersion; v < DB_VERSION; v++) migrations[v](db as unknown as IDBPDatabase);
      },
      blocked(current) {
        clearTimeout(waitLimit);
        refuse(`another tab holds version ${current} open (an older release); reload once it is closed`);
      },
      blocking(_current, _next, event) {
        (event.target as IDBDatabase).close();
      },
    }).then(
      // opened after all, once the older tab closed: this call has answered already, so let it go
      (db) => {
        clearTimeout(waitLimit);
        if (blocked) db.close();
        else resolve(db);
      },
      (cause) => {
        clearTimeout(waitLimit);
        reject(unavailable(String(cause), cause));
      },
    );
  });
}

/** How long an open that has to upgrade may wait for other connections before this page goes on without storage. */
const UPGRADE_WAIT_MS = 5_000;

/** True when the database exists at an older version (where `indexedDB.databases` says; false where it cannot). */
async function needsUpgrade(name: string): Promise<boolean> {
  try {
    const found = (await indexedDB.databases?.())?.find((d) => d.name === name);
    return found?.version !== undefined && found.version > 0 && found.version < DB_VERSION;
  } catch {
    return false;
  }
}

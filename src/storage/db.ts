import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { hasIndexedDB } from '../env.ts';
import type { WindowSketchJSON } from '../monitor/WindowSketch.ts';

/** Default database name; tests and multi-tenant apps pass their own. */
export const DEFAULT_DB_NAME = 'edgewatch';
/** Current schema version. Bump it and add a step to `migrations` when the schema changes. */
export const DB_VERSION = 3;

/** A time-bucketed count histogram of one quantity (e.g. the predicted class) of one model version. */
export interface HistogramRow {
  /** `${model}@${version}/${name}/${windowStart}` */
  readonly id: string;
  readonly model: string;
  readonly version: string;
  /** What is counted, e.g. `prediction`. */
  readonly name: string;
  /** Start of the window (ms since epoch, UTC), aligned to `windowMs`. */
  readonly windowStart: number;
  readonly windowMs: number;
  /** Bin labels; `counts[i]` counts `bins[i]`. */
  readonly bins: readonly string[];
  readonly counts: readonly number[];
  readonly total: number;
  readonly updatedAt: number;
}

/** A measured backend decision, remembered so the next start does not measure again. */
export interface BackendChoiceRow {
  /** `${model}@${version}|${candidates}|${device}` */
  readonly key: string;
  readonly backend: string;
  readonly trials: Readonly<Record<string, unknown>>;
  readonly measuredAt: number;
}

/** Granularity of a monitoring window row: hourly rows are rolled up into daily ones by compaction. */
export type WindowGranularity = 'hour' | 'day';

/** One model version's sketches over one time bucket (see `src/monitor/store/windowStore.ts`). */
export interface WindowRow {
  /** `${model}@${version}/${granularity}/${start}` */
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly granularity: WindowGranularity;
  /** Bucket start, ms since epoch (UTC), aligned to the bucket length. */
  readonly start: number;
  readonly window: WindowSketchJSON;
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
  histograms: {
    key: string;
    value: HistogramRow;
    indexes: { 'by-model': [string, string] };
  };
  backendChoices: {
    key: string;
    value: BackendChoiceRow;
  };
  windows: {
    key: string;
    value: WindowRow;
    indexes: { 'by-model': [string, string] };
  };
  exportQueue: {
    key: number;
    value: ExportQueueRow;
  };
}

/** Ordered schema steps: `migrations[v]` upgrades a database from version v to v + 1. */
const migrations: ((db: IDBPDatabase<EdgewatchDB>) => void)[] = [
  (db) => {
    const histograms = db.createObjectStore('histograms', { keyPath: 'id' });
    histograms.createIndex('by-model', ['model', 'version']);
  },
  (db) => {
    db.createObjectStore('backendChoices', { keyPath: 'key' });
  },
  (db) => {
    const windows = db.createObjectStore('windows', { keyPath: 'id' });
    windows.createIndex('by-model', ['model', 'version']);
    db.createObjectStore('exportQueue', { keyPath: 'id', autoIncrement: true });
  },
];

/**
 * Opens (and upgrades) the Edgewatch database. Fails with `STORAGE_UNAVAILABLE` where IndexedDB is
 * missing or refuses to open (private modes, blocked storage).
 */
export async function openEdgewatchDB(name: string = DEFAULT_DB_NAME): Promise<IDBPDatabase<EdgewatchDB>> {
  if (!hasIndexedDB()) throw new EdgewatchError(ErrorCode.STORAGE_UNAVAILABLE, 'IndexedDB is not available here');
  try {
    return await openDB<EdgewatchDB>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        for (let v = oldVersion; v < DB_VERSION; v++) migrations[v](db);
      },
    });
  } catch (cause) {
    throw new EdgewatchError(ErrorCode.STORAGE_UNAVAILABLE, `IndexedDB "${name}" could not be opened: ${String(cause)}`, { name }, { cause });
  }
}

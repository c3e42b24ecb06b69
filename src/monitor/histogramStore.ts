import type { IDBPDatabase, IDBPObjectStore, StoreNames } from 'idb';
import type { EdgewatchDB, HistogramRow } from '../storage/db.ts';

/** One pending increment of a histogram row. */
export interface HistogramDelta {
  readonly model: string;
  readonly version: string;
  readonly name: string;
  readonly windowStart: number;
  readonly windowMs: number;
  readonly bins: readonly string[];
  readonly counts: ArrayLike<number>;
}

/** The row id of a window; stable so every writer increments the same row. */
export function histogramRowId(d: Pick<HistogramDelta, 'model' | 'version' | 'name' | 'windowStart'>): string {
  return `${d.model}@${d.version}/${d.name}/${d.windowStart}`;
}

/**
 * Adds deltas to their rows in ONE readwrite transaction. Read-modify-write inside a single transaction
 * is what makes concurrent writers (two tabs, a worker and a page) lose nothing: IndexedDB runs
 * overlapping readwrite transactions on a store one after another. `relaxed` durability because a
 * monitoring row may lose at most one flush interval, and relaxed commits are ~3× faster.
 */
export async function addToHistograms(db: IDBPDatabase<EdgewatchDB>, deltas: readonly HistogramDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const tx = db.transaction('histograms', 'readwrite', { durability: 'relaxed' });
  const now = Date.now();
  await Promise.all([...deltas.map((delta) => putHistogramDelta(tx.store, delta, now)), tx.done]);
}

/** The histograms store inside some readwrite transaction (its own, or one shared with the windows). */
type HistogramStore = IDBPObjectStore<EdgewatchDB, ArrayLike<StoreNames<EdgewatchDB>>, 'histograms', 'readwrite'>;

/** Adds one delta to its row, read-modify-write inside the caller's transaction. */
export async function putHistogramDelta(store: HistogramStore, delta: HistogramDelta, now: number): Promise<void> {
  const id = histogramRowId(delta);
  const row = await store.get(id);
  const counts = row ? [...row.counts] : new Array<number>(delta.bins.length).fill(0);
  let added = 0;
  for (let i = 0; i < counts.length; i++) {
    counts[i] += delta.counts[i];
    added += delta.counts[i];
  }
  const next: HistogramRow = {
    id,
    model: delta.model,
    version: delta.version,
    name: delta.name,
    windowStart: delta.windowStart,
    windowMs: delta.windowMs,
    bins: delta.bins,
    counts,
    total: (row?.total ?? 0) + added,
    updatedAt: now,
  };
  await store.put(next);
}

/** Every histogram row of one model version, oldest window first. */
export async function readHistograms(db: IDBPDatabase<EdgewatchDB>, model: string, version: string): Promise<HistogramRow[]> {
  const rows = await db.getAllFromIndex('histograms', 'by-model', [model, version]);
  return rows.sort((a, b) => a.windowStart - b.windowStart || a.name.localeCompare(b.name));
}

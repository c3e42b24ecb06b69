import type { IDBPDatabase } from 'idb';
import { versionKey } from '../../registry/versionKey.ts';
import type { TimeRange } from '../../TimeRange.ts';
import type { EdgewatchDB, StoredWindowRow, WindowGranularity } from '../../storage/db.ts';
import { mergeWindows, type WindowSketchJSON } from '../WindowSketch.ts';
import { packWindow, unpackWindow, type PackedWindow } from './packWindow.ts';

/** A stored window row with its window decoded. */
export interface WindowRow extends Omit<StoredWindowRow, 'window'> {
  readonly window: WindowSketchJSON;
}

/** Length of a daily bucket. */
export const DAY_MS = 86_400_000;

/** How long daily rows are kept by default ({@link RetentionPolicy.dailyMs}). */
export const DEFAULT_DAILY_MS = 90 * DAY_MS;

/** How long rows are kept; together they bound storage to O(versions × (hours + days) × bins). */
export interface RetentionPolicy {
  /** Hourly rows older than this are rolled up into their day. Default 48 h. */
  readonly hourlyMs?: number;
  /** Daily rows older than this are deleted, and change-detector states not written for as long. Default 90 days. */
  readonly dailyMs?: number;
}

/** The stable id of a bucket, so every writer merges into the same row. */
export function windowRowId(model: string, version: string, granularity: WindowGranularity, start: number): string {
  return `${versionKey(model, version)}/${granularity}/${start}`;
}

/**
 * Merges window deltas into their hourly rows in ONE readwrite transaction with relaxed durability.
 * Read-modify-write inside one transaction is what lets two tabs (two workers) flush at once and lose
 * nothing: IndexedDB runs overlapping readwrite transactions on a store one after the other. Relaxed,
 * because a monitoring row may lose at most one flush interval, and relaxed commits are ~3× faster.
 */
export async function addWindows(db: IDBPDatabase<EdgewatchDB>, deltas: readonly WindowSketchJSON[], granularity: WindowGranularity = 'hour'): Promise<void> {
  if (deltas.length === 0) return;
  const tx = db.transaction('windows', 'readwrite', { durability: 'relaxed' });
  const windows = tx.store;
  const now = Date.now();
  await Promise.all([
    ...deltas.map(async (delta) => {
      const id = windowRowId(delta.model, delta.version, granularity, delta.start);
      const row = await windows.get(id);
      const window = row ? mergeWindows([unpackRow(row).window, delta]) : delta;
      await windows.put({ id, model: delta.model, version: delta.version, granularity, start: delta.start, window: packWindow(window), updatedAt: now });
    }),
    tx.done,
  ]);
}

/** A stored row with its window decoded. */
export function unpackRow(row: StoredWindowRow): WindowRow {
  // storage keeps the window opaque; what this module wrote there is packed (or, in older rows, plain JSON)
  return { ...row, window: unpackWindow(row.window as PackedWindow | WindowSketchJSON) };
}

/** Rows of one model version (both granularities), oldest first, optionally those overlapping `[from, to)`. */
export async function readWindows(db: IDBPDatabase<EdgewatchDB>, model: string, version: string, range: TimeRange = {}): Promise<WindowRow[]> {
  const rows = (await db.getAllFromIndex('windows', 'by-model', [model, version])).map(unpackRow);
  const from = range.from ?? Number.NEGATIVE_INFINITY;
  const to = range.to ?? Number.POSITIVE_INFINITY;
  return rows.filter((r) => r.window.end > from && r.window.start < to).sort((a, b) => a.start - b.start || a.granularity.localeCompare(b.granularity));
}

/**
 * Compaction and retention in one transaction: hourly rows older than `hourlyMs` are merged into their
 * daily row (sketches merge exactly, so nothing is lost but time resolution) and deleted; daily rows
 * older than `dailyMs` are deleted. Storage is then bounded by the number of buckets, whatever the
 * number of predictions. Returns how many rows were rolled up and deleted.
 */
export async function compactWindows(db: IDBPDatabase<EdgewatchDB>, now: number, policy: RetentionPolicy = {}): Promise<{ rolledUp: number; expired: number }> {
  const hourlyMs = policy.hourlyMs ?? 48 * 3_600_000;
  const dailyMs = policy.dailyMs ?? DEFAULT_DAILY_MS;
  const tx = db.transaction('windows', 'readwrite', { durability: 'relaxed' });
  const rows = (await tx.store.getAll()).map(unpackRow);
  const days = new Map<string, WindowSketchJSON[]>();
  let rolledUp = 0;
  let expired = 0;
  for (const row of rows) {
    if (row.granularity === 'hour' && row.window.end <= now - hourlyMs) {
      const dayStart = Math.floor(row.start / DAY_MS) * DAY_MS;
      const id = windowRowId(row.model, row.version, 'day', dayStart);
      const list = days.get(id) ?? [];
      list.push({ ...row.window, start: Math.min(row.window.start, dayStart), end: Math.max(row.window.end, dayStart + DAY_MS) });
      days.set(id, list);
      await tx.store.delete(row.id);
      rolledUp++;
    } else if (row.granularity === 'day' && row.start + DAY_MS <= now - dailyMs) {
      await tx.store.delete(row.id);
      expired++;
    }
  }
  for (const [id, windows] of days) {
    const stored = await tx.store.get(id);
    const existing = stored && unpackRow(stored);
    const window = mergeWindows(existing ? [existing.window, ...windows] : windows);
    const start = Math.floor(windows[0].start / DAY_MS) * DAY_MS;
    if (start + DAY_MS <= now - dailyMs) {
      if (existing) await tx.store.delete(id);
      expired += windows.length;
      continue;
    }
    await tx.store.put({ id, model: window.model, version: window.version, granularity: 'day', start, window: packWindow(window), updatedAt: now });
  }
  await tx.done;
  return { rolledUp, expired };
}

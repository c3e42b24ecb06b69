import type { IDBPDatabase } from 'idb';
import type { DetectorStateRow, EdgewatchDB } from '../../storage/db.ts';
import { versionKey } from '../../registry/versionKey.ts';
import type { ConceptDriftState } from '../detectors/ConceptDrift.ts';

/**
 * Writes versions' change-detector states in one relaxed readwrite transaction. A state that has read
 * fewer values than the stored one does not replace it: two tabs (or a retiring worker and the one that
 * took over from it) each carry on from what was stored, and the one with more evidence stays. Another
 * tab's newer labels can be lost that way, never counted twice.
 */
export async function writeDetectorStates(
  db: IDBPDatabase<EdgewatchDB>,
  states: readonly {
    readonly model: string;
    readonly version: string;
    readonly state: ConceptDriftState;
    /** Replace the stored row whatever it holds (it did not check out when read). */
    readonly replace?: boolean;
  }[],
): Promise<void> {
  if (states.length === 0) return;
  const tx = db.transaction('detectors', 'readwrite', { durability: 'relaxed' });
  const now = Date.now();
  await Promise.all([
    ...states.map(async ({ model, version, state, replace }) => {
      const key = versionKey(model, version);
      const stored = replace ? undefined : await tx.store.get(key);
      if (stored && storedValues(stored) > state.t) return;
      await tx.store.put({ key, model, version, state, values: state.t, updatedAt: now });
    }),
    tx.done,
  ]);
}

/**
 * The values a stored row's detectors had read, trusted only where the row agrees with its own state (a
 * count equal to `state.t`): a forged or garbled `values` must not hold every later write back.
 */
function storedValues(row: DetectorStateRow): number {
  const t = (row.state as { t?: unknown } | null)?.t;
  return Number.isSafeInteger(row.values) && row.values === t ? row.values : -1;
}

/** The stored change-detector state of one version (unchecked: the caller restores it only if it checks out). */
export async function readDetectorState(db: IDBPDatabase<EdgewatchDB>, model: string, version: string): Promise<unknown> {
  return (await db.get('detectors', versionKey(model, version)))?.state;
}

/**
 * Deletes the rows last written before `olderThan` (ms since epoch): versions whose labels stopped
 * long ago (retired, rolled back), so the store stays O(versions served lately). Returns how many went.
 */
export async function expireDetectorStates(db: IDBPDatabase<EdgewatchDB>, olderThan: number): Promise<number> {
  const tx = db.transaction('detectors', 'readwrite', { durability: 'relaxed' });
  let expired = 0;
  for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
    // a row without a readable time is no row this code wrote: it goes too
    if (!(cursor.value.updatedAt >= olderThan)) {
      await cursor.delete();
      expired++;
    }
  }
  await tx.done;
  return expired;
}

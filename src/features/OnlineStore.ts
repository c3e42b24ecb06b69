import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { openEdgewatchDB, type AggregateBucketRow, type EdgewatchDB } from '../storage/db.ts';
import { resolveAggregate, type AggregateDef, type ResolvedAggregate } from './AggregateDef.ts';
import type { RawRecord } from './FeatureSpec.ts';
import { fnv1a } from './fnv1a.ts';

/** Something that happened to an entity (a prediction for a user, a purchase), with the fields aggregates read. */
export interface AggregateEvent {
  /** Who it happened to: a user id, a device, a session. */
  readonly entity: string;
  /** When (ms since epoch). Default: the store's clock. A time in the future is recorded as now. */
  readonly time?: number;
  /** Fields read by `sum`, `mean`, `last` and `distinct` aggregates. */
  readonly record?: RawRecord;
}

/** Options of {@link OnlineStore.open}. */
export interface OnlineStoreOptions {
  readonly aggregates: readonly AggregateDef[];
  /** IndexedDB database (the Edgewatch schema). */
  readonly dbName?: string;
  /** Entities kept; beyond it the least recently seen are evicted with all their buckets. Default 10 000. */
  readonly maxEntities?: number;
  /** Distinct values remembered per bucket for `distinct` aggregates. Default 1 000. */
  readonly maxDistinctPerBucket?: number;
  /** The clock (ms since epoch). Default `Date.now`. */
  readonly now?: () => number;
}

/** Aggregate values of one entity, by aggregate name: what {@link OnlineStore.enrich} adds to records. */
export type AggregateValues = Record<string, number | string | null>;

type WriteTransaction = IDBPTransaction<EdgewatchDB, ('aggregates' | 'aggregateEntities')[], 'readwrite'>;
type MutableBucket = { -readonly [K in keyof AggregateBucketRow]: AggregateBucketRow[K] } & { distinct: number[] };

const KEY_SEPARATOR = '\u0000';

function inputError(message: string, details: Record<string, unknown>): EdgewatchError {
  return new EdgewatchError(ErrorCode.INPUT_INVALID, message, details);
}

/** Start of the bucket holding `time`. */
function bucketStart(aggregate: ResolvedAggregate, time: number): number {
  return Math.floor(time / aggregate.bucketMs) * aggregate.bucketMs;
}

/** First bucket start inside the window ending at `at`. */
function windowStart(aggregate: ResolvedAggregate, at: number): number {
  return bucketStart(aggregate, at) - (aggregate.buckets - 1) * aggregate.bucketMs;
}

/** Combines an entity's buckets in one window into the aggregate's value. */
function combine(aggregate: ResolvedAggregate, rows: readonly AggregateBucketRow[]): number | string | null {
  switch (aggregate.kind) {
    case 'count':
      return rows.reduce((sum, row) => sum + row.count, 0);
    case 'sum':
      return rows.reduce((sum, row) => sum + row.sum, 0);
    case 'mean': {
      const n = rows.reduce((sum, row) => sum + row.n, 0);
      return n === 0 ? null : rows.reduce((sum, row) => sum + row.sum, 0) / n;
    }
    case 'last': {
      let latest: AggregateBucketRow | undefined;
      for (const row of rows) if (row.last !== null && (!latest || row.lastAt >= latest.lastAt)) latest = row;
      return latest ? latest.last : null;
    }
    case 'distinct': {
      const union = new Set<number>();
      for (const row of rows) for (const h of row.distinct) union.add(h);
      return union.size;
    }
  }
}

/**
 * The on-device online feature store: windowed per-entity aggregates ("predictions for this user in the last
 * hour") kept in IndexedDB as time buckets per entity and aggregate, updated incrementally and summed over
 * the window when read.
 *
 * - Incremental: `record()` reads and rewrites only the buckets its events fall in, in one transaction, so
 *   concurrent tabs and workers never lose an update (IndexedDB serialises overlapping readwrite transactions).
 * - Bounded: each write deletes the entity's buckets that left the window, so an entity holds at most
 *   ⌈window / bucket⌉ buckets per aggregate; beyond `maxEntities` the least recently seen entities are dropped.
 * - Durable: everything lives in IndexedDB, so a reload (or another store instance) sees the same windows.
 * - Model inputs: `enrich()` adds each aggregate's value to records under the aggregate's name.
 */
export class OnlineStore {
  /** The aggregate definitions, with window and bucket sizes resolved. */
  readonly aggregates: readonly ResolvedAggregate[];
  private readonly db: IDBPDatabase<EdgewatchDB>;
  private readonly maxEntities: number;
  private readonly maxDistinct: number;
  private readonly now: () => number;
  private readonly byKey: ReadonlyMap<string, ResolvedAggregate>;

  private constructor(db: IDBPDatabase<EdgewatchDB>, options: OnlineStoreOptions, aggregates: readonly ResolvedAggregate[]) {
    this.db = db;
    this.aggregates = aggregates;
    this.maxEntities = options.maxEntities ?? 10_000;
    this.maxDistinct = options.maxDistinctPerBucket ?? 1_000;
    this.now = options.now ?? Date.now;
    this.byKey = new Map(aggregates.map((a) => [a.key, a]));
  }

  /** Opens the store on the Edgewatch database. Throws `MANIFEST_INVALID` for a bad definition. */
  static async open(options: OnlineStoreOptions): Promise<OnlineStore> {
    const aggregates = options.aggregates.map(resolveAggregate);
    const names = new Set<string>();
    for (const { name } of aggregates) {
      if (names.has(name)) throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `Aggregate "${name}" is defined twice`, { aggregate: name });
      names.add(name);
    }
    if (options.maxEntities !== undefined && !(Number.isInteger(options.maxEntities) && options.maxEntities > 0)) {
      throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, 'maxEntities must be a positive integer', { maxEntities: options.maxEntities });
    }
    return new OnlineStore(await openEdgewatchDB(options.dbName), options, aggregates);
  }

  /** Adds events to every aggregate, in one transaction. Throws `INPUT_INVALID` (writing nothing) for a bad event. */
  async record(events: readonly AggregateEvent[]): Promise<void> {
    const at = this.now();
    const touched = new Map<string, MutableBucket>();
    const updates: [string, number, AggregateEvent][] = [];
    events.forEach((event, row) => {
      if (typeof event?.entity !== 'string' || event.entity === '')
        throw inputError(`Event ${row}: entity is not a non-empty string`, { field: 'entity', row, reason: 'not a non-empty string' });
      const time = Math.min(event.time ?? at, at);
      if (!Number.isFinite(time)) throw inputError(`Event ${row}: time is not a finite number`, { field: 'time', row, reason: 'not a finite number' });
      for (const aggregate of this.aggregates) {
        const value = aggregate.field === undefined ? undefined : event.record?.[aggregate.field];
        if (value !== undefined && value !== null) {
          const numeric = aggregate.kind === 'sum' || aggregate.kind === 'mean';
          const ok = numeric ? typeof value === 'number' && Number.isFinite(value) : ['number', 'string', 'boolean'].includes(typeof value);
          if (!ok) {
            throw inputError(`Event ${row}: "${aggregate.field}" is not ${numeric ? 'a finite number' : 'a number, string or boolean'}`, {
              field: aggregate.field,
              row,
              reason: numeric ? 'not a finite number' : 'not a number, string or boolean',
            });
          }
        }
        const start = bucketStart(aggregate, time);
        const id = [event.entity, aggregate.key, start].join(KEY_SEPARATOR);
        if (!touched.has(id)) {
          touched.set(id, { entity: event.entity, aggregate: aggregate.key, start, count: 0, sum: 0, n: 0, last: null, lastAt: -Infinity, distinct: [] });
        }
        updates.push([id, time, event]);
      }
    });
    if (updates.length === 0) return;

    const tx = this.db.transaction(['aggregates', 'aggregateEntities'], 'readwrite');
    const buckets = tx.objectStore('aggregates');
    const entities = tx.objectStore('aggregateEntities');
    // Read every touched bucket first, then fold the events in memory: one get and one put per bucket.
    await Promise.all(
      [...touched.values()].map(async (fresh) => {
        const stored = await buckets.get([fresh.entity, fresh.aggregate, fresh.start]);
        if (stored) Object.assign(fresh, stored, { distinct: [...stored.distinct] });
      }),
    );
    for (const [id, time, event] of updates) this.fold(touched.get(id) as MutableBucket, time, event);
    const writes: Promise<unknown>[] = [...touched.values()].map((bucket) => buckets.put(bucket));
    const seen = new Set<string>();
    for (const bucket of touched.values()) {
      const pair = bucket.entity + KEY_SEPARATOR + bucket.aggregate;
      if (seen.has(pair)) continue;
      seen.add(pair);
      const aggregate = this.byKey.get(bucket.aggregate) as ResolvedAggregate;
      writes.push(
        buckets.delete(
          IDBKeyRange.bound([bucket.entity, bucket.aggregate, -Infinity], [bucket.entity, bucket.aggregate, windowStart(aggregate, at)], false, true),
        ),
      );
    }
    for (const entity of new Set(events.map((e) => e.entity))) writes.push(entities.put({ entity, lastSeen: at }));
    await Promise.all(writes);
    await this.evictEntities(tx);
    await tx.done;
  }

  /** Folds one event into one bucket. */
  private fold(bucket: MutableBucket, time: number, event: AggregateEvent): void {
    const aggregate = this.byKey.get(bucket.aggregate) as ResolvedAggregate;
    bucket.count++;
    if (aggregate.field === undefined) return;
    const raw = event.record?.[aggregate.field];
    if (raw === undefined || raw === null) return;
    const value = typeof raw === 'boolean' ? Number(raw) : (raw as number | string);
    if (typeof value === 'number') {
      bucket.sum += value;
      bucket.n++;
    }
    if (time >= bucket.lastAt) {
      bucket.last = value;
      bucket.lastAt = time;
    }
    if (aggregate.kind === 'distinct' && bucket.distinct.length < this.maxDistinct) {
      const h = fnv1a(String(value));
      if (!bucket.distinct.includes(h)) bucket.distinct.push(h);
    }
  }

  /** Drops the least recently seen entities beyond the cap, with their buckets. */
  private async evictEntities(tx: WriteTransaction): Promise<number> {
    const entities = tx.objectStore('aggregateEntities');
    const buckets = tx.objectStore('aggregates');
    let excess = (await entities.count()) - this.maxEntities;
    let evicted = 0;
    if (excess <= 0) return 0;
    let cursor = await entities.index('by-lastSeen').openCursor();
    while (cursor && excess > 0) {
      const { entity } = cursor.value;
      await buckets.delete(IDBKeyRange.bound([entity], [entity, []]));
      await cursor.delete();
      excess--;
      evicted++;
      cursor = await cursor.continue();
    }
    return evicted;
  }

  /** Every aggregate of one entity over the windows ending at `at` (default: now). */
  async read(entity: string, at: number = this.now()): Promise<AggregateValues> {
    return (await this.readMany([entity], at)).get(entity) as AggregateValues;
  }

  /** Every aggregate of several entities, in one transaction. */
  async readMany(entities: readonly string[], at: number = this.now()): Promise<Map<string, AggregateValues>> {
    const tx = this.db.transaction('aggregates', 'readonly');
    const store = tx.objectStore('aggregates');
    const result = new Map<string, AggregateValues>();
    await Promise.all(
      [...new Set(entities)].map(async (entity) => {
        const values: AggregateValues = {};
        await Promise.all(
          this.aggregates.map(async (aggregate) => {
            const range = IDBKeyRange.bound([entity, aggregate.key, windowStart(aggregate, at)], [entity, aggregate.key, bucketStart(aggregate, at)]);
            values[aggregate.name] = combine(aggregate, await store.getAll(range));
          }),
        );
        result.set(entity, values);
      }),
    );
    await tx.done;
    return result;
  }

  /**
   * Records with every aggregate of their entity added under the aggregate's name (a new object per record;
   * the app's records are not touched), ready for `predict()`: declare the names as inputs of the feature spec.
   * A record whose `entityField` is missing gets the values of an entity with no events (counts 0, means null).
   */
  async enrich<R extends RawRecord>(records: readonly R[], entityField: string, at: number = this.now()): Promise<(R & AggregateValues)[]> {
    const ids = records.map((record) => {
      const id = record?.[entityField];
      return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
    });
    const values = await this.readMany(ids, at);
    return records.map((record, i) => ({ ...record, ...(values.get(ids[i]) as AggregateValues) }));
  }

  /**
   * Deletes every bucket that has left its window (and buckets of aggregates no longer defined), and evicts
   * entities beyond the cap. `record()` already trims the entities it writes; this sweeps the ones that went quiet.
   */
  async compact(at: number = this.now()): Promise<{ readonly buckets: number; readonly entities: number }> {
    const tx = this.db.transaction(['aggregates', 'aggregateEntities'], 'readwrite');
    const buckets = tx.objectStore('aggregates');
    const latestStart = Math.max(...this.aggregates.map((a) => windowStart(a, at)), -Infinity);
    let deleted = 0;
    let cursor = await buckets.index('by-start').openCursor(IDBKeyRange.upperBound(latestStart, true));
    while (cursor) {
      const aggregate = this.byKey.get(cursor.value.aggregate);
      if (!aggregate || cursor.value.start < windowStart(aggregate, at)) {
        await cursor.delete();
        deleted++;
      }
      cursor = await cursor.continue();
    }
    const entities = await this.evictEntities(tx);
    await tx.done;
    return { buckets: deleted, entities };
  }

  /** Closes the database connection. */
  close(): void {
    this.db.close();
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { EdgewatchError } from '../../src/errors.ts';
import type { AggregateDef } from '../../src/features/AggregateDef.ts';
import { compile } from '../../src/features/compile.ts';
import type { FeatureSpec } from '../../src/features/FeatureSpec.ts';
import { OnlineStore, type OnlineStoreOptions } from '../../src/features/OnlineStore.ts';
import { openEdgewatchDB } from '../../src/storage/db.ts';
import { uniqueDbName } from './weatherData.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0); // a Monday noon, aligned to every bucket size used here

const aggregates: AggregateDef[] = [
  { name: 'predictions_1h', kind: 'count', window: '1h' },
  { name: 'spend_1h', kind: 'sum', field: 'amount', window: '1h' },
  { name: 'avg_amount_1h', kind: 'mean', field: 'amount', window: '1h' },
  { name: 'last_page', kind: 'last', field: 'page', window: '1d' },
  { name: 'pages_1d', kind: 'distinct', field: 'page', window: '1d' },
];

/** A settable clock, so windows slide without waiting. */
function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

const open: OnlineStore[] = [];
async function store(options: Partial<OnlineStoreOptions> & { dbName: string }): Promise<OnlineStore> {
  const s = await OnlineStore.open({ aggregates, ...options });
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  vi.useRealTimers();
});

async function rowCount(dbName: string, name: 'aggregates' | 'aggregateEntities'): Promise<number> {
  const db = await openEdgewatchDB(dbName);
  const n = await db.count(name);
  db.close();
  return n;
}

describe('OnlineStore: windowed per-entity aggregates in IndexedDB (real Chromium)', () => {
  it('count / sum / mean / last / distinct over their windows, per entity', async () => {
    const t = clock();
    const s = await store({ dbName: uniqueDbName('agg'), now: t.now });
    await s.record([
      { entity: 'u1', time: T0 - 90 * MIN, record: { amount: 100, page: 'old' } }, // outside the 1h window, inside 1d
      { entity: 'u1', time: T0 - 30 * MIN, record: { amount: 10, page: 'home' } },
      { entity: 'u1', time: T0 - 5 * MIN, record: { amount: 20, page: 'cart' } },
      { entity: 'u1', time: T0 - 1 * MIN, record: { page: 'home' } }, // no amount: counted, not in sum/mean
      { entity: 'u2', time: T0 - 2 * MIN, record: { amount: 7, page: 'home' } },
    ]);
    expect(await s.read('u1')).toEqual({ predictions_1h: 3, spend_1h: 30, avg_amount_1h: 15, last_page: 'home', pages_1d: 3 });
    expect(await s.read('u2')).toEqual({ predictions_1h: 1, spend_1h: 7, avg_amount_1h: 7, last_page: 'home', pages_1d: 1 });
    expect(await s.read('nobody')).toEqual({ predictions_1h: 0, spend_1h: 0, avg_amount_1h: null, last_page: null, pages_1d: 0 });
  });

  it('the window slides with the clock: events leave it bucket by bucket', async () => {
    const t = clock();
    const s = await store({ dbName: uniqueDbName('slide'), now: t.now });
    await s.record([{ entity: 'u', time: T0 - 59 * MIN }, { entity: 'u', time: T0 - 10 * MIN }, { entity: 'u' }]);
    expect((await s.read('u')).predictions_1h).toBe(3);
    t.t = T0 + 1 * MIN; // the T0-59min bucket is now 60 minutes back: out of the last 60 one-minute buckets
    expect((await s.read('u')).predictions_1h).toBe(2);
    t.t = T0 + 50 * MIN;
    expect((await s.read('u')).predictions_1h).toBe(1);
    t.t = T0 + 60 * MIN;
    expect((await s.read('u')).predictions_1h).toBe(0);
    expect((await s.read('u', T0)).predictions_1h).toBe(3); // reading "as of" a past time
  });

  it('survives a reload: a fresh store instance on the reopened database sees the same windows and keeps counting', async () => {
    const dbName = uniqueDbName('reload');
    const t = clock();
    const first = await store({ dbName, now: t.now });
    await first.record([
      { entity: 'u1', time: T0 - 20 * MIN, record: { amount: 5, page: 'a' } },
      { entity: 'u1', time: T0 - 10 * MIN, record: { amount: 7, page: 'b' } },
    ]);
    const before = await first.read('u1');
    first.close();

    t.t = T0 + 5 * MIN;
    const second = await store({ dbName, now: t.now });
    expect(await second.read('u1')).toEqual(before);
    await second.record([{ entity: 'u1', record: { amount: 3, page: 'a' } }]);
    expect(await second.read('u1')).toEqual({ predictions_1h: 3, spend_1h: 15, avg_amount_1h: 5, last_page: 'a', pages_1d: 2 });
  });

  it('survives its writer going away: events recorded in a worker that is then terminated are read by the page', async () => {
    const dbName = uniqueDbName('realm');
    const worker = new Worker(new URL('./onlineStoreWriter.worker.ts', import.meta.url), { type: 'module' });
    const events = [
      { entity: 'u9', time: T0 - 2 * MIN, record: { amount: 2, page: 'x' } },
      { entity: 'u9', time: T0 - 1 * MIN, record: { amount: 4, page: 'y' } },
    ];
    const inWorker = await new Promise((resolve, reject) => {
      worker.onmessage = (m) => resolve(m.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ dbName, aggregates, now: T0, events });
    });
    worker.terminate();
    const expected = { predictions_1h: 2, spend_1h: 6, avg_amount_1h: 3, last_page: 'y', pages_1d: 2 };
    expect(inWorker).toEqual(expected);
    const page = await store({ dbName, now: () => T0 });
    expect(await page.read('u9')).toEqual(expected);
  });

  it('with fake Date (no injected clock): windows follow the mocked system time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const dbName = uniqueDbName('fake');
    const s = await store({ dbName });
    await s.record([{ entity: 'u', record: { amount: 1 } }]);
    vi.setSystemTime(T0 + 30 * MIN);
    await s.record([{ entity: 'u', record: { amount: 2 } }]);
    expect((await s.read('u')).spend_1h).toBe(3);
    vi.setSystemTime(T0 + 61 * MIN);
    expect((await s.read('u')).spend_1h).toBe(2);
    s.close();
    const reopened = await store({ dbName });
    expect((await reopened.read('u')).spend_1h).toBe(2);
  });

  it('updates are incremental and never lost when two store instances write at once', async () => {
    const dbName = uniqueDbName('concurrent');
    const t = clock();
    const a = await store({ dbName, now: t.now });
    const b = await store({ dbName, now: t.now });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).record([{ entity: 'u', record: { amount: 1 } }])));
    expect(await a.read('u')).toMatchObject({ predictions_1h: 20, spend_1h: 20 });
    // One bucket row per aggregate: the 20 writes all landed in the same minute/hour buckets.
    expect(await rowCount(dbName, 'aggregates')).toBe(aggregates.length);
  });

  it('stays bounded: buckets that left the window are deleted on write and by compact()', async () => {
    const dbName = uniqueDbName('bounded');
    const t = clock();
    const s = await store({ dbName, now: t.now, aggregates: [{ name: 'n', kind: 'count', window: '10m' }] });
    for (let minute = 0; minute < 30; minute++) {
      t.t = T0 + minute * MIN;
      await s.record([{ entity: 'busy' }, { entity: 'quiet' }].slice(0, minute < 5 ? 2 : 1));
    }
    // busy keeps only its last 10 one-minute buckets; quiet's 5 buckets are old but untouched until compact().
    expect(await rowCount(dbName, 'aggregates')).toBe(10 + 5);
    expect((await s.read('busy')).n).toBe(10);
    expect(await s.compact()).toEqual({ buckets: 5, entities: 0 });
    expect(await rowCount(dbName, 'aggregates')).toBe(10);
    expect((await s.read('quiet')).n).toBe(0);
  });

  it('evicts the least recently seen entities beyond maxEntities, with their buckets', async () => {
    const dbName = uniqueDbName('lru');
    const t = clock();
    const s = await store({ dbName, now: t.now, maxEntities: 3, aggregates: [{ name: 'n', kind: 'count', window: '1d' }] });
    for (const [i, entity] of ['a', 'b', 'c', 'a', 'd', 'e'].entries()) {
      t.t = T0 + i * MIN;
      await s.record([{ entity }]);
    }
    // Seen order: b (1), c (2), a (3), d (4), e (5): b and c are the least recently seen.
    expect(await rowCount(dbName, 'aggregateEntities')).toBe(3);
    expect((await s.read('a')).n).toBe(2);
    expect((await s.read('b')).n).toBe(0);
    expect((await s.read('c')).n).toBe(0);
    expect((await s.read('e')).n).toBe(1);
    expect(await rowCount(dbName, 'aggregates')).toBe(3);
  });

  it('feeds model inputs: enrich() adds aggregate values, which a feature spec reads as number inputs', async () => {
    const t = clock();
    const s = await store({ dbName: uniqueDbName('enrich'), now: t.now });
    await s.record([
      { entity: 'u1', time: T0 - 3 * MIN, record: { amount: 4 } },
      { entity: 'u1', time: T0 - 2 * MIN, record: { amount: 8 } },
    ]);
    const records = [
      { user: 'u1', temp: 20 },
      { user: 'u2', temp: 10 },
    ];
    const enriched = await s.enrich(records, 'user');
    expect(records[0]).toEqual({ user: 'u1', temp: 20 }); // the app's records are left alone
    expect(enriched[0]).toMatchObject({ user: 'u1', temp: 20, predictions_1h: 2, spend_1h: 12, avg_amount_1h: 6 });
    const spec: FeatureSpec = {
      schema: 'edgewatch.features/v1',
      inputs: [
        { name: 'temp', type: 'number' },
        { name: 'predictions_1h', type: 'number', min: 0 },
        { name: 'avg_amount_1h', type: 'number', nullable: true },
      ],
      features: [
        { name: 'temp', input: 'temp', steps: [] },
        { name: 'recent', input: 'predictions_1h', steps: [{ op: 'log1p' }] },
        { name: 'avg', input: 'avg_amount_1h', steps: [{ op: 'impute', strategy: 'constant', value: 0 }] },
      ],
    };
    expect(Array.from(compile(spec).transform(enriched))).toEqual([20, Math.fround(Math.log1p(2)), 6, 10, 0, 0]);
  });

  it('rejects bad events with INPUT_INVALID and writes nothing; rejects bad definitions with MANIFEST_INVALID', async () => {
    const dbName = uniqueDbName('invalid');
    const s = await store({ dbName });
    const bad = [
      [{ entity: '' }, 'entity'],
      [{ entity: 'u', time: Number.NaN }, 'time'],
      [{ entity: 'u', record: { amount: '12' } }, 'amount'],
      [{ entity: 'u', record: { page: { id: 1 } } }, 'page'],
    ] as const;
    for (const [event, field] of bad) {
      const error = await s.record([{ entity: 'ok' }, event]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EdgewatchError);
      expect((error as EdgewatchError).code).toBe('INPUT_INVALID');
      expect((error as EdgewatchError).details).toMatchObject({ field, row: 1 });
    }
    expect(await rowCount(dbName, 'aggregates')).toBe(0);
    for (const def of [
      { name: 'x', kind: 'sum', window: '1h' },
      { name: 'x', kind: 'median', window: '1h' },
      { name: 'x', kind: 'count', window: '1 hour' },
      { name: 'x', kind: 'count', window: '5m', bucket: '1h' },
    ]) {
      await expect(OnlineStore.open({ dbName, aggregates: [def as AggregateDef] })).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    }
  });
});

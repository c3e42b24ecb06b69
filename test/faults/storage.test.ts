import { afterEach, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { EdgewatchError } from '../../src/errors.ts';
import { uniqueDbName, weather, withoutLabel } from '../browser/weatherData.ts';
import { rejection } from '../support/rejection.ts';
import { collect, day, runtime, serve } from './harness.ts';

const createWorker = (mode: string) => () => new Worker(new URL('./storageLoss.worker.ts', import.meta.url), { type: 'module', name: mode });
const originalOpen = IDBFactory.prototype.open;
afterEach(async () => {
  IDBFactory.prototype.open = originalOpen;
  await commands.storageQuota(location.origin, null);
});

const STORAGE_CODES = ['STORAGE_UNAVAILABLE', 'QUOTA_EXCEEDED'];

describe('storage loss: the verified model serves from memory, monitoring counts in memory, one typed event says so', () => {
  it('indexedDB.open throws on the page and in the worker', async () => {
    const registry = await serve();
    IDBFactory.prototype.open = () => {
      throw new DOMException('blocked by the test', 'SecurityError');
    };
    const rt = runtime(registry.url, { createWorker: createWorker('no-idb') });
    const errors = collect(rt, 'error');
    const model = rt.model('weather');
    const answers = await Promise.all(weather.slice(0, 6).map((w) => model.predict(withoutLabel(w))));
    expect(answers.every((p) => p.version === '1')).toBe(true);
    expect(errors.map((e) => e.error.code)).toEqual(['STORAGE_UNAVAILABLE']);
    expect(errors[0].error.details.degraded).toEqual(expect.any(String));
    // Counts are kept in the worker's memory: the summary has every prediction.
    expect((await model.driftSummary())?.predictions).toBe(6);
    const flushed = await rejection(rt.flush());
    expect(flushed).toBeInstanceOf(EdgewatchError);
    expect(flushed.code).toBe('STORAGE_UNAVAILABLE');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    expect((await model.driftSummary())?.predictions).toBe(7);
    await expect(rt.dispose()).resolves.toBeUndefined();
  });

  it('a tab of an older release holds the database open at an older version: this page serves without storage (its worker waits out the upgrade limit, 5 s), and says why', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('older-tab');
    // the older release's tab: its connection (version 5) does not close when a newer version asks
    const older = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(dbName, 5);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      // before, the page's and the worker's opens waited for that tab to close: nothing was answered
      const rt = runtime(registry.url, { dbName });
      const errors = collect(rt, 'error');
      const model = rt.model('weather');
      const answers = await Promise.all(weather.slice(0, 6).map((w) => model.predict(withoutLabel(w))));
      expect(answers.every((p) => p.version === '1')).toBe(true);
      expect(errors.map((e) => e.error.code)).toEqual(['STORAGE_UNAVAILABLE']);
      expect(errors[0].error.message).toContain('another tab holds version 5 open');
      expect((await model.driftSummary())?.predictions).toBe(6);
      await rt.dispose();
    } finally {
      older.close();
    }
  });

  it('Cache Storage refuses to open in the worker: the verified download serves from memory; STORAGE_UNAVAILABLE once', async () => {
    const registry = await serve();
    const rt = runtime(registry.url, { createWorker: createWorker('no-caches') });
    const errors = collect(rt, 'error');
    const model = await rt.model('weather').ready();
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    await model.activate('2');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '2' });
    expect(errors.map((e) => e.error.code)).toEqual(['STORAGE_UNAVAILABLE']);
    expect(errors[0].error.details.degraded).toBe('model artifacts');
    await expect(rt.flush()).resolves.toBeUndefined(); // IndexedDB still works
  });

  it('every write refused with QuotaExceededError: the model is not refused; QUOTA_EXCEEDED once; flush() and dispose() never reject raw', async () => {
    const registry = await serve();
    const rt = runtime(registry.url, { createWorker: createWorker('quota') });
    const errors = collect(rt, 'error');
    const model = await rt.model('weather').ready();
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    expect(errors.map((e) => e.error.code)).toEqual(['QUOTA_EXCEEDED']);
    const flushed = await rejection(rt.flush());
    expect(flushed).toBeInstanceOf(EdgewatchError);
    expect(flushed.code).toBe('QUOTA_EXCEEDED');
    expect((await model.driftSummary())?.predictions).toBe(1);
    await expect(rt.dispose()).resolves.toBeUndefined();
  });

  it('the origin’s quota shrunk through CDP (Storage.overrideQuotaForOrigin): the verified model still answers; only typed storage events', async () => {
    const registry = await serve();
    await commands.storageQuota(location.origin, 1);
    const rt = runtime(registry.url);
    const errors = collect(rt, 'error');
    const model = await rt.model('weather').ready();
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    expect(errors.length).toBeGreaterThan(0);
    for (const { error } of errors) {
      expect(error).toBeInstanceOf(EdgewatchError);
      expect(STORAGE_CODES).toContain(error.code);
    }
    expect(errors.map((e) => e.error.code)).toContain('QUOTA_EXCEEDED');
    const flushed = await rt.flush().then(
      () => undefined,
      (error: unknown) => error,
    );
    if (flushed !== undefined) {
      expect(flushed).toBeInstanceOf(EdgewatchError);
      expect(STORAGE_CODES).toContain((flushed as EdgewatchError).code);
    }
    await expect(rt.dispose()).resolves.toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { uniqueDbName, weather, withoutLabel } from '../browser/weatherData.ts';
import { runtime, serve } from './harness.ts';

const days = weather.slice(0, 40).map(withoutLabel);
const inference = () => new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });

/** Predictions stored for weather@1 in `dbName`, read by a fresh runtime (a tab opened later). */
async function storedPredictions(registry: string, dbName: string): Promise<number | undefined> {
  const reader = runtime(registry, { dbName });
  const model = await reader.model('weather').ready();
  return (await model.driftSummary())?.predictions;
}

describe('tabs sharing one database: counts add up, and a killed tab loses at most what it had not flushed', () => {
  it('two tabs (each its own worker and connection) writing the same hourly row at once: every prediction counted', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('tabs');
    const [a, b] = [runtime(registry.url, { dbName }), runtime(registry.url, { dbName })];
    await Promise.all([a.model('weather').predict(days.slice(0, 25)), b.model('weather').predict(days.slice(0, 15))]);
    // Both flush into the same window row concurrently.
    await Promise.all([a.flush(), b.flush()]);
    await Promise.all([a.dispose(), b.dispose()]);
    expect(await storedPredictions(registry.url, dbName)).toBe(40);
  });

  it('a tab whose worker is killed between flushes keeps everything up to its last flush', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('killed');
    const workers: Worker[] = [];
    const tab = runtime(registry.url, {
      dbName,
      createWorker: () => {
        const worker = inference();
        workers.push(worker);
        return worker;
      },
    });
    const model = tab.model('weather');
    await model.predict(days.slice(0, 30));
    await tab.flush();
    await model.predict(days.slice(30, 40)); // counted in memory only: the flush interval (60 s) has not come
    workers[0].terminate(); // the tab dies before its next flush
    await tab.dispose();
    expect(await storedPredictions(registry.url, dbName)).toBe(30);
  });
});

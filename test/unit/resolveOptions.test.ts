import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/runtime/resolveOptions.ts';

describe('resolveOptions', () => {
  it('fills every default once, in a frozen object', () => {
    const options = resolveOptions({ registry: 'https://example.test/registry/manifest.json' });
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.batch)).toBe(true);
    expect(Object.isFrozen(options.workerConfig)).toBe(true);
    expect(options).toMatchObject({
      manifestUrl: 'https://example.test/registry/manifest.json',
      channel: 'stable',
      batch: { maxSize: 64, maxWaitMs: 2, maxInFlight: 2 },
      dbName: 'edgewatch',
      // Node has no Worker: the in-thread API.
      worker: false,
      maxRestartsPerMinute: 3,
      updateIntervalMs: 1_800_000,
      downloadConditions: { allowSaveData: false, allowSlowNetwork: false, storageHeadroom: 2 },
      health: { predictions: 50, maxErrorRate: 0.2, minBatches: 5 },
      workerConfig: {
        backends: 'auto',
        dbName: 'edgewatch',
        flushIntervalMs: 5000,
        windowMs: 3_600_000,
        rememberBackend: true,
        artifactTimeoutMs: 60_000,
        monitoring: true,
        sketchScores: false,
      },
    });
    expect(options.workerConfig).not.toHaveProperty('retention');
  });

  it('keeps what the app gave, merging partial batch, health and download settings over the defaults', () => {
    const createWorker = () => ({}) as Worker;
    const options = resolveOptions({
      registry: 'https://example.test/m.json',
      channel: 'beta',
      batch: { maxSize: 8 },
      health: { predictions: 10 },
      downloadConditions: { allowSaveData: true },
      dbName: 'mine',
      windowMs: 60_000,
      createWorker,
      installId: 'install-7',
      retention: { hourlyMs: 1, dailyMs: 2 },
    });
    expect(options.batch).toEqual({ maxSize: 8, maxWaitMs: 2, maxInFlight: 2 });
    expect(options.health).toEqual({ predictions: 10, maxErrorRate: 0.2, minBatches: 5 });
    expect(options.downloadConditions).toEqual({ allowSaveData: true, allowSlowNetwork: false, storageHeadroom: 2 });
    expect(options.channel).toBe('beta');
    // A worker factory means a worker, even where `Worker` is missing.
    expect(options.worker).toBe(true);
    expect(options.createWorker).toBe(createWorker);
    expect(options.installId()).toBe('install-7');
    expect(options.workerConfig).toMatchObject({ dbName: 'mine', windowMs: 60_000, retention: { hourlyMs: 1, dailyMs: 2 } });
  });

  it('resolves a relative registry against the page, or localhost outside one', () => {
    expect(resolveOptions({ registry: '/registry/manifest.json' }).manifestUrl).toBe('http://localhost/registry/manifest.json');
  });
});

import { describe, expect, it } from 'vitest';
import type { LoadRequest } from '../../workers/protocol.ts';
import { createWorkerApi } from '../../workers/workerApi.ts';
import { rejection } from '../support/rejection.ts';
import { uniqueDbName } from './weatherData.ts';

// The worker's API runs on this thread too (where `Worker` is missing): its refusals need no model.
describe('worker API refusals', () => {
  it('refuses to load before configure() with NOT_CONFIGURED', async () => {
    const api = createWorkerApi();
    const error = await rejection(api.load({ name: 'weather', version: '1' } as LoadRequest));
    expect(error.code).toBe('NOT_CONFIGURED');
    expect(error.message).toContain('configure() must run before models load');
  });

  it('answers MODEL_NOT_LOADED for a model with no version loaded here', async () => {
    const api = createWorkerApi();
    await api.configure({ backends: ['cpu'], dbName: uniqueDbName('api'), flushIntervalMs: 60_000, windowMs: 3_600_000, cacheName: '' });
    for (const call of [() => api.predict('nope', []), () => api.features('nope', []), () => api.unload('nope')]) {
      const error = await rejection(call());
      expect(error.code).toBe('MODEL_NOT_LOADED');
      expect(error.details).toEqual({ name: 'nope' });
    }
    // nothing was observed, and a label for an unknown model joins nothing
    await expect(api.windows('nope', '1')).resolves.toBeUndefined();
    await expect(api.feedback('nope', 'x:0:0', 'a')).resolves.toEqual({ matched: false, drift: [] });
  });
});

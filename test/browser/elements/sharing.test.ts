import { afterEach, describe, expect, it } from 'vitest';
import { edgeRuntimeFor, sharedRuntime } from '../../../src/index.ts';
import { weather, withoutLabel } from '../weatherData.ts';
import { cleanUp, mount, record, serve } from './support.ts';

afterEach(cleanUp);

/** Counts the workers the page really starts, by wrapping the page's `Worker` constructor. */
function countWorkers(): { readonly count: () => number; readonly restore: () => void } {
  const Original = globalThis.Worker;
  let created = 0;
  globalThis.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      created++;
    }
  };
  const restore = () => {
    globalThis.Worker = Original;
  };
  return { count: () => created, restore };
}

describe('elements and app code share one runtime and one worker per registry', () => {
  it('two <edge-model>s, a status and a report, and app code calling sharedRuntime(): one runtime, one worker; each element hears only its model', async () => {
    const registry = await serve();
    // A second model in the same registry (the weather model's versions under another name).
    await registry.publish({ ...registry.manifest, models: { ...registry.manifest.models, other: registry.manifest.models.weather } });
    const workers = countWorkers();
    try {
      const a = mount('edge-model', { id: 'a', registry: registry.url, name: 'weather', backends: 'cpu' });
      const b = mount('edge-model', { id: 'b', registry: registry.url, name: 'other', backends: 'cpu' });
      mount('edge-model-status', { for: 'a' });
      mount('edge-drift-report', { for: 'b' });
      const heardByA = record(a, 'activated');
      const heardByB = record(b, 'activated');
      await Promise.all([a.ready(), b.ready()]);

      // What app code gets for the same registry and options is the elements' runtime.
      const app = sharedRuntime({ registry: registry.url, backends: ['cpu'] });
      expect(a.runtime).toBe(app);
      expect(b.runtime).toBe(app);
      expect(sharedRuntime(registry.url, ['cpu'])).toBe(app);
      expect(app.model('weather')).toBe(a.handle);
      const prediction = await app.model('other').predict(withoutLabel(weather[10]));
      expect(prediction.version).toBe('1');
      await a.predict(withoutLabel(weather[11]));
      expect(workers.count()).toBe(1);

      expect(heardByA.map((d) => d.name)).toEqual(['weather']);
      expect(heardByB.map((d) => d.name)).toEqual(['other']);
    } finally {
      workers.restore();
    }
  });

  it('the default runtime of a registry is the same object whichever way it is asked for; a disposed one is replaced', async () => {
    const registry = await serve();
    const element = mount('edge-model', { registry: registry.url, name: 'weather' });
    await element.updateComplete;
    const runtime = edgeRuntimeFor(registry.url);
    expect(element.runtime).toBe(runtime);
    expect(sharedRuntime({ registry: new URL(registry.url), backends: 'auto' })).toBe(runtime);
    // Different options are a different runtime (a worker has one backend choice and one set of keys).
    expect(sharedRuntime({ registry: registry.url, backends: ['cpu'] })).not.toBe(runtime);
    await runtime.dispose();
    expect(edgeRuntimeFor(registry.url)).not.toBe(runtime);
  });

  it('an element given a runtime the app made uses it, and no other', async () => {
    const registry = await serve();
    const { createEdgeRuntime } = await import('../../../src/index.ts');
    const { track } = await import('./support.ts');
    const workers = countWorkers();
    try {
      const own = track(createEdgeRuntime({ registry: registry.url, backends: ['cpu'], updateIntervalMs: 0 }));
      const element = mount('edge-model', { name: 'weather' }, { runtime: own });
      await element.ready();
      expect(element.runtime).toBe(own);
      expect(element.handle).toBe(own.model('weather'));
      // The describing elements take the model as a property too (no id needed), and follow a change of it.
      const status = mount('edge-model-status', {}, { model: element });
      await status.updateComplete;
      expect(status.shadowRoot?.querySelector('dd')?.textContent).toContain('weather');
      status.model = undefined;
      await status.updateComplete;
      expect(status.shadowRoot?.textContent).toContain('No model on this page.');
      expect(workers.count()).toBe(1);
    } finally {
      workers.restore();
    }
  });
});

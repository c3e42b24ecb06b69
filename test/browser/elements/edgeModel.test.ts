import { afterEach, describe, expect, it } from 'vitest';
import type { EdgeModelStatus } from '../../../src/components/EdgeModelStatus.ts';
import { generateSigningKey, signManifest } from '../../../src/registry/signature.ts';
import { weather, withoutLabel } from '../weatherData.ts';
import { cleanUp, mount, next, partText, record, serve, until } from './support.ts';

afterEach(cleanUp);

const day = withoutLabel(weather[1200]);
const button = (status: EdgeModelStatus, part: string) => status.shadowRoot?.querySelector(`button[part~="${part}"]`) as HTMLButtonElement;

describe('<edge-model> attributes and properties', () => {
  it('reads registry, name, channel and backends from attributes; status is reflected; the channel reaches the runtime', async () => {
    const registry = await serve();
    const model = mount('edge-model', { registry: registry.url, name: 'weather', channel: 'canary', backends: 'wasm, cpu' });
    expect(model.registry).toBe(registry.url);
    expect(model.name).toBe('weather');
    expect(model.channel).toBe('canary');
    expect(model.backends).toEqual(['wasm', 'cpu']);
    await model.updateComplete;
    expect(model.getAttribute('status')).toBe('loading');
    expect(model.status).toBe('loading');
    await model.ready();
    await model.updateComplete;
    // canary is v2 in the bundled registry; stable is v1
    expect(model.version).toBe('2');
    expect(model.backend).toBe('wasm');
    expect(model.status).toBe('ready');
    expect(model.getAttribute('status')).toBe('ready');
    expect(partText(model, 'status')).toContain('v2 on wasm');
    expect(model.runtime?.options).toMatchObject({ registry: registry.url, channel: 'canary', backends: ['wasm', 'cpu'] });

    model.setAttribute('backends', 'auto');
    expect(model.backends).toBe('auto');
  });

  it('predict() takes one record or several; feedback() and driftSummary() reach the model', async () => {
    const registry = await serve();
    const model = mount('edge-model', { registry: registry.url, name: 'weather', backends: 'cpu' });
    const one = await model.predict(day);
    expect(one.version).toBe('1');
    const many = await model.predict(weather.slice(0, 3).map(withoutLabel));
    expect(many).toHaveLength(3);
    expect(model.lastPrediction?.predictionId).toBe(many[2].predictionId);
    const result = await model.feedback(one.predictionId, weather[1200].weather);
    expect(result.matched).toBe(true);
    const summary = await model.driftSummary();
    expect(summary?.model).toBe('weather');
    expect(summary?.predictions).toBeGreaterThanOrEqual(4);
  });

  it('takes pinned keys: a manifest signed by a pinned key loads; one signed by another key is refused with SIGNATURE_INVALID', async () => {
    const registry = await serve();
    const release = await generateSigningKey('release');
    const intruder = await generateSigningKey('release');
    await registry.publish(await signManifest(registry.manifest, release.privateJwk));
    // The refused one first: this page has no good copy of this manifest stored yet to fall back on.
    const bad = mount('edge-model', { registry: registry.url, name: 'weather', backends: 'cpu' }, { publicKeys: [intruder.publicJwk] });
    const failed = await next(bad, 'error');
    expect(failed.detail.error.code).toBe('SIGNATURE_INVALID');
    await bad.updateComplete;
    expect(bad.getAttribute('status')).toBe('error');

    const good = mount('edge-model', { registry: registry.url, name: 'weather', backends: 'cpu' }, { publicKeys: [release.publicJwk] });
    await good.ready();
    expect(good.version).toBe('1');
    expect(good.runtime?.options.publicKeys).toEqual([release.publicJwk]);
    expect(bad.runtime).not.toBe(good.runtime);
  });
});

describe('<edge-model> re-dispatches its model’s runtime events; <edge-model-status> shows them and acts', () => {
  it('activated on load; Check now → update-available, download-progress (a <progress> in bytes, status updating), activated; Roll back → rolled-back', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', registry: registry.url, name: 'weather', backends: 'cpu' });
    const status = mount('edge-model-status', { for: 'm' });
    expect((await next(model, 'activated')).detail).toMatchObject({ name: 'weather', version: '1', backend: 'cpu' });
    await until(() => status.shadowRoot?.querySelector('.why') !== null);
    const facts = partText(status, 'facts');
    expect(facts).toContain('v1');
    expect(facts).toMatch(/cpu \(the first of the requested backends that started/);
    expect(facts).toContain('Online');
    expect(status.shadowRoot?.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(button(status, 'check').disabled).toBe(false);
    expect(button(status, 'rollback').disabled).toBe(true);

    const available = record(model, 'update-available');
    const progress = record(model, 'download-progress');
    const activated = record(model, 'activated');
    const rolledBack = record(model, 'rolled-back');
    const duringDownload: { status: string; attribute: string | null; max?: number; value?: number; total: number; loaded: number }[] = [];
    model.addEventListener('download-progress', (event) => {
      const state = model.status;
      const { totalBytes, loadedBytes } = event.detail;
      void Promise.all([status.updateComplete, model.updateComplete]).then(() => {
        const bar = status.shadowRoot?.querySelector('progress');
        duringDownload.push({
          status: state,
          attribute: model.getAttribute('status'),
          max: bar?.max,
          value: bar?.value,
          total: totalBytes,
          loaded: loadedBytes,
        });
      });
    });

    await registry.publish(registry.withStable('2'));
    button(status, 'check').click();
    await until(() => activated.length === 1);
    expect(available).toEqual([{ name: 'weather', from: '1', to: '2' }]);
    const total = registry.manifest.models.weather.versions['2'].artifacts.reduce((sum, a) => sum + a.bytes, 0);
    expect(progress.at(-1)).toMatchObject({ name: 'weather', version: '2', loadedBytes: total, totalBytes: total });
    expect(duringDownload.length).toBeGreaterThan(0);
    for (const seen of duringDownload) {
      expect(seen).toMatchObject({ status: 'updating', attribute: 'updating', max: seen.total, value: seen.loaded });
    }
    expect(activated[0]).toMatchObject({ name: 'weather', version: '2', previous: '1' });
    await until(() => !button(status, 'check').disabled);
    await status.updateComplete;
    expect(model.status).toBe('ready');
    expect(partText(status, 'update')).toBe('Updated from v1 to v2.');
    const rollback = button(status, 'rollback');
    expect(rollback.disabled).toBe(false);
    expect(rollback.textContent?.trim()).toBe('Roll back to v1');

    rollback.click();
    await until(() => rolledBack.length === 1);
    expect(rolledBack[0]).toMatchObject({ name: 'weather', from: '2', to: '1' });
    expect(model.version).toBe('1');
    await until(() => !button(status, 'check').disabled);
    await status.updateComplete;
    expect(button(status, 'rollback').disabled).toBe(true);
    expect(partText(status, 'update')).toMatch(/^Rolled back from v2 to v1: /);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it('error: an unknown model, and an update whose artifact is tampered with (the old version keeps serving)', async () => {
    const registry = await serve();
    const missing = mount('edge-model', { id: 'missing', registry: registry.url, name: 'no-such-model', backends: 'cpu' });
    const missingStatus = mount('edge-model-status', { for: 'missing' });
    expect((await next(missing, 'error')).detail.error.code).toBe('UNKNOWN_MODEL');
    await missingStatus.updateComplete;
    expect(partText(missingStatus, 'error')).toContain('UNKNOWN_MODEL');
    expect(button(missingStatus, 'check').disabled).toBe(true);

    const model = mount('edge-model', { id: 'm', registry: registry.url, name: 'weather', backends: 'cpu' });
    const status = mount('edge-model-status', { for: 'm' });
    await model.ready();
    const errors = record(model, 'error');
    const rolledBack = record(model, 'rolled-back');
    const weights = registry.manifest.models.weather.versions['2'].artifacts.find((a) => a.path.endsWith('/weights.bin'))?.path as string;
    const { commands } = await import('vitest/browser');
    await commands.registryFault(registry.id, weights, { tamper: true });
    await registry.publish(registry.withStable('2'));
    await model.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['INTEGRITY_MISMATCH']);
    expect(rolledBack).toMatchObject([{ name: 'weather', from: '2', to: '1' }]);
    expect(model.version).toBe('1');
    await model.updateComplete;
    await status.updateComplete;
    expect(model.status).toBe('ready');
    expect(partText(status, 'update')).toBe('The update failed (INTEGRITY_MISMATCH); v1 keeps serving.');
  });

  it('status is offline while the device is offline and the model serves from what it has', async () => {
    const registry = await serve();
    const model = mount('edge-model', { id: 'm', registry: registry.url, name: 'weather', backends: 'cpu' });
    const status = mount('edge-model-status', { for: 'm' });
    await model.ready();
    // Chromium's network emulation is not reachable from inside the page: the test flips what the page reads
    // (navigator.onLine) and fires the event the browser would fire; the artifacts really are served from memory/cache.
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    try {
      window.dispatchEvent(new Event('offline'));
      await model.updateComplete;
      await status.updateComplete;
      expect(model.status).toBe('offline');
      expect(model.getAttribute('status')).toBe('offline');
      expect(partText(status, 'facts')).toContain('Offline');
      await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
    }
    window.dispatchEvent(new Event('online'));
    await model.updateComplete;
    expect(model.getAttribute('status')).toBe('ready');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from 'vitest/browser';
import { cohortBucket } from '../../src/registry/cohort.ts';
import type { ModelVersion, RegistryManifest } from '../../src/registry/Manifest.ts';
import { sha256Hex } from '../../src/registry/sha256.ts';
import { generateSigningKey, signManifest } from '../../src/registry/signature.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import type { EdgeRuntimeEventMap } from '../../src/runtime/events.ts';
import { VersionResolver } from '../../src/runtime/VersionResolver.ts';
import { uniqueDbName, weather, withoutLabel } from './weatherData.ts';
import { rejection } from '../support/rejection.ts';

const day = withoutLabel(weather[1200]);
const runtimes: EdgeRuntime[] = [];
const servers: string[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
  await Promise.all(servers.splice(0).map((id) => commands.registryStop(id)));
});

async function serve() {
  const server = await commands.registryStart();
  servers.push(server.id);
  const manifest: RegistryManifest = JSON.parse(atob(await commands.registryRead(server.id, 'manifest.json')));
  /** Path of a version's artifact by file name (the CLI puts them under content paths). */
  const artifact = (version: string, file: string) =>
    manifest.models.weather.versions[version].artifacts.find((a) => a.path.endsWith(`/${file}`))?.path as string;
  const publish = (next: unknown) => commands.registryWrite(server.id, 'manifest.json', typeof next === 'string' ? next : JSON.stringify(next));
  return { ...server, manifest, publish, artifact };
}

function runtime(registry: string, options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  const rt = createEdgeRuntime({ registry, backends: ['cpu'], dbName: uniqueDbName('reg'), updateIntervalMs: 0, flushIntervalMs: 60_000, ...options });
  runtimes.push(rt);
  return rt;
}

function collect<K extends keyof EdgeRuntimeEventMap>(rt: EdgeRuntime, type: K): EdgeRuntimeEventMap[K]['detail'][] {
  const seen: EdgeRuntimeEventMap[K]['detail'][] = [];
  rt.addEventListener(type, (event) => seen.push((event as EdgeRuntimeEventMap[K]).detail));
  return seen;
}

/** The manifest with `stable` moved to `version`. */
const withStable = (manifest: RegistryManifest, version: string | string[]): RegistryManifest => ({
  ...manifest,
  models: { weather: { ...manifest.models.weather, channels: { ...manifest.models.weather.channels, stable: version } } },
});

describe('updates: verified download, progress, activation', () => {
  it('publishing v2 is picked up: update-available, download-progress with bytes, activated, v2 answers', async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    expect(model.version).toBe('1');
    const available = collect(rt, 'update-available');
    const progress = collect(rt, 'download-progress');
    const activated = collect(rt, 'activated');
    await registry.publish(withStable(registry.manifest, '2'));
    await rt.checkForUpdates();
    expect(available).toEqual([{ name: 'weather', from: '1', to: '2' }]);
    const total = registry.manifest.models.weather.versions['2'].artifacts.reduce((s, a) => s + a.bytes, 0);
    expect(progress.at(-1)).toMatchObject({ name: 'weather', version: '2', loadedBytes: total, totalBytes: total });
    expect(activated).toMatchObject([{ name: 'weather', version: '2', previous: '1' }]);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '2' });
    // `manifest()` is the manifest that check left in force, not the first one read.
    expect((await rt.manifest()).manifest.models.weather.channels.stable).toBe('2');
    // Unchanged manifest: a conditional request answered 304, nothing downloaded.
    await commands.registryLog(registry.id, true);
    await rt.checkForUpdates();
    expect(await commands.registryLog(registry.id)).toEqual([{ path: 'manifest.json', status: 304, bytes: 0 }]);
  });
});

describe('an update check', () => {
  afterEach(() => vi.restoreAllMocks());

  it('resolves each model once and activates what it resolved', async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    await registry.publish(withStable(registry.manifest, '2'));
    const resolve = vi.spyOn(VersionResolver.prototype, 'resolve');
    await rt.checkForUpdates();
    expect(model.version).toBe('2');
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(resolve.mock.calls[0][0]).toBe('weather');
  });

  it("follows the handle's own channel, not the runtime's", async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const canary = { ...registry.manifest, models: { weather: { ...registry.manifest.models.weather, channels: { stable: '1', canary: '1' } } } };
    await registry.publish(canary);
    const model = await rt.model('weather', { channel: 'canary' }).ready();
    expect(model.version).toBe('1');
    const next = { ...canary, models: { weather: { ...canary.models.weather, channels: { stable: '1', canary: '2' } } } };
    await registry.publish(next);
    await rt.checkForUpdates();
    expect(model.version).toBe('2');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '2' });
  });
});

describe('a bad artifact is never activated and the old version keeps serving', () => {
  const cases: [string, Parameters<typeof commands.registryFault>[2], string, string][] = [
    ['a tampered weight byte', { tamper: true }, 'INTEGRITY_MISMATCH', ''],
    ['404', { status: 404 }, 'DOWNLOAD_FAILED', 'http'],
    ['500', { status: 500 }, 'DOWNLOAD_FAILED', 'http'],
    ['a slow server', { delayMs: 3000 }, 'DOWNLOAD_FAILED', 'timeout'],
    ['a truncated body', { truncateTo: 100 }, 'DOWNLOAD_FAILED', 'truncated'],
  ];
  it.each(cases)('%s → %s', async (_label, fault, code, reason) => {
    const registry = await serve();
    const rt = runtime(registry.url, { artifactTimeoutMs: 1000 });
    const model = await rt.model('weather').ready();
    const rolledBack = collect(rt, 'rolled-back');
    await commands.registryFault(registry.id, registry.artifact('2', 'weights.bin'), fault);
    const error = await rejection(model.activate('2'));
    expect(error.code).toBe(code);
    if (reason) expect(error.details.reason).toBe(reason);
    expect(model.version).toBe('1');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    expect(rolledBack).toMatchObject([{ name: 'weather', from: '2', to: '1' }]);
    // Marked bad for this manifest: the updater does not offer it again…
    await registry.publish(withStable(registry.manifest, ['2', '1']));
    const available = collect(rt, 'update-available');
    await rt.checkForUpdates();
    await rt.checkForUpdates();
    expect(available.filter((a) => a.to === '2').length).toBeLessThanOrEqual(1);
  });
});

describe('manifest trust', () => {
  it('a pinned key refuses unsigned and wrongly signed manifests; the last good one stays in force', async () => {
    const registry = await serve();
    const { privateJwk, publicJwk } = await generateSigningKey('release');
    const intruder = await generateSigningKey('release');
    await registry.publish(await signManifest(registry.manifest, privateJwk));
    const dbName = uniqueDbName('signed');
    const rt = runtime(registry.url, { publicKeys: [publicJwk], dbName });
    const model = await rt.model('weather').ready();
    expect(model.version).toBe('1');
    const errors = collect(rt, 'error');

    await registry.publish(await signManifest(withStable(registry.manifest, '2'), intruder.privateJwk));
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['SIGNATURE_INVALID']);
    await registry.publish(withStable(registry.manifest, '2')); // unsigned
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_INVALID']);
    expect(model.version).toBe('1');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    expect((await rt.manifest()).manifest.models.weather.channels.stable).toBe('1');

    // A fresh install that never saw a good manifest cannot start on a bad one.
    const fresh = runtime(registry.url, { publicKeys: [publicJwk] });
    expect((await rejection(fresh.model('weather').ready())).code).toBe('SIGNATURE_INVALID');
  });

  it('malformed JSON and schema errors: MANIFEST_INVALID naming the path; with a last good manifest, it keeps serving', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('malformed');
    const rt = runtime(registry.url, { dbName });
    const model = await rt.model('weather').ready();
    const errors = collect(rt, 'error');
    await registry.publish('{"schema": "edgewatch.registry/v1", "models": {');
    await rt.checkForUpdates();
    const broken = structuredClone(registry.manifest) as unknown as { models: { weather: { versions: Record<string, { artifacts: { sha256: string }[] }> } } };
    broken.models.weather.versions['2'].artifacts[1].sha256 = 'not-a-hash';
    await registry.publish(broken);
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['MANIFEST_INVALID', 'MANIFEST_INVALID']);
    expect(errors[1].error.details.path).toBe('models.weather.versions.2.artifacts[1].sha256');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    const fresh = runtime(registry.url);
    const error = await rejection(fresh.model('weather').ready());
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.details.path).toBe('models.weather.versions.2.artifacts[1].sha256');
  });
});

describe('offline', () => {
  it('a returning visit predicts with the network cut: zero bytes from the registry', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('offline');
    const first = runtime(registry.url, { dbName });
    await first.model('weather').predict(day);
    await first.dispose();
    await commands.registryLog(registry.id, true);
    await commands.registryFault(registry.id, '*', { cut: true });
    const again = runtime(registry.url, { dbName });
    const prediction = await again.model('weather').predict(day);
    expect(prediction.version).toBe('1');
    const log = await commands.registryLog(registry.id);
    expect(log.reduce((sum, r) => sum + r.bytes, 0)).toBe(0);
    expect(log.every((r) => r.path === 'manifest.json')).toBe(true); // it tried the manifest, and nothing else
    expect((await again.manifest()).fromStorage).toBe(true);
  });
});

describe('rollout', () => {
  it('each install lands in the same bucket on every start; raising the percent only adds installs', async () => {
    const registry = await serve();
    const manifest = withStable(registry.manifest, ['2', '1']);
    const withPercent = (percent: number) => ({
      ...manifest,
      models: {
        weather: {
          ...manifest.models.weather,
          versions: { ...manifest.models.weather.versions, '2': { ...manifest.models.weather.versions['2'], rollout: { percent } } },
        },
      },
    });
    const installs = Array.from({ length: 200 }, (_, i) => `install-${i}`);
    const low = installs.find((id) => cohortBucket(id, 'weather') < 20) as string;
    const mid = installs.find((id) => cohortBucket(id, 'weather') >= 20 && cohortBucket(id, 'weather') < 60) as string;
    await registry.publish(withPercent(20));
    const versionOf = async (installId: string) => (await runtime(registry.url, { installId }).model('weather').ready()).version;
    expect(await versionOf(low)).toBe('2');
    expect(await versionOf(mid)).toBe('1');
    expect(await versionOf(mid)).toBe('1');
    await registry.publish(withPercent(60));
    expect(await versionOf(low)).toBe('2');
    expect(await versionOf(mid)).toBe('2');
  });
});

describe('several tabs', () => {
  it('two runtimes updating at once download the new version once', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('tabs');
    const tabA = runtime(registry.url, { dbName });
    const tabB = runtime(registry.url, { dbName });
    const [a, b] = await Promise.all([tabA.model('weather').ready(), tabB.model('weather').ready()]);
    await registry.publish(withStable(registry.manifest, '2'));
    await commands.registryLog(registry.id, true);
    await Promise.all([tabA.checkForUpdates(), tabB.checkForUpdates()]);
    expect([a.version, b.version]).toEqual(['2', '2']);
    const weights = (await commands.registryLog(registry.id)).filter((r) => r.path === registry.artifact('2', 'weights.bin'));
    expect(weights).toHaveLength(1);
  });
});

describe('automatic rollback', () => {
  it('a version giving NaN in its first predictions is rolled back, its batch re-answered by v1, and not offered again', async () => {
    const registry = await serve();
    // v3: v1's network with NaN weights, published without goldens so only the health watch can catch it.
    const v1 = registry.manifest.models.weather.versions['1'];
    const weights = Uint8Array.from(atob(await commands.registryRead(registry.id, registry.artifact('1', 'weights.bin'))), (c) => c.charCodeAt(0));
    const nan = new Float32Array(weights.byteLength / 4).fill(Number.NaN);
    const nanBytes = new Uint8Array(nan.buffer);
    let binary = '';
    for (const b of nanBytes) binary += String.fromCharCode(b);
    await commands.registryWrite(registry.id, 'weather/3/weights.bin', btoa(binary), 'base64');
    await commands.registryWrite(registry.id, 'weather/3/model.json', atob(await commands.registryRead(registry.id, registry.artifact('1', 'model.json'))));
    const v3: ModelVersion = {
      ...v1,
      goldens: undefined,
      modelPath: 'weather/3/model.json',
      artifacts: [
        { ...v1.artifacts[0], path: 'weather/3/model.json' },
        { path: 'weather/3/weights.bin', sha256: await sha256Hex(nanBytes), bytes: nanBytes.byteLength },
      ],
    };
    const manifest = withStable(
      {
        ...registry.manifest,
        models: { weather: { ...registry.manifest.models.weather, versions: { ...registry.manifest.models.weather.versions, '3': v3 } } },
      },
      ['3', '1'],
    );
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    const rolledBack = collect(rt, 'rolled-back');
    await registry.publish(manifest);
    await rt.checkForUpdates();
    expect(model.version).toBe('3');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => model.predict(withoutLabel(weather[i]))));
    expect(answers.every((p) => p.version === '1' && p.scores.every(Number.isFinite))).toBe(true);
    expect(rolledBack).toMatchObject([{ name: 'weather', from: '3', to: '1', reason: expect.stringMatching(/non-finite/) }]);
    expect(model.version).toBe('1');
    const offered = collect(rt, 'update-available');
    await rt.checkForUpdates();
    expect(offered).toEqual([]);
  });

  it('runtime.rollback() goes back by hand', async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    await model.activate('2');
    const rolledBack = collect(rt, 'rolled-back');
    await rt.rollback('weather');
    expect(model.version).toBe('1');
    expect(rolledBack).toMatchObject([{ from: '2', to: '1', reason: 'rolled back by the app' }]);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });
});

describe('when the updater checks', () => {
  async function nextActivation(rt: EdgeRuntime): Promise<string> {
    return new Promise((resolve) => rt.addEventListener('activated', (e) => resolve(e.detail.version), { once: true }));
  }

  it('on its interval, when the device comes online, and when the tab becomes visible', async () => {
    const registry = await serve();
    const polling = runtime(registry.url, { updateIntervalMs: 300 });
    const onEvents = runtime(registry.url, { updateIntervalMs: 0 });
    const [a, b] = await Promise.all([polling.model('weather').ready(), onEvents.model('weather').ready()]);
    expect([a.version, b.version]).toEqual(['1', '1']);

    await registry.publish(withStable(registry.manifest, '2'));
    // Interval: nobody calls checkForUpdates; the timer does.
    expect(await nextActivation(polling)).toBe('2');

    // `online`: the runtime without polling picks v2 up when the browser says it is back online.
    const online = nextActivation(onEvents);
    window.dispatchEvent(new Event('online'));
    expect(await online).toBe('2');

    // Tab visible again: back to v1 on the registry, noticed on `visibilitychange` (the tab is visible here).
    await registry.publish(withStable(registry.manifest, '1'));
    const visible = nextActivation(onEvents);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(await visible).toBe('1');
  });
});

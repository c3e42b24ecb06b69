import { describe, expect, it } from 'vitest';
import { generateSigningKey, signManifest } from '../../src/registry/signature.ts';
import { uniqueDbName } from '../browser/weatherData.ts';
import { rejection } from '../support/rejection.ts';
import { collect, day, release, runtime, serve } from './harness.ts';

const hour = 3_600_000;
const future = () => new Date(Date.now() + hour).toISOString();

describe('freshness: an older or expired manifest never replaces the newest verified one', () => {
  it('a validly signed but older manifest (v2 withdrawn to v1) is MANIFEST_ROLLBACK; v2 keeps answering, also after a restart', async () => {
    const registry = await serve();
    const { privateJwk, publicJwk } = await generateSigningKey('release');
    const v1 = await signManifest(release(registry.manifest, '1', { sequence: 1 }), privateJwk);
    const v2 = await signManifest(release(registry.manifest, '2', { sequence: 2 }), privateJwk);
    await registry.publish(v2);
    const dbName = uniqueDbName('rollback');
    const rt = runtime(registry.url, { publicKeys: [publicJwk], dbName });
    const model = await rt.model('weather').ready();
    expect(model.version).toBe('2');
    const errors = collect(rt, 'error');

    await registry.publish(v1); // the attacker replays the older, validly signed release
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['MANIFEST_ROLLBACK']);
    expect(errors[0].error.details).toMatchObject({ sequence: 1, highest: 2 });
    expect(model.version).toBe('2');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '2' });
    const state = await rt.manifest();
    expect(state.manifest.models.weather.channels.stable).toBe('2');
    await rt.dispose();

    // The floor is stored: the next start refuses the replay too and serves v2 from what it verified.
    const again = runtime(registry.url, { publicKeys: [publicJwk], dbName });
    const later = collect(again, 'error');
    const restarted = await again.model('weather').ready();
    expect(restarted.version).toBe('2');
    expect(later.map((e) => e.error.code)).toEqual(['MANIFEST_ROLLBACK']);
    await expect(restarted.predict(day)).resolves.toMatchObject({ version: '2' });

    // A newer release goes through.
    await registry.publish(await signManifest(release(registry.manifest, '1', { sequence: 3 }), privateJwk));
    await again.checkForUpdates();
    expect(restarted.version).toBe('1');
  });

  it('an expired manifest is MANIFEST_EXPIRED: the last good one stays; a fresh install cannot start on it', async () => {
    const registry = await serve();
    const { privateJwk, publicJwk } = await generateSigningKey('release');
    await registry.publish(await signManifest(release(registry.manifest, '1', { sequence: 1, expires: future() }), privateJwk));
    const rt = runtime(registry.url, { publicKeys: [publicJwk] });
    const model = await rt.model('weather').ready();
    const errors = collect(rt, 'error');
    const past = new Date(Date.now() - 1000).toISOString();
    await registry.publish(await signManifest(release(registry.manifest, '2', { sequence: 2, expires: past }), privateJwk));
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['MANIFEST_EXPIRED']);
    expect(errors[0].error.details.expires).toBe(past);
    expect(model.version).toBe('1');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
    const fresh = runtime(registry.url, { publicKeys: [publicJwk] });
    expect((await rejection(fresh.model('weather').ready())).code).toBe('MANIFEST_EXPIRED');
  });

  it('a registry frozen past expires (304 Not Modified on an expired manifest) is said as MANIFEST_EXPIRED; the model keeps serving', async () => {
    const registry = await serve();
    const { privateJwk, publicJwk } = await generateSigningKey('release');
    const expires = new Date(Date.now() + 1500).toISOString();
    await registry.publish(await signManifest(release(registry.manifest, '1', { sequence: 1, expires }), privateJwk));
    const rt = runtime(registry.url, { publicKeys: [publicJwk] });
    const model = await rt.model('weather').ready();
    const errors = collect(rt, 'error');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await registry.log(true);
    await rt.checkForUpdates();
    expect((await registry.log()).map((r) => r.status)).toEqual([304]);
    expect(errors.map((e) => e.error.code)).toEqual(['MANIFEST_EXPIRED']);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it('manifests without sequence (older registries) still update both ways: they all read as sequence 0', async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    await registry.publish(release(registry.manifest, '2'));
    await rt.checkForUpdates();
    expect(model.version).toBe('2');
    await registry.publish(release(registry.manifest, '1'));
    await rt.checkForUpdates();
    expect(model.version).toBe('1');
  });
});

describe('stored metadata is re-verified against the keys pinned now, on every use', () => {
  it('an unsigned manifest stored before the app pinned a key is not used: not offline, not on a 304', async () => {
    const registry = await serve();
    const dbName = uniqueDbName('pinned-later');
    const before = runtime(registry.url, { dbName });
    await before.model('weather').predict(day); // stores the unsigned manifest (and its ETag)
    await before.dispose();
    const { publicJwk } = await generateSigningKey('release');

    // Same file on the registry: sending the stored ETag would get a 304 that "confirms" the unsigned copy.
    const pinned = runtime(registry.url, { publicKeys: [publicJwk], dbName });
    expect((await rejection(pinned.model('weather').ready())).code).toBe('SIGNATURE_INVALID');

    await registry.fault('*', { cut: true });
    const offline = runtime(registry.url, { publicKeys: [publicJwk], dbName });
    const error = await rejection(offline.model('weather').ready());
    expect(error.code).toBe('MANIFEST_UNREACHABLE');
    expect(error.details.storedRefused).toBe('SIGNATURE_INVALID');
  });

  it('key rotation: kids pick the key; a manifest stored under a key the app no longer pins is not used', async () => {
    const registry = await serve();
    const old = await generateSigningKey('2025');
    const current = await generateSigningKey('2026');
    const dbName = uniqueDbName('rotation');
    await registry.publish(await signManifest(release(registry.manifest, '1', { sequence: 1 }), old.privateJwk));
    const during = runtime(registry.url, { publicKeys: [old.publicJwk, current.publicJwk], dbName });
    const model = await during.model('weather').ready();
    expect(model.version).toBe('1');
    await registry.publish(await signManifest(release(registry.manifest, '2', { sequence: 2 }), current.privateJwk));
    await during.checkForUpdates();
    expect(model.version).toBe('2');
    // A signature that claims the old kid but is made by another key is refused, though the other key is pinned.
    const errors = collect(during, 'error');
    await registry.publish(await signManifest(release(registry.manifest, '1', { sequence: 3 }), { ...current.privateJwk, kid: '2025' }));
    await during.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['SIGNATURE_INVALID']);
    await during.dispose();

    // The old key is retired: the app now pins the 2026 key only.
    await registry.publish(await signManifest(release(registry.manifest, '1', { sequence: 1 }), old.privateJwk));
    const seedDb = uniqueDbName('seed');
    const seed = runtime(registry.url, { publicKeys: [old.publicJwk], dbName: seedDb });
    await seed.model('weather').ready();
    await registry.fault('*', { cut: true });
    const afterRotation = runtime(registry.url, { publicKeys: [current.publicJwk], dbName });
    // What it verified under the 2026 key (v2, sequence 2) was stored by `during`; it serves that offline.
    expect((await afterRotation.model('weather').ready()).version).toBe('2');
    // Where the only stored manifest is signed by the retired key, it is not used.
    const retiredOnly = runtime(registry.url, { publicKeys: [current.publicJwk], dbName: seedDb });
    const error = await rejection(retiredOnly.model('weather').ready());
    expect(error.code).toBe('MANIFEST_UNREACHABLE');
    expect(error.details.storedRefused).toBe('SIGNATURE_INVALID');
  });
});

import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { loadArtifacts } from '../../src/models/loadArtifacts.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { rejection } from '../support/rejection.ts';
import { collect, day, release, runtime, serve } from './harness.ts';

const MiB = 1 << 20;

/** The manifest with v2's weights at `path` (and stable on v2). */
function weightsAt(manifest: RegistryManifest, path: string): RegistryManifest {
  const v2 = manifest.models.weather.versions['2'];
  const artifacts = v2.artifacts.map((a) => (a.path.endsWith('/weights.bin') ? { ...a, path } : a));
  const next = release(manifest, '2');
  return { ...next, models: { weather: { ...next.models.weather, versions: { ...next.models.weather.versions, '2': { ...v2, artifacts } } } } };
}

/** The manifest with all of v2's artifacts under `prefix` (another origin), stable on v2. */
function versionAt(manifest: RegistryManifest, prefix: string): RegistryManifest {
  const v2 = manifest.models.weather.versions['2'];
  const artifacts = v2.artifacts.map((a) => ({ ...a, path: `${prefix}/${a.path}` }));
  const next = release(manifest, '2');
  const moved = { ...v2, artifacts, modelPath: `${prefix}/${v2.modelPath}` };
  return { ...next, models: { weather: { ...next.models.weather, versions: { ...next.models.weather.versions, '2': moved } } } };
}

/** The registry's manifest and v1/v2 files copied under `reg/`: a registry whose base URL is not the origin's root. */
async function nested(registry: Awaited<ReturnType<typeof serve>>): Promise<string> {
  const paths = ['manifest.json', ...Object.values(registry.manifest.models.weather.versions).flatMap((v) => v.artifacts.map((a) => a.path))];
  for (const path of paths) await commands.registryWrite(registry.id, `reg/${path}`, await commands.registryRead(registry.id, path), 'base64');
  return new URL('reg/manifest.json', registry.url).href;
}

describe('artifact origin policy', () => {
  it.each([
    ['another origin', (other: string) => `${other}/weights.bin`],
    ['a .. escape', () => '../../evil/weights.bin'],
    ['a javascript: URL', () => 'javascript:alert(1)'],
  ])('%s: the manifest is refused (ARTIFACT_ORIGIN_REFUSED at its JSON path), nothing is fetched there, v1 keeps serving', async (_label, path) => {
    const registry = await serve();
    const other = await serve();
    const url = await nested(registry); // the registry lives under /reg/, so ../../ leaves it
    const rt = runtime(url);
    const model = await rt.model('weather').ready();
    const errors = collect(rt, 'error');
    await registry.log(true);
    await commands.registryWrite(registry.id, 'reg/manifest.json', JSON.stringify(weightsAt(registry.manifest, path(other.origin))));
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['ARTIFACT_ORIGIN_REFUSED']);
    expect(errors[0].error.details.path).toBe('models.weather.versions.2.artifacts[1].path');
    expect(await other.log()).toEqual([]);
    expect((await registry.log()).map((r) => r.path)).toEqual(['reg/manifest.json']);
    expect(model.version).toBe('1');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it('another origin listed in artifactOrigins is fetched from (and still verified)', async () => {
    const registry = await serve();
    const cdn = await serve();
    const rt = runtime(registry.url, { artifactOrigins: [cdn.origin] });
    const model = await rt.model('weather').ready();
    await registry.publish(versionAt(registry.manifest, cdn.origin));
    const errors = collect(rt, 'error');
    await rt.checkForUpdates();
    expect(errors).toEqual([]);
    expect(model.version).toBe('2');
    expect((await cdn.log()).map((r) => r.path)).toEqual(registry.manifest.models.weather.versions['2'].artifacts.map((a) => a.path));
    await expect(model.predict(day)).resolves.toMatchObject({ version: '2' });
  });

  it('the download itself checks too: loadArtifacts refuses an escaping path before any request', async () => {
    const registry = await serve();
    const url = new URL('reg/manifest.json', registry.url).href;
    const error = await rejection(loadArtifacts(url, [{ path: '../../x/weights.bin', sha256: '0'.repeat(64), bytes: 4 }]));
    expect(error.code).toBe('ARTIFACT_ORIGIN_REFUSED');
    expect(error.details.artifact).toBe('../../x/weights.bin');
    expect(await registry.log()).toEqual([]);
  });
});

describe('size caps', () => {
  it.each([
    ['streamed without a length', false],
    ['with a Content-Length', true],
  ])('a 50 MiB manifest (%s) is MANIFEST_TOO_LARGE, read no further; the last good one stays', async (_label, declare) => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    const errors = collect(rt, 'error');
    await registry.fault('manifest.json', { stream: 50 * MiB, declare });
    await rt.checkForUpdates();
    expect(errors.map((e) => e.error.code)).toEqual(['MANIFEST_TOO_LARGE']);
    expect(errors[0].error.details.maxBytes).toBe(MiB);
    const sent = (await registry.log()).filter((r) => r.path === 'manifest.json').at(-1)?.bytes ?? 0;
    expect(sent).toBeLessThan(24 * MiB); // the client hung up early (socket buffers hold a few MiB)
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it('maxManifestBytes lowers the cap: the bundled manifest itself is then too large for a fresh install', async () => {
    const registry = await serve();
    const rt = runtime(registry.url, { maxManifestBytes: 1024 });
    const error = await rejection(rt.model('weather').ready());
    expect(error.code).toBe('MANIFEST_TOO_LARGE');
    expect(error.details.maxBytes).toBe(1024);
  });

  it.each([
    ['streamed without a length', false],
    ['with a Content-Length', true],
  ])('an artifact declared small that streams 256 MiB (%s) stops at its declared size: INTEGRITY_MISMATCH too-large, v1 serves', async (_label, declare) => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    const weights = registry.artifact('2', 'weights.bin');
    await registry.fault(weights, { stream: 256 * MiB, declare });
    const error = await rejection(model.activate('2'));
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.details.reason).toBe('too-large');
    const declared = registry.manifest.models.weather.versions['2'].artifacts.find((a) => a.path === weights)?.bytes;
    expect(error.details.expectedBytes).toBe(declared);
    const sent = (await registry.log()).filter((r) => r.path === weights).at(-1)?.bytes ?? 0;
    expect(sent).toBeLessThan(24 * MiB);
    expect(model.version).toBe('1');
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../support/rejection.ts';
import { artifactUrl } from '../../../src/registry/artifactUrl.ts';
import { resolveVersion } from '../../../src/registry/resolveVersion.ts';
import { validateManifest } from '../../../src/registry/validateManifest.ts';

const bundled = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8'));
const manifestUrl = 'https://app.example/registry/manifest.json';

describe('artifact origin policy', () => {
  it('paths inside the registry base resolve, `..` that stays inside included', () => {
    expect(artifactUrl('weather/1/model.json', manifestUrl)).toBe('https://app.example/registry/weather/1/model.json');
    expect(artifactUrl('weather/../weather/1/w.bin', manifestUrl)).toBe('https://app.example/registry/weather/1/w.bin');
  });

  it.each([
    ['another origin', 'http://other.example/w.bin'],
    ['protocol-relative', '//other.example/w.bin'],
    ['a .. escape', '../../evil/w.bin'],
    ['an encoded .. escape', '%2e%2e/evil/w.bin'],
    ['a backslash escape', '..\\evil\\w.bin'],
    ['root-relative outside the base', '/evil/w.bin'],
    ['data:', 'data:application/octet-stream;base64,AAAA'],
    ['javascript:', 'javascript:alert(1)'],
    ['blob:', 'blob:https://app.example/1234'],
    ['credentials', 'https://user:pw@app.example/registry/w.bin'],
  ])('%s is ARTIFACT_ORIGIN_REFUSED', (_label, path) => {
    const error = errorOf(() => artifactUrl(path, manifestUrl, [], 'models.m.versions.1.artifacts[0].path'));
    expect(error.code).toBe('ARTIFACT_ORIGIN_REFUSED');
    expect(error.details).toMatchObject({ artifact: path, path: 'models.m.versions.1.artifacts[0].path' });
  });

  it('another origin only through artifactOrigins, any path there', () => {
    expect(artifactUrl('https://cdn.example/m/w.bin', manifestUrl, ['https://cdn.example'])).toBe('https://cdn.example/m/w.bin');
    expect(artifactUrl('https://cdn.example/m/w.bin', manifestUrl, ['https://cdn.example/anything/'])).toBe('https://cdn.example/m/w.bin');
    expect(errorOf(() => artifactUrl('http://cdn.example/m/w.bin', manifestUrl, ['https://cdn.example'])).code).toBe('ARTIFACT_ORIGIN_REFUSED');
  });

  it('validateManifest applies it given the URL, naming the JSON path', () => {
    const manifest = structuredClone(bundled);
    manifest.models.weather.versions['2'].artifacts[1].path = '../../evil/weights.bin';
    expect(validateManifest(manifest).models.weather).toBeDefined(); // without a URL: structure only, as the CLI checks
    const error = errorOf(() => validateManifest(manifest, { url: manifestUrl }));
    expect(error.code).toBe('ARTIFACT_ORIGIN_REFUSED');
    expect(error.details.path).toBe('models.weather.versions.2.artifacts[1].path');
    expect(validateManifest(bundled, { url: manifestUrl }).models.weather).toBeDefined();
  });
});

describe('own properties only', () => {
  it("a channel naming an inherited member ('constructor', '__proto__') is MANIFEST_INVALID at its path", () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      const manifest = structuredClone(bundled);
      manifest.models.weather.channels.stable = [name, '1'];
      const error = errorOf(() => validateManifest(manifest));
      expect(error.code, name).toBe('MANIFEST_INVALID');
      expect(error.details.path).toBe('models.weather.channels.stable[0]');
    }
  });

  it("resolveVersion: model '__proto__' or 'constructor' is UNKNOWN_MODEL; an inherited version or channel is not served", () => {
    expect(errorOf(() => resolveVersion(bundled, '__proto__')).code).toBe('UNKNOWN_MODEL');
    expect(errorOf(() => resolveVersion(bundled, 'constructor')).code).toBe('UNKNOWN_MODEL');
    expect(errorOf(() => resolveVersion(bundled, 'weather', { version: 'constructor' })).code).toBe('VERSION_UNAVAILABLE');
    expect(errorOf(() => resolveVersion(bundled, 'weather', { channel: 'hasOwnProperty' })).details.reason).toBe('no such channel');
    // A channel list built in memory (not validated) that names an inherited member falls back to the next one.
    const manifest = structuredClone(bundled);
    manifest.models.weather.channels.stable = ['constructor', '1'];
    expect(resolveVersion(manifest, 'weather').version).toBe('1');
  });
});

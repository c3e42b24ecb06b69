import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../../src/errors.ts';
import { cohortBucket, fnv1a32 } from '../../../src/registry/cohort.ts';
import type { ModelVersion, RegistryManifest } from '../../../src/registry/Manifest.ts';
import { resolveVersion } from '../../../src/registry/resolveVersion.ts';
import { satisfies } from '../../../src/registry/semver.ts';
import { EDGEWATCH_VERSION } from '../../../src/version.ts';

const bundled: RegistryManifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));

function withVersions(channels: Record<string, string | string[]>, patch: Record<string, Partial<ModelVersion>>): RegistryManifest {
  const base = bundled.models.weather.versions['1'];
  const versions = Object.fromEntries(Object.entries(patch).map(([id, p]) => [id, { ...base, ...p }]));
  return { schema: 'edgewatch.registry/v1', models: { weather: { channels, versions } } };
}

describe('cohorts', () => {
  it('FNV-1a matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts an install in the same bucket every time, and spreads installs evenly', () => {
    expect(cohortBucket('install-1', 'weather')).toBe(cohortBucket('install-1', 'weather'));
    const buckets = Array.from({ length: 10_000 }, (_, i) => cohortBucket(`install-${i}`, 'weather'));
    expect(buckets.every((b) => b >= 0 && b < 100)).toBe(true);
    const below10 = buckets.filter((b) => b < 10).length;
    expect(below10).toBeGreaterThan(850);
    expect(below10).toBeLessThan(1150);
  });

  it('raising the rollout percent only adds devices', () => {
    const manifest = (percent: number) => withVersions({ stable: ['2', '1'] }, { '2': { rollout: { percent } }, '1': {} });
    const installs = Array.from({ length: 2000 }, (_, i) => cohortBucket(`device-${i}`, 'weather'));
    let previous = new Set<number>();
    for (const percent of [0, 1, 5, 10, 25, 50, 99, 100]) {
      const onV2 = new Set(installs.flatMap((cohort, i) => (resolveVersion(manifest(percent), 'weather', { cohort }).version === '2' ? [i] : [])));
      for (const device of previous) expect(onV2.has(device)).toBe(true);
      expect(onV2.size).toBeGreaterThanOrEqual(previous.size);
      previous = onV2;
    }
    expect(previous.size).toBe(2000);
  });
});

describe('resolveVersion', () => {
  it('walks the channel newest first: rollout, requirements, exclusions', () => {
    const manifest = withVersions({ stable: ['3', '2', '1'] }, { '3': { requirements: { runtime: '>=9.0.0' } }, '2': { rollout: { percent: 20 } }, '1': {} });
    const inRollout = resolveVersion(manifest, 'weather', { cohort: 5 });
    expect(inRollout.version).toBe('2');
    expect(inRollout.skipped[0]).toMatchObject({ version: '3', reason: expect.stringMatching(/runtime >=9/) });
    expect(resolveVersion(manifest, 'weather', { cohort: 50 }).version).toBe('1');
    expect(resolveVersion(manifest, 'weather', { cohort: 5, exclude: new Set(['2']) }).version).toBe('1');
    expect(resolveVersion(manifest, 'weather', { cohort: 5, device: { runtimeVersion: '9.1.0' } }).version).toBe('3');
  });

  it('skips versions needing a backend, storage or GPU buffer the device lacks', () => {
    const manifest = withVersions(
      { stable: ['2', '1'] },
      { '2': { requirements: { backends: ['webgpu'], minStorageBytes: 1000, minBufferSize: 1 << 28 } }, '1': {} },
    );
    expect(resolveVersion(manifest, 'weather', { device: { backends: ['wasm', 'cpu'] } }).version).toBe('1');
    expect(resolveVersion(manifest, 'weather', { device: { backends: ['webgpu'], freeStorageBytes: 10 } }).version).toBe('1');
    expect(resolveVersion(manifest, 'weather', { device: { backends: ['webgpu'], maxBufferSize: 1 << 20 } }).version).toBe('1');
    expect(resolveVersion(manifest, 'weather', { device: { backends: ['webgpu'], freeStorageBytes: 5000, maxBufferSize: 1 << 30 } }).version).toBe('2');
  });

  it('a pinned version wins over the channel but must be runnable; nothing eligible is an error', () => {
    const manifest = withVersions({ stable: ['2'] }, { '2': { rollout: { percent: 0 } }, '1': { requirements: { runtime: '<0.0.1' } } });
    let error: EdgewatchError | undefined;
    try {
      resolveVersion(manifest, 'weather');
    } catch (e) {
      error = e as EdgewatchError;
    }
    expect(error?.code).toBe('VERSION_UNAVAILABLE');
    expect(error?.details.reason).toBe('none available to this device');
    expect(error?.details.skipped).toHaveLength(1);
    expect(resolveVersion(manifest, 'weather', { version: '2' }).version).toBe('2');
    expect(() => resolveVersion(manifest, 'weather', { version: '1' })).toThrow(/cannot run here/);
  });
});

describe('what resolution failures say', () => {
  const errorOf = (fn: () => unknown): EdgewatchError => {
    try {
      fn();
    } catch (e) {
      return e as EdgewatchError;
    }
    throw new Error('expected a throw');
  };
  const manifest = withVersions({ stable: ['2'], beta: ['3'] }, { '2': { requirements: { backends: ['webgpu'] } }, '1': {} });

  it('UNKNOWN_MODEL only when the registry has no model of that name', () => {
    expect(errorOf(() => resolveVersion(manifest, 'nope'))).toMatchObject({ code: 'UNKNOWN_MODEL', details: { name: 'nope', known: ['weather'] } });
  });

  it.each([
    ['a pinned version the manifest lacks', { version: '42' }, 'no such version'],
    ['a channel the model lacks', { channel: 'nightly' }, 'no such channel'],
    ['a pin the device cannot run', { version: '2', device: { backends: ['wasm'] } }, 'needs one of webgpu'],
    ['no version left for this device', { device: { backends: ['wasm'] } }, 'none available to this device'],
    ['a channel naming only versions not in the manifest', { channel: 'beta' }, 'none available to this device'],
  ])('VERSION_UNAVAILABLE for %s', (_label, options, reason) => {
    const error = errorOf(() => resolveVersion(manifest, 'weather', options));
    expect(error).toBeInstanceOf(EdgewatchError);
    expect(error.code).toBe('VERSION_UNAVAILABLE');
    expect(error.details).toMatchObject({ name: 'weather', reason });
  });
});

describe('semver ranges', () => {
  it.each([
    ['1.2.3', '>=1.2.0 <2.0.0', true],
    ['2.0.0', '>=1.2.0 <2.0.0', false],
    ['1.4.0', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['0.1.5', '^0.1.2', true],
    ['0.2.0', '^0.1.2', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.7.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['3.1.4', '*', true],
    ['1.0.0', '=1.0.0', true],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('EDGEWATCH_VERSION follows package.json', () => {
    expect(EDGEWATCH_VERSION).toBe(pkg.version);
  });
});

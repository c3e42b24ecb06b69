import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEdgewatchError } from '../../../src/errors.ts';
import { checkFreshness } from '../../../src/registry/freshness.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { verifyManifest } from '../../../src/registry/signature.ts';
import { run, snapshot, tempDir, weatherModelDir } from './cliHarness.ts';

const manifestOf = (registry: string): RegistryManifest => JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));
const DAY = 86_400_000;

/** The device's rule, applied to what the CLI wrote: throws the code a device would refuse with, or returns undefined. */
function deviceRefusal(manifest: RegistryManifest, highestSeen: number, now = Date.now()): string | undefined {
  try {
    checkFreshness(manifest, highestSeen, now, 'https://registry.example/manifest.json');
    return undefined;
  } catch (error) {
    if (isEdgewatchError(error)) return error.code;
    throw error;
  }
}

async function keys() {
  const dir = tempDir('keys');
  expect((await run('keygen', '--out', join(dir, 'k.jwk'), '--kid', 'release')).code).toBe(0);
  return { key: join(dir, 'k.jwk'), pub: JSON.parse(readFileSync(join(dir, 'k.pub.jwk'), 'utf8')) as JsonWebKey };
}

describe('edgewatch publish and rollback keep the signed sequence going up', () => {
  it('every publish raises the sequence; rollback is a newer signed release pointing at the old version', async () => {
    const { key, pub } = await keys();
    const registry = tempDir('reg');
    const model = weatherModelDir();
    expect((await run('publish', model, '--registry', registry, '--name', 'weather', '--sign', key)).code).toBe(0);
    const v1 = manifestOf(registry);
    expect(v1.sequence).toBe(1);
    const v2model = weatherModelDir((m) => ({ ...m, training: { note: 'v2' } }));
    expect((await run('publish', v2model, '--registry', registry, '--name', 'weather', '--channel', 'stable', '--sign', key)).code).toBe(0);
    const v2 = manifestOf(registry);
    expect(v2.sequence).toBe(2);
    expect(v2.models.weather.channels.stable).toBe('2');
    // A device that saw release 2 refuses the replayed release 1.
    expect(deviceRefusal(v1, 2)).toBe('MANIFEST_ROLLBACK');

    const back = await run('rollback', registry, '--name', 'weather', '--to', '1', '--sign', key);
    expect(back.code, back.err).toBe(0);
    expect(back.out).toMatch(/weather stable: "2" → "1" \(sequence 3, signed\)/);
    const v3 = manifestOf(registry);
    expect(v3.sequence).toBe(3);
    expect(v3.models.weather.channels.stable).toBe('1');
    expect(Object.keys(v3.models.weather.versions)).toEqual(['1', '2']);
    await expect(verifyManifest(v3, [pub])).resolves.toBeUndefined();
    await expect(verifyManifest({ ...v3, sequence: 4 }, [pub])).rejects.toThrow(/signature/i);
    // The device that saw release 2 takes the rollback (it is newer), and then refuses release 2 again.
    expect(deviceRefusal(v3, 2)).toBeUndefined();
    expect(deviceRefusal(v2, 3)).toBe('MANIFEST_ROLLBACK');
    expect((await run('verify', registry, '--key', join(key.replace(/k\.jwk$/, 'k.pub.jwk')))).code).toBe(0);
  });

  it('--expires sets a signed expiry; a registry that expires cannot lose it by accident', async () => {
    const registry = tempDir('reg');
    const model = weatherModelDir();
    const before = Date.now();
    expect((await run('publish', model, '--registry', registry, '--name', 'weather', '--expires', '30d')).code).toBe(0);
    const expires = Date.parse(manifestOf(registry).expires as string);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * DAY);
    expect(deviceRefusal(manifestOf(registry), 0)).toBeUndefined();
    expect(deviceRefusal(manifestOf(registry), 0, Date.now() + 31 * DAY)).toBe('MANIFEST_EXPIRED');

    const untouched = snapshot(registry);
    const v2model = weatherModelDir((m) => ({ ...m, training: { note: 'v2' } }));
    const refused = await run('publish', v2model, '--registry', registry, '--name', 'weather');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/INPUT_INVALID: .*manifest expires .*pass --expires/);
    const refusedBack = await run('rollback', registry, '--name', 'weather', '--to', '1');
    expect(refusedBack.code).toBe(2);
    expect(snapshot(registry)).toEqual(untouched);

    expect((await run('publish', v2model, '--registry', registry, '--name', 'weather', '--expires', '12h')).code).toBe(0);
    const next = manifestOf(registry);
    expect(next.sequence).toBe(2);
    expect(Date.parse(next.expires as string)).toBeLessThanOrEqual(Date.now() + 12 * 3_600_000);
  });

  it('refuses a bad rollback before writing anything', async () => {
    const registry = tempDir('reg');
    expect((await run('publish', weatherModelDir(), '--registry', registry, '--name', 'weather')).code).toBe(0);
    const untouched = snapshot(registry);
    const cases: [string[], number, RegExp][] = [
      [['--name', 'weather', '--to', '9'], 1, /VERSION_UNAVAILABLE: .*no published version "9"/],
      [['--name', 'nope', '--to', '1'], 1, /UNKNOWN_MODEL/],
      [['--name', 'weather'], 2, /missing --to/],
      [['--name', 'weather', '--to', '../1'], 2, /INPUT_INVALID: --to .* is not allowed/],
      [['--name', 'weather', '--to', '1', '--expires', 'soon'], 2, /--expires must be a duration/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run('rollback', registry, ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.err).toMatch(message);
      expect(snapshot(registry)).toEqual(untouched);
    }
  });
});

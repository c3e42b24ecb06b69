import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../support/rejection.ts';
import { checkFreshness, isExpired, keySetId, nextSequence, parseDateTime, withFreshness } from '../../../src/registry/freshness.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { generateSigningKey, signManifest, verifyManifest } from '../../../src/registry/signature.ts';
import { validateManifest } from '../../../src/registry/validateManifest.ts';

const bundled: RegistryManifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8'));

describe('publishing helpers', () => {
  it('nextSequence: one above the manifest’s own, 1 for a manifest without one', () => {
    expect(nextSequence({})).toBe(1);
    expect(nextSequence({ sequence: 41 })).toBe(42);
  });

  it('withFreshness raises the sequence, sets expires from now, drops the stale signature; the result validates and signs', async () => {
    const { privateJwk, publicJwk } = await generateSigningKey('k');
    const signed = await signManifest({ ...bundled, sequence: 6 }, privateJwk);
    const now = Date.UTC(2026, 11, 1, 8, 0, 0);
    const next = withFreshness(signed, { expiresInMs: 7 * 86_400_000, now });
    expect(next.sequence).toBe(7);
    expect(next.expires).toBe('2026-12-08T08:00:00.000Z');
    expect(next.signature).toBeUndefined();
    expect(validateManifest(next).sequence).toBe(7);
    await expect(verifyManifest(await signManifest(next, privateJwk), [publicJwk])).resolves.toBeUndefined();
    expect(withFreshness(bundled, { sequence: 3 })).toMatchObject({ sequence: 3 });
    expect(withFreshness(bundled).expires).toBeUndefined();
    expect(() => withFreshness(bundled, { sequence: -1 })).toThrow(RangeError);
    expect(() => withFreshness(bundled, { expiresInMs: 0 })).toThrow(RangeError);
  });
});

describe('freshness checks', () => {
  const now = Date.UTC(2026, 11, 1);
  it('an older sequence is MANIFEST_ROLLBACK; equal or newer passes; no sequence reads as 0', () => {
    const { sequence: _sequence, ...unsequenced } = bundled;
    const older = errorOf(() => checkFreshness({ ...bundled, sequence: 4 }, 5, now, 'u'));
    expect(older.code).toBe('MANIFEST_ROLLBACK');
    expect(older.details).toMatchObject({ sequence: 4, highest: 5 });
    expect(errorOf(() => checkFreshness(unsequenced, 1, now, 'u')).code).toBe('MANIFEST_ROLLBACK');
    expect(() => checkFreshness({ ...bundled, sequence: 5 }, 5, now, 'u')).not.toThrow();
    expect(() => checkFreshness(unsequenced, 0, now, 'u')).not.toThrow();
  });

  it('past expires is MANIFEST_EXPIRED; no expires never expires', () => {
    expect(errorOf(() => checkFreshness({ ...bundled, expires: '2026-11-30T23:59:59Z' }, 0, now, 'u')).code).toBe('MANIFEST_EXPIRED');
    expect(isExpired({ expires: '2026-12-01T00:00:01+00:00' }, now)).toBe(false);
    expect(isExpired({ expires: '2026-12-01T01:00:00+02:00' }, now)).toBe(true);
    expect(isExpired({}, now)).toBe(false);
  });

  it('parseDateTime is strict: impossible days and times, no zone, other shapes are NaN', () => {
    expect(parseDateTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['2023-02-29T00:00:00Z', '2014-02-30T00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T10:60Z', '2026-12-01T10:00:00', '2026-12-01', 'soon'])
      expect(parseDateTime(bad), bad).toBeNaN();
  });

  it('validateManifest checks sequence and expires', () => {
    expect(errorOf(() => validateManifest({ ...bundled, sequence: 1.5 })).details.path).toBe('sequence');
    expect(errorOf(() => validateManifest({ ...bundled, sequence: -1 })).details.path).toBe('sequence');
    expect(errorOf(() => validateManifest({ ...bundled, expires: '2014-02-30T00:00:00Z' })).details.path).toBe('expires');
    expect(validateManifest({ ...bundled, sequence: 0, expires: '2030-01-01T00:00:00Z' }).expires).toBe('2030-01-01T00:00:00Z');
  });

  it('keySetId names a key set whatever its order, and differs between sets', async () => {
    const a = (await generateSigningKey()).publicJwk;
    const b = (await generateSigningKey()).publicJwk;
    expect(keySetId([a, b])).toBe(keySetId([b, a]));
    expect(keySetId([a])).not.toBe(keySetId([b]));
    expect(keySetId(undefined)).toBe(keySetId([]));
  });
});

describe('key rotation by kid', () => {
  it('a signature with a kid is checked against that kid’s key only; without kid, against every pinned key', async () => {
    const old = await generateSigningKey('2025');
    const current = await generateSigningKey('2026');
    const byCurrent = await signManifest(bundled, current.privateJwk);
    await expect(verifyManifest(byCurrent, [old.publicJwk, current.publicJwk])).resolves.toBeUndefined();
    // The right key under another kid does not count: the kid names the key.
    const relabelled = { ...current.publicJwk, kid: '2025' };
    await expect(verifyManifest(byCurrent, [relabelled])).rejects.toMatchObject({ code: 'SIGNATURE_INVALID', details: { reason: 'unknown-kid' } });
    // A signature claiming the old kid, made by another key, fails against the old key.
    const forged = await signManifest(bundled, { ...current.privateJwk, kid: '2025' });
    await expect(verifyManifest(forged, [old.publicJwk, current.publicJwk])).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { reason: 'mismatch' },
    });
    // No kid: any pinned key may verify it.
    const anonymous = await signManifest(bundled, { ...current.privateJwk, kid: undefined });
    expect(anonymous.signature?.kid).toBeUndefined();
    await expect(verifyManifest(anonymous, [old.publicJwk, current.publicJwk])).resolves.toBeUndefined();
    await expect(verifyManifest(anonymous, [{ kty: 'EC', crv: 'P-256', x: 'bad', y: 'bad' }, current.publicJwk])).resolves.toBeUndefined();
  });
});

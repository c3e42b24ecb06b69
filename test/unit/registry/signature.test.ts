import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/registry/canonicalJson.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { generateSigningKey, signManifest, verifyManifest } from '../../../src/registry/signature.ts';
import { rejection } from '../../support/rejection.ts';

const manifest: RegistryManifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8'));

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and drops whitespace', () => {
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts after "\r" and before "\ud83d\ude00" (😀) by code units.
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the member order off the text: JSON.parse would move the integer-like key "1" first again.
    const keys = [...canonicalJson(value).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`));
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('writes numbers the ECMAScript way and strings with minimal escapes (RFC 8785 §3.2.2 examples)', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the literal that needs rounding is what RFC 8785 example tests
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.33333329, 1e30, 4.5, 2e-3, 0.000001])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,1e+30,4.5,0.002,0.000001]',
    );
    expect(canonicalJson({ b: 'é/\u0001\n"', a: [true, null, false] })).toBe('{"a":[true,null,false],"b":"é/\\u0001\\n\\""}');
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
  });
});

describe('ES256 manifest signatures', () => {
  it('verifies what it signed, whatever the key order of the file', async () => {
    const { privateJwk, publicJwk } = await generateSigningKey('k1');
    const signed = await signManifest(manifest, privateJwk);
    expect(signed.signature?.value).toMatch(/^[A-Za-z0-9_-]{86}$/);
    await expect(verifyManifest(signed, [publicJwk])).resolves.toBeUndefined();
    // Re-serialised with another member order and spacing: same canonical bytes, still valid.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()), null, 3));
    await expect(verifyManifest(reordered, [publicJwk])).resolves.toBeUndefined();
  });

  it('refuses an altered, an unsigned and a foreign-key manifest with SIGNATURE_INVALID', async () => {
    const { privateJwk, publicJwk } = await generateSigningKey();
    const other = await generateSigningKey();
    const signed = await signManifest(manifest, privateJwk);
    const tampered = structuredClone(signed) as unknown as { models: { weather: { channels: { stable: string } } } };
    tampered.models.weather.channels.stable = '2';
    const altered = await rejection(verifyManifest(tampered as unknown as RegistryManifest, [publicJwk]));
    expect(altered.code).toBe('SIGNATURE_INVALID');
    expect(altered.details.reason).toBe('mismatch');
    const unsigned = await rejection(verifyManifest(manifest, [publicJwk]));
    expect(unsigned.details.reason).toBe('unsigned');
    const foreign = await rejection(verifyManifest(signed, [other.publicJwk]));
    expect(foreign.code).toBe('SIGNATURE_INVALID');
  });
});

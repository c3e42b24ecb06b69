import { EdgewatchError, ErrorCode } from '../errors.ts';
import { canonicalJson } from './canonicalJson.ts';
import type { ManifestSignature, RegistryManifest } from './Manifest.ts';

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The bytes a signature covers: canonical JSON of the manifest without its `signature` member. */
export function signedBytes(manifest: RegistryManifest | Record<string, unknown>): Uint8Array<ArrayBuffer> {
  const { signature: _signature, ...unsigned } = manifest as Record<string, unknown>;
  return new TextEncoder().encode(canonicalJson(unsigned));
}

/** A new ES256 key pair as JWKs (`edgewatch keygen`). */
export async function generateSigningKey(kid?: string): Promise<{ privateJwk: JsonWebKey; publicJwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), ...(kid ? { kid } : {}) };
  const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), ...(kid ? { kid } : {}) };
  return { privateJwk, publicJwk };
}

/** Returns the manifest with a fresh ES256 `signature` (WebCrypto's ECDSA output is already JWS's r ‖ s). */
export async function signManifest<M extends RegistryManifest>(manifest: M, privateJwk: JsonWebKey & { kid?: string }): Promise<M> {
  const key = await crypto.subtle.importKey('jwk', { ...privateJwk, key_ops: ['sign'] }, ES256, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, key, signedBytes(manifest)));
  const member: ManifestSignature = { alg: 'ES256', ...(privateJwk.kid ? { kid: privateJwk.kid } : {}), value: toBase64Url(signature) };
  return { ...manifest, signature: member };
}

/**
 * Verifies the manifest's signature against the pinned public keys (JWKs). A signature with a `kid` is
 * checked against the pinned key of that kid only (several keys may be pinned while one is rotated out);
 * a signature without one against every pinned key.
 * Throws `SIGNATURE_INVALID` when the manifest is unsigned, names a kid no pinned key has, is signed by
 * another key, or altered.
 */
export async function verifyManifest(manifest: RegistryManifest, publicKeys: readonly (JsonWebKey & { kid?: string })[]): Promise<void> {
  const signature = manifest.signature;
  if (!signature) throw new EdgewatchError(ErrorCode.SIGNATURE_INVALID, 'The manifest is not signed, but the app pins a public key', { reason: 'unsigned' });
  if (signature.alg !== 'ES256') throw new EdgewatchError(ErrorCode.SIGNATURE_INVALID, `Unsupported signature algorithm ${signature.alg}`, { reason: 'alg' });
  // Key rotation: a signature naming its key is checked against that key only; one without a kid against each.
  const candidates = signature.kid !== undefined ? publicKeys.filter((k) => k.kid === signature.kid) : publicKeys;
  if (candidates.length === 0)
    throw new EdgewatchError(ErrorCode.SIGNATURE_INVALID, `No pinned key has the signature's kid ${JSON.stringify(signature.kid)}`, {
      reason: 'unknown-kid',
      kid: signature.kid,
    });
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64Url(signature.value);
  } catch {
    throw new EdgewatchError(ErrorCode.SIGNATURE_INVALID, 'The signature is not base64url', { reason: 'encoding' });
  }
  const data = signedBytes(manifest);
  for (const jwk of candidates) {
    const { d: _private, ...publicOnly } = jwk as JsonWebKey;
    let key: CryptoKey;
    try {
      key = await crypto.subtle.importKey('jwk', { ...publicOnly, key_ops: ['verify'] }, ES256, false, ['verify']);
    } catch {
      continue; // a pinned key that is not an ES256 public key verifies nothing
    }
    if (await crypto.subtle.verify(SIGN, key, raw, data)) return;
  }
  throw new EdgewatchError(ErrorCode.SIGNATURE_INVALID, 'The manifest signature does not verify with any pinned key', {
    reason: 'mismatch',
    kid: signature.kid,
  });
}
